import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latchkey } from '../support/cli.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { assertion, clientCredentials } from '../flows/client-auth/support.ts';

/**
 * `latchkey clients create --auth-method client_secret_jwt` and `rotate-secret` (RFC 7523 §2.2, OpenID Connect Core
 * §9), run as the real bin against a database a running server then uses: the printed secret keys the HMAC.
 */

let dir: string;
let db: string;
let server: TestServer | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-cli-csjwt-'));
  db = join(dir, 'latchkey.db');
  expect((await latchkey(['migrate', '-d', db])).code).toBe(0);
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const hmac = (secret: string) => ({ privateKey: new TextEncoder().encode(secret), alg: 'HS256' });

describe('latchkey clients with client_secret_jwt', () => {
  it('creates one that prints its secret once; the server verifies HMAC assertions keyed by it, and by the rotated one', async () => {
    const run = await latchkey(['clients', 'create', '--id', 'hmac-cli', '--name', 'HMAC CLI', '--grant-type', 'client_credentials', '--auth-method', 'client_secret_jwt', '--json', '-d', db]);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as { tokenEndpointAuthMethod: string; clientSecret: string };
    expect(out.tokenEndpointAuthMethod).toBe('client_secret_jwt');
    expect(out.clientSecret).toMatch(/^lk_cs_/);

    // The KEK generated beside the database (keys/kek-source.ts) is the one the CLI encrypted the secret with. A long
    // client cache: the server holds the client when the CLI (another process) rotates its secret.
    server = await startServer({ database: db, cacheTtlMs: 60_000 });
    expect((await clientCredentials(server, await assertion(hmac(out.clientSecret), 'hmac-cli', server.url))).status).toBe(200);

    const rotated = await latchkey(['clients', 'rotate-secret', 'hmac-cli', '--json', '-d', db]);
    expect(rotated.code, rotated.stderr).toBe(0);
    const next = (JSON.parse(rotated.stdout) as { clientSecret: string }).clientSecret;
    // The new secret works at once: a failed MAC re-reads the client past the cache (the old one works on a node that
    // cached the client until its cache entry expires, as for Basic; the admin API test shows it refused at once).
    expect((await clientCredentials(server, await assertion(hmac(next), 'hmac-cli', server.url))).status).toBe(200);
  });

  it('refuses client_secret_jwt for a public client, naming the flag', async () => {
    const run = await latchkey(['clients', 'create', '--name', 'X', '--public', '--redirect-uri', 'https://x.example/cb', '--auth-method', 'client_secret_jwt', '-d', db]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/--auth-method.*confidential/);
  });

  it('refuses making a client_secret_jwt client public (the method was chosen at creation), naming the flag', async () => {
    const run = await latchkey(['clients', 'update', 'hmac-cli', '--public', '--grant-type', 'authorization_code', '--redirect-uri', 'https://x.example/cb', '-d', db]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/--auth-method.*confidential/);
  });
});
