import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../../src/config/schema.ts';
import { codeGrant, obtainCode, postToken, WEB_APP_BASIC } from '../../support/flow-helpers.ts';
import { startServer, testConfig, type TestServer } from '../../support/server.ts';
import { UserAgent } from '../../support/user-agent.ts';
import { jwtParts } from '../resources/fixtures.ts';

/** The README's "Token exchange and JWT bearer" config and curl command, run as printed (but for the server's URL). */

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

function sample(name: string, lang: string): string {
  const m = README.match(new RegExp(`<!-- sample: ${name} -->\\n\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``));
  if (!m?.[1]) throw new Error(`README sample ${name} not found`);
  return m[1];
}

let server: TestServer;

beforeAll(async () => {
  const printed = JSON.parse(sample('token-exchange-config', 'json')) as Partial<ConfigInput>;
  const base = testConfig();
  server = await startServer({ ...printed, clients: [...(base.clients ?? []), ...(printed.clients ?? [])] });
});

afterAll(async () => {
  await server?.close();
});

describe('README: Token exchange and JWT bearer', () => {
  it('the printed config starts, and the printed curl trades another client\'s access token for a read-only JWT for the Orders API', async () => {
    const code = await obtainCode(new UserAgent(server.url), { scope: 'orders.read orders.write' });
    const res = await postToken(server, codeGrant(code), { authorization: WEB_APP_BASIC });
    expect(res.status).toBe(200);
    const { access_token } = (await res.json()) as { access_token: string };
    const command = sample('token-exchange-curl', 'sh').replaceAll('http://localhost:3000', server.url);
    const { stdout } = await promisify(execFile)('bash', ['-c', command], { env: { ...process.env, ACCESS_TOKEN: access_token }, timeout: 100_000 });
    const answer = JSON.parse(stdout) as Record<string, unknown>;
    expect(answer).toMatchObject({ token_type: 'Bearer', scope: 'orders.read', issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', expires_in: 300 });
    expect(jwtParts(answer['access_token'] as string).payload).toMatchObject({ aud: 'https://orders.example.com/', client_id: 'gateway', scope: 'orders.read' });
  });
});
