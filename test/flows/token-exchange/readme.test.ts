import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../../src/config/schema.ts';
import { BIN, cleanEnv } from '../../support/cli.ts';
import { basicAuth, codeGrant, obtainCode, postToken, WEB_APP_BASIC } from '../../support/flow-helpers.ts';
import { startServer, testConfig, type TestServer } from '../../support/server.ts';
import { UserAgent } from '../../support/user-agent.ts';
import { jwtParts } from '../resources/fixtures.ts';

/**
 * The README's "Token exchange and JWT bearer" config, CLI commands and curl command, run as printed (but for the
 * server's URL); the CLI works on the running server's database (cacheTtlMs 0, so its changes show at once).
 */

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

function sample(name: string, lang: string): string {
  const m = README.match(new RegExp(`<!-- sample: ${name} -->\\n\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``));
  if (!m?.[1]) throw new Error(`README sample ${name} not found`);
  return m[1];
}

let server: TestServer;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-readme-exchange-'));
  const printed = JSON.parse(sample('token-exchange-config', 'json')) as Partial<ConfigInput>;
  const base = testConfig();
  server = await startServer({ ...printed, clients: [...(base.clients ?? []), ...(printed.clients ?? [])], database: join(dir, 'latchkey.db'), cacheTtlMs: 0 });
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
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

  it('the printed latchkey trusted-issuers commands trust the partner IdP: its JWT bearer assertion about alice then gets her a token (RFC 7523 §2.1)', async () => {
    const key = await generateKeyPair('ES256', { extractable: true });
    writeFileSync(join(dir, 'idp-jwks.json'), JSON.stringify({ keys: [{ ...(await exportJWK(key.publicKey)), kid: 'partner-1', alg: 'ES256' }] }));
    // `latchkey` on the PATH is the real bin, on this test's database.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'latchkey'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    chmodSync(join(bin, 'latchkey'), 0o755);
    const env = cleanEnv({ PATH: `${bin}:${process.env['PATH'] ?? ''}`, LATCHKEY_DATABASE_URL: join(dir, 'latchkey.db') });
    const { stdout, stderr } = await promisify(execFile)('bash', ['-e', '-c', sample('trusted-issuers-cli', 'sh')], { cwd: dir, env, timeout: 100_000 });
    expect(stderr).toBe('');
    expect(stdout).toContain('Trusted issuer "https://partner-idp.example.com"');
    expect(stdout).toMatch(/https:\/\/partner-idp\.example\.com +Partner IdP +1 inline +preferred_username \(username\)/);

    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({ iss: 'https://partner-idp.example.com', sub: 'a-partner-id', preferred_username: 'alice', aud: server.url, jti: 'readme-1', iat: now, exp: now + 300 })
      .setProtectedHeader({ alg: 'ES256', kid: 'partner-1' })
      .sign(key.privateKey);
    const res = await postToken(server, { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }, { authorization: basicAuth('gateway', 'gateway-secret-change-me-0123456789') });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ token_type: 'Bearer' });
  });
});
