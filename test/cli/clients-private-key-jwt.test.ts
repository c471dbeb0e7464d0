import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latchkey } from '../support/cli.ts';

/** `latchkey clients create|update` for private_key_jwt clients (RFC 7523 §2.2), run as the real bin. */

const PUBLIC_JWK = { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', kid: 'k1' };

let dir: string;
let db: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-cli-pkjwt-'));
  db = join(dir, 'latchkey.db');
  expect((await latchkey(['migrate', '-d', db])).code).toBe(0);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('latchkey clients with private_key_jwt', () => {
  it('creates a client with keys from a file: no secret is made, the method and keys are shown', async () => {
    const file = join(dir, 'keys.json');
    writeFileSync(file, JSON.stringify({ keys: [PUBLIC_JWK] }));
    const run = await latchkey(['clients', 'create', '--id', 'svc', '--name', 'Service', '--grant-type', 'client_credentials', '--auth-method', 'private_key_jwt', '--jwks', `@${file}`, '--auth-signing-alg', 'ES256', '--json', '-d', db]);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({ tokenEndpointAuthMethod: 'private_key_jwt', tokenEndpointAuthSigningAlg: 'ES256', jwks: { keys: [PUBLIC_JWK] }, jwksUri: null });
    expect(out['clientSecret']).toBeUndefined();
  });

  it('moves a client to a jwks_uri on update, and shows it in the text view', async () => {
    const run = await latchkey(['clients', 'update', 'svc', '--jwks', 'none', '--jwks-uri', 'https://svc.example/jwks.json', '--auth-signing-alg', 'default', '-d', db]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/client auth:\s+private_key_jwt/);
    expect(run.stdout).toContain('https://svc.example/jwks.json');
  });

  it('refuses a private key, an http jwks_uri, and keys for a secret client, naming the flag', async () => {
    const create = (...args: string[]) => latchkey(['clients', 'create', '--name', 'X', '--grant-type', 'client_credentials', ...args, '-d', db]);
    const priv = await create('--auth-method', 'private_key_jwt', '--jwks', JSON.stringify({ keys: [{ ...PUBLIC_JWK, d: 'secret-part' }] }));
    expect(priv.stderr).toMatch(/--jwks.*private key/);
    const http = await create('--auth-method', 'private_key_jwt', '--jwks-uri', 'http://svc.example/jwks.json');
    expect(http.stderr).toMatch(/--jwks-uri.*https/);
    const secretWithKeys = await create('--jwks', JSON.stringify({ keys: [PUBLIC_JWK] }));
    expect(secretWithKeys.stderr).toMatch(/--jwks.*private_key_jwt/);
    const bad = await create('--auth-method', 'private_key_jwt', '--jwks', '{not json');
    expect(bad.stderr).toMatch(/--jwks/);
  });
});
