import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../../src/config/schema.ts';
import { withinCacheBound } from '../../support/cache-bound.ts';
import { BIN, cleanEnv, latchkey } from '../../support/cli.ts';
import { basicAuth, codeGrant, obtainCode, postToken, WEB_APP_BASIC } from '../../support/flow-helpers.ts';
import { startServer, testConfig, type TestServer } from '../../support/server.ts';
import { UserAgent } from '../../support/user-agent.ts';
import { jwtParts } from '../resources/fixtures.ts';

/**
 * The README's "Token exchange and JWT bearer" config, CLI commands and curl command, run as printed (but for the
 * server's URL); the CLI works on the running server's database (cacheTtlMs 0, so its changes show at once), and the
 * policy's CLI command on a server with the default cacheTtlMs, its change polled for within that bound.
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

/** alice's access token from web-app, scope orders.read orders.write: the README's $ACCESS_TOKEN. */
async function accessToken(on: TestServer): Promise<string> {
  const code = await obtainCode(new UserAgent(on.url), { scope: 'orders.read orders.write' });
  const res = await postToken(on, codeGrant(code), { authorization: WEB_APP_BASIC });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** The printed curl command against `on`, its JSON answer (an error answer is JSON too: curl -s prints it). */
async function curl(on: TestServer, token: string): Promise<Record<string, unknown>> {
  const command = sample('token-exchange-curl', 'sh').replaceAll('http://localhost:3000', on.url);
  const { stdout } = await promisify(execFile)('bash', ['-c', command], { env: { ...process.env, ACCESS_TOKEN: token }, timeout: 100_000 });
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe('README: Token exchange and JWT bearer', () => {
  it('the printed config starts, and the printed curl trades another client\'s access token for a read-only JWT for the Orders API', async () => {
    const answer = await curl(server, await accessToken(server));
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

describe('README: Token exchange and JWT bearer, the policy given with the CLI', () => {
  let liveDir: string;
  let live: TestServer;

  beforeAll(async () => {
    liveDir = mkdtempSync(join(tmpdir(), 'latchkey-readme-exchange-cli-'));
    // The printed config's scopes, resources and trusted issuer; the gateway is made with the CLI, without a policy.
    const { clients: _declared, ...printed } = JSON.parse(sample('token-exchange-config', 'json')) as Partial<ConfigInput>;
    live = await startServer({ ...printed, database: join(liveDir, 'latchkey.db') });
    const created = await latchkey([
      'clients', 'create', '--id', 'gateway', '--name', 'API gateway', '--secret', 'gateway-secret-change-me-0123456789',
      '--grant-type', 'urn:ietf:params:oauth:grant-type:token-exchange', '-d', join(liveDir, 'latchkey.db'),
    ]);
    expect(created.code, created.stderr).toBe(0);
  });

  afterAll(async () => {
    await live?.close();
    rmSync(liveDir, { recursive: true, force: true });
  });

  it('without a policy the curl command is refused with unauthorized_client; after the printed latchkey command it works, within the server\'s cacheTtlMs', async () => {
    const token = await accessToken(live);
    expect(await curl(live, token)).toMatchObject({ error: 'unauthorized_client' });
    // The command as printed (continuation lines joined, split as a shell would), with the server's database.
    const words = sample('token-exchange-cli', 'sh').replace(/\\\n\s*/g, ' ').trim().split(/\s+/);
    expect(words.slice(0, 3)).toEqual(['latchkey', 'clients', 'update']);
    const run = await latchkey([...words.slice(1), '-d', join(liveDir, 'latchkey.db')]);
    expect(run.code, run.stderr).toBe(0);
    // A change made by another process reaches the server within cacheTtlMs (README "What a node caches").
    const answer = await withinCacheBound(live.latchkey.deps.config.cacheTtlMs, () => curl(live, token), (a) => a['error'] !== 'unauthorized_client');
    expect(answer).toMatchObject({ token_type: 'Bearer', scope: 'orders.read', issued_token_type: 'urn:ietf:params:oauth:token-type:access_token' });
  });
});
