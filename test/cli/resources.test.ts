import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { buildLatchkey, type Latchkey } from '../../src/main.ts';
import { postToken, WEB_APP_BASIC } from '../support/flow-helpers.ts';
import { latchkey as runBin } from '../support/cli.ts';
import { testConfig } from '../support/server.ts';

/**
 * `latchkey resources create|list|show|update|delete`, run as the real bin against the SQLite file of a server running
 * in this process (cacheTtlMs 0, so each change shows at once); the README's commands, checked over HTTP.
 */

let dir: string;
let db: string;
let url: string;
let server: Latchkey;

/** The bin against this test's database. */
const latchkey = (args: readonly string[]) => runBin([...args, '-d', db]);

async function okJson<T>(args: readonly string[]): Promise<T> {
  const run = await latchkey([...args, '--json']);
  expect(run, `latchkey ${args.join(' ')}`).toMatchObject({ code: 0 });
  return JSON.parse(run.stdout) as T;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-cli-resources-'));
  db = join(dir, 'latchkey.db');
  server = await buildLatchkey(parseConfig({ ...testConfig({ cacheTtlMs: 0 }), database: db, port: 0, host: '127.0.0.1', issuer: 'http://127.0.0.1' }));
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  const address = server.app.server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('latchkey resources', () => {
  it('create registers a JWT API with its scopes (the README command); the token endpoint then issues JWTs for it', async () => {
    const run = await latchkey(['resources', 'create', 'https://notes.example/api', '--name', 'Notes API', '--scope', 'notes.read', '--scope', 'notes.write', '--format', 'jwt']);
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toContain('Created resource "https://notes.example/api"');
    const res = await postToken({ url }, { grant_type: 'client_credentials', resource: 'https://notes.example/api' }, { authorization: WEB_APP_BASIC });
    const tokens = (await res.json()) as { access_token: string; scope: string; expires_in: number };
    expect(tokens.scope).toBe('notes.read notes.write');
    expect(tokens.expires_in).toBe(300);
    // The server's issuer is http://127.0.0.1 (no port), so the metadata is written here rather than discovered.
    const as: oauth.AuthorizationServer = { issuer: 'http://127.0.0.1', jwks_uri: `${url}/.well-known/jwks.json` };
    const request = new Request('https://notes.example/api', { headers: { authorization: `Bearer ${tokens.access_token}` } });
    const claims = await oauth.validateJwtAccessToken(as, request, 'https://notes.example/api', { [oauth.allowInsecureRequests]: true });
    expect(claims.sub).toBe('web-app');
  });

  it('runs the README\'s commands: an introspection client, then a JWT API with two scopes naming it', async () => {
    const client = await latchkey(['clients', 'create', '--name', 'Orders API', '--id', 'orders-api', '--grant-type', 'client_credentials']);
    expect(client).toMatchObject({ code: 0 });
    const created = await latchkey(['resources', 'create', 'https://orders.example.com/', '--name', 'Orders API', '--scope', 'orders.read', '--scope', 'orders.write', '--format', 'jwt', '--introspection-client', 'orders-api']);
    expect(created).toMatchObject({ code: 0 });
    const shown = await okJson<{ scopes: string[]; introspectionClientId: string }>(['resources', 'show', 'https://orders.example.com/']);
    expect(shown).toMatchObject({ scopes: ['orders.read', 'orders.write'], introspectionClientId: 'orders-api' });
    expect((await latchkey(['resources', 'delete', 'https://orders.example.com/'])).code).toBe(0);
  });

  it('list and show print the resource, as a table and as JSON', async () => {
    const list = await latchkey(['resources', 'list']);
    expect(list.stdout).toMatch(/^IDENTIFIER\s+NAME\s+FORMAT\s+SCOPES/);
    expect(list.stdout).toContain('https://notes.example/api');
    const shown = await okJson<{ id: string; accessTokenFormat: string; scopes: string[] }>(['resources', 'show', 'https://notes.example/api']);
    expect(shown).toMatchObject({ id: 'https://notes.example/api', accessTokenFormat: 'jwt', scopes: ['notes.read', 'notes.write'] });
  });

  it('update changes only the options given; --ttl none clears the lifetime', async () => {
    const updated = await okJson<{ accessTokenTtl: number | null; name: string; introspectionClientId: string | null }>(['resources', 'update', 'https://notes.example/api', '--ttl', '120', '--introspection-client', 'web-app']);
    expect(updated).toMatchObject({ accessTokenTtl: 120, name: 'Notes API', introspectionClientId: 'web-app' });
    const cleared = await okJson<{ accessTokenTtl: number | null }>(['resources', 'update', 'https://notes.example/api', '--ttl', 'none']);
    expect(cleared.accessTokenTtl).toBeNull();
  });

  it('--dpop-required makes the API accept only DPoP-bound tokens (RFC 9449 §7.2): the token endpoint refuses a bearer token for it; --no-dpop-required clears it', async () => {
    const api = 'https://vault.example/api';
    const bearerFor = () => postToken({ url }, { grant_type: 'client_credentials', resource: api }, { authorization: WEB_APP_BASIC });
    const created = await latchkey(['resources', 'create', api, '--name', 'Vault', '--scope', 'vault.read', '--dpop-required']);
    expect(created).toMatchObject({ code: 0 });
    expect(created.stdout).toMatch(/DPoP:\s+required/);
    expect(await okJson<{ dpopBoundAccessTokensRequired: boolean }>(['resources', 'show', api])).toMatchObject({ dpopBoundAccessTokensRequired: true });
    const refused = await bearerFor();
    expect({ status: refused.status, error: ((await refused.json()) as { error: string }).error }).toEqual({ status: 400, error: 'invalid_dpop_proof' });
    // Another option alone leaves it as it was.
    expect(await okJson<{ dpopBoundAccessTokensRequired: boolean }>(['resources', 'update', api, '--ttl', '60'])).toMatchObject({ dpopBoundAccessTokensRequired: true });
    expect(await okJson<{ dpopBoundAccessTokensRequired: boolean }>(['resources', 'update', api, '--no-dpop-required'])).toMatchObject({ dpopBoundAccessTokensRequired: false });
    expect((await bearerFor()).status).toBe(200);
    expect((await latchkey(['resources', 'delete', api])).code).toBe(0);
  });

  it('refuses a fragment in the identifier (RFC 8707 §2), a scope another resource has, and an unknown format, naming the argument; exit code 1', async () => {
    const fragment = await latchkey(['resources', 'create', 'https://x.example/#f', '--name', 'X']);
    expect(fragment.code).toBe(1);
    expect(fragment.stderr).toMatch(/<identifier>.*fragment/);
    const shared = await latchkey(['resources', 'create', 'https://x.example/', '--name', 'X', '--scope', 'notes.read']);
    expect(shared.code).toBe(1);
    expect(shared.stderr).toMatch(/--scope.*at most one resource/);
    const format = await latchkey(['resources', 'create', 'https://x.example/', '--name', 'X', '--format', 'paseto']);
    expect(format.code).toBe(1);
    expect(format.stderr).toContain('--format');
  });

  it('delete removes it and revokes its tokens; show and delete of an unknown one fail with not found', async () => {
    const deleted = await okJson<{ deleted: string; revokedTokens: number }>(['resources', 'delete', 'https://notes.example/api']);
    expect(deleted).toEqual({ deleted: 'https://notes.example/api', revokedTokens: 1 });
    const missing = await latchkey(['resources', 'show', 'https://notes.example/api']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('not found');
  });
});
