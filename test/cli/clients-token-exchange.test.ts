import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, codeGrant, expectTokens, obtainCode, postToken, WEB_APP_BASIC } from '../support/flow-helpers.ts';
import { withinCacheBound } from '../support/cache-bound.ts';
import { latchkey as runBin } from '../support/cli.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { UserAgent } from '../support/user-agent.ts';

/**
 * `latchkey clients create|update|show` with a token exchange policy (RFC 8693 §5; Client.tokenExchange), run as the
 * real bin against the SQLite file of a server running in this process, whose token endpoint then applies it.
 */

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS = 'urn:ietf:params:oauth:token-type:access_token';
const API = 'https://orders.example/';

let dir: string;
let db: string;
let server: TestServer;

const latchkey = (args: readonly string[]) => runBin([...args, '-d', db]);

async function okJson(args: readonly string[]): Promise<Record<string, unknown>> {
  const run = await latchkey([...args, '--json']);
  expect(run, `latchkey ${args.join(' ')}`).toMatchObject({ code: 0, stderr: '' });
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

/** Expects the command to fail with `message` on stderr, and nothing changed. */
async function refused(args: readonly string[], message: string): Promise<void> {
  const run = await latchkey(args);
  expect(run.code).not.toBe(0);
  expect(run.stderr).toContain(message);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-cli-exchange-'));
  db = join(dir, 'latchkey.db');
  server = await startServer({
    database: db,
    scopes: [{ name: 'orders.read', description: 'Read your orders' }],
    resources: [{ id: API, name: 'Orders API', scopes: ['orders.read'], accessTokenFormat: 'jwt' }],
  });
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('latchkey clients with a token exchange policy', () => {
  it('create turns the policy on with the --token-exchange-* options, and show prints it', async () => {
    const created = await okJson([
      'clients', 'create', '--id', 'gw', '--name', 'Gateway', '--secret', 'gateway-secret-0123456789', '--grant-type', EXCHANGE,
      '--token-exchange-subject-types', 'access_token,jwt', '--token-exchange-resources', API, '--token-exchange-scopes', 'orders.read', '--token-exchange-impersonation',
    ]);
    expect(created['tokenExchange']).toEqual({ subjectTokenTypes: ['access_token', 'jwt'], resources: [API], scopes: ['orders.read'], impersonation: true, delegation: false, otherClientsTokens: false, refreshTokens: false });
    const shown = await latchkey(['clients', 'show', 'gw']);
    expect(shown.stdout).toMatch(/token exchange:\s+subject types access_token, jwt; impersonation; resources https:\/\/orders\.example\/; scopes orders\.read; its own tokens only/);
  });

  it('update changes only the options given; list options replace the stored list, none empties it', async () => {
    const updated = await okJson(['clients', 'update', 'gw', '--token-exchange-delegation', '--token-exchange-scopes', 'none', '--token-exchange-refresh-tokens']);
    expect(updated['tokenExchange']).toEqual({ subjectTokenTypes: ['access_token', 'jwt'], resources: [API], scopes: [], impersonation: true, delegation: true, otherClientsTokens: false, refreshTokens: true });
    expect((await latchkey(['clients', 'show', 'gw'])).stdout).toMatch(/token exchange:.*; refresh tokens too/);
    const again = await okJson(['clients', 'update', 'gw', '--no-token-exchange-delegation', '--token-exchange-subject-types', 'id_token']);
    expect(again['tokenExchange']).toMatchObject({ subjectTokenTypes: ['id_token'], delegation: false, impersonation: true, refreshTokens: true });
  });

  it('--no-token-exchange removes the policy; show says the client may not exchange', async () => {
    expect((await okJson(['clients', 'update', 'gw', '--no-token-exchange']))['tokenExchange']).toBeNull();
    expect((await latchkey(['clients', 'show', 'gw'])).stdout).toMatch(/token exchange:\s+not allowed \(no policy\)/);
  });

  it('refuses, naming the option: an unknown subject token type, no subject token type, a policy without the grant, an unknown resource, --no-token-exchange with other options', async () => {
    await refused(['clients', 'update', 'gw', '--token-exchange-subject-types', 'saml2'], '--token-exchange-subject-types "saml2": use one of access_token, refresh_token, id_token, jwt');
    await refused(['clients', 'update', 'gw', '--token-exchange-impersonation'], '--token-exchange-subject-types: give at least one of access_token, refresh_token, id_token, jwt');
    await refused(['clients', 'create', '--name', 'No grant', '--grant-type', 'client_credentials', '--token-exchange-subject-types', 'jwt'], `--grant-type: a token exchange policy needs the grant type ${EXCHANGE}`);
    await refused(['clients', 'update', 'gw', '--token-exchange-subject-types', 'jwt', '--token-exchange-resources', 'https://nowhere.example/'], '--token-exchange-resources: unknown resource https://nowhere.example/: register it first');
    await refused(['clients', 'update', 'gw', '--no-token-exchange', '--token-exchange-delegation'], '--no-token-exchange: removes the policy; drop the other --token-exchange options');
    // An update that drops the grant while a policy is on is refused too.
    await okJson(['clients', 'update', 'gw', '--token-exchange-subject-types', 'jwt']);
    await refused(['clients', 'update', 'gw', '--grant-type', 'client_credentials'], `--grant-type: a token exchange policy needs the grant type ${EXCHANGE}`);
    await okJson(['clients', 'update', 'gw', '--no-token-exchange']);
  });

  it('a policy set with the CLI takes effect at the running server\'s token endpoint within its cacheTtlMs, and --no-token-exchange gives unauthorized_client again (RFC 8693 §2.2.2)', async () => {
    const code = await obtainCode(new UserAgent(server.url), { scope: 'orders.read' });
    const subject = (await expectTokens(await postToken(server, codeGrant(code), { authorization: WEB_APP_BASIC }))).access_token;
    const exchange = async () => {
      const res = await postToken(server, { grant_type: EXCHANGE, subject_token: subject, subject_token_type: ACCESS, resource: API }, { authorization: basicAuth('gw', 'gateway-secret-0123456789') });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    // gw has the grant but no policy (the test before removed it): deny by default.
    expect(await exchange()).toMatchObject({ status: 400, body: { error: 'unauthorized_client' } });
    await okJson(['clients', 'update', 'gw', '--token-exchange-subject-types', 'access_token', '--token-exchange-resources', API, '--token-exchange-impersonation', '--token-exchange-other-clients']);
    const allowed = await withinCacheBound(server.latchkey.deps.config.cacheTtlMs, exchange, (r) => r.status === 200);
    expect(allowed.body).toMatchObject({ issued_token_type: ACCESS, scope: 'orders.read' });
    await okJson(['clients', 'update', 'gw', '--no-token-exchange']);
    const denied = await withinCacheBound(server.latchkey.deps.config.cacheTtlMs, exchange, (r) => r.status !== 200);
    expect(denied).toMatchObject({ status: 400, body: { error: 'unauthorized_client' } });
  });
});
