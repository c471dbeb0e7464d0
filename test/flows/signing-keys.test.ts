import { createPrivateKey } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { SIGNING_ALGS } from '../../src/core/keys/algorithms.ts';
import { decryptPrivateKey } from '../../src/core/keys/kek.ts';
import { GENERATED_KEK_FILE } from '../../src/core/keys/kek-source.ts';
import { buildLatchkey } from '../../src/main.ts';
import { createTestDatabase, postgresUrl, skipNote } from '../support/pg-url.ts';
import { startServer, testConfig, type TestServer } from '../support/server.ts';

/** Signing keys over HTTP (issue 11 "Keys"): the JWKS, signatures checked by an independent library, the KEK. */

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

let servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers) await s.close();
  servers = [];
});

async function start(...args: Parameters<typeof startServer>): Promise<TestServer> {
  const server = await startServer(...args);
  servers.push(server);
  return server;
}

const databaseFile = (server: TestServer) => server.latchkey.deps.config.database;

describe('the JWKS (RFC 7517 §5, RFC 8414 §2 jwks_uri)', () => {
  it('publishes one key per algorithm with kid, kty, use "sig" and alg, and only public members', async () => {
    const server = await start();
    const res = await fetch(`${server.url}/.well-known/jwks.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/jwk-set\+json/);
    const { keys } = (await res.json()) as { keys: Record<string, string>[] };
    expect(keys.map((k) => k['alg']).sort()).toEqual([...SIGNING_ALGS].sort());
    for (const k of keys) {
      expect(k).toMatchObject({ use: 'sig', kid: expect.any(String), kty: expect.any(String) });
      for (const member of PRIVATE_MEMBERS) expect(k).not.toHaveProperty(member);
    }
    expect(keys.find((k) => k['alg'] === 'RS256')).toMatchObject({ kty: 'RSA', e: 'AQAB' });
    expect(keys.find((k) => k['alg'] === 'ES256')).toMatchObject({ kty: 'EC', crv: 'P-256' });
    expect(keys.find((k) => k['alg'] === 'EdDSA')).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
    // RFC 7518 §3.3: RSA keys of 2048 bits or more.
    expect(Buffer.from(keys.find((k) => k['alg'] === 'RS256')?.['n'] ?? '', 'base64url').length * 8).toBe(2048);
  });

  it('is cacheable for keys.jwksMaxAgeSeconds, and the RFC 8414 metadata names it as jwks_uri', async () => {
    const server = await start({ keys: { jwksMaxAgeSeconds: 120 } });
    const res = await fetch(`${server.url}/.well-known/jwks.json`);
    expect(res.headers.get('cache-control')).toBe('public, max-age=120');
    const metadata = (await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, string>;
    expect(metadata['jwks_uri']).toBe(`${server.url}/.well-known/jwks.json`);
  });

  it('serves the JWKS at paths.jwks when configured', async () => {
    const server = await start({ paths: { jwks: '/oauth2/keys' } });
    expect((await fetch(`${server.url}/oauth2/keys`)).status).toBe(200);
    const metadata = (await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, string>;
    expect(metadata['jwks_uri']).toBe(`${server.url}/oauth2/keys`);
  });
});

describe('signing (RFC 7515 compact JWS)', () => {
  it('signs with every algorithm a JWT that jose validates against the served JWKS, with header {alg, kid, typ}', async () => {
    const server = await start();
    const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
    const now = Math.floor(Date.now() / 1000);
    for (const alg of SIGNING_ALGS) {
      const jwt = await server.latchkey.deps.keys.keyring.sign({ iss: server.url, sub: 'alice', aud: 'web-app', iat: now, exp: now + 60 }, { alg, typ: 'JWT' });
      const { payload, protectedHeader } = await jwtVerify(jwt, jwks, { issuer: server.url, audience: 'web-app', algorithms: [alg] });
      expect(payload.sub).toBe('alice');
      expect(protectedHeader).toEqual({ alg, kid: await server.latchkey.deps.keys.keyring.currentKid(alg), typ: 'JWT' });
    }
  });

  it('signs with RS256 when no algorithm is named (OpenID Connect Core §3.1.3.7), with the given typ', async () => {
    const server = await start();
    const jwt = await server.latchkey.deps.keys.keyring.sign({ sub: 'alice' }, { typ: 'logout+jwt' });
    expect(decodeProtectedHeader(jwt)).toMatchObject({ alg: 'RS256', typ: 'logout+jwt' });
  });

  it('refuses a signature made with a key the JWKS does not publish (jose fails with no matching key)', async () => {
    const server = await start();
    const other = await start();
    const jwt = await other.latchkey.deps.keys.keyring.sign({ sub: 'alice' }, { alg: 'ES256' });
    const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
    await expect(jwtVerify(jwt, jwks)).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
  });
});

describe('the key-encryption key', () => {
  it('is generated beside the SQLite database with mode 0600 on first start and reused after a restart (same kids)', async () => {
    const server = await start();
    const path = join(dirname(databaseFile(server)), GENERATED_KEK_FILE);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const before = (await server.latchkey.deps.keys.list()).map((k) => k.kid);
    await server.latchkey.close();
    const again = await buildLatchkey(server.latchkey.deps.config);
    try {
      expect((await again.deps.keys.list()).map((k) => k.kid)).toEqual(before);
      expect(await again.deps.keys.keyring.sign({ sub: 'x' }, { alg: 'EdDSA' })).toMatch(/^ey/);
    } finally {
      await again.close();
    }
    servers = servers.filter((s) => s !== server);
  });

  it('encrypts the private keys at rest: the stored column opens only with the KEK and only under its own kid', async () => {
    const server = await start();
    const kek = Buffer.from(readFileSync(join(dirname(databaseFile(server)), GENERATED_KEK_FILE), 'utf8').trim(), 'hex');
    const rows = await server.latchkey.storage.repos.signingKeys.list();
    const [a, b] = rows;
    if (!a || !b) throw new Error('expected keys');
    expect(a.encryptedPrivateKey).not.toContain('PRIVATE KEY');
    expect(decryptPrivateKey(a.encryptedPrivateKey, a.kid, kek).asymmetricKeyType).toBeDefined();
    expect(() => decryptPrivateKey(a.encryptedPrivateKey, a.kid, Buffer.alloc(32, 1))).toThrow(/cannot be decrypted/);
    // The kid is the additional authenticated data: a ciphertext moved to another row does not open.
    expect(() => decryptPrivateKey(a.encryptedPrivateKey, b.kid, kek)).toThrow(/cannot be decrypted/);
  });

  it('stops start-up with a message naming where the KEK came from and how to give the right one when it cannot decrypt the stored keys', async () => {
    const server = await start({ keys: { keyEncryptionKey: 'ab'.repeat(32) } });
    const config = server.latchkey.deps.config;
    await server.latchkey.close();
    servers = servers.filter((s) => s !== server);
    const wrong = { ...config, keys: { ...config.keys, keyEncryptionKey: 'cd'.repeat(32) } };
    const failure = buildLatchkey(wrong);
    await expect(failure).rejects.toMatchObject({ name: 'KekSourceError' });
    await expect(failure).rejects.toThrow(/LATCHKEY_KEY_ENCRYPTION_KEY \(keys\.keyEncryptionKey\) cannot decrypt the stored signing keys .*keys\.keyEncryptionKeyFile/);
  });

  it('refuses a KEK that is not 32 bytes, naming the variable and never echoing the value', async () => {
    const config = parseConfig({ ...testConfig({ keys: { keyEncryptionKey: 'too-short-secret-value' } }), database: ':memory:' });
    const failure = buildLatchkey(config);
    await expect(failure).rejects.toThrow(/LATCHKEY_KEY_ENCRYPTION_KEY .*must be 32 bytes/);
    await expect(failure).rejects.not.toThrow(/too-short-secret-value/);
  });

  it('logs at debug level where the KEK came from, never the KEK or a private key member', async () => {
    let logText = '';
    const logStream = new PassThrough();
    logStream.on('data', (chunk: Buffer) => (logText += chunk.toString('utf8')));
    const server = await start({ logLevel: 'debug' }, { logStream });
    for (const alg of SIGNING_ALGS) await server.latchkey.deps.keys.keyring.sign({ sub: 'alice' }, { alg });
    await server.latchkey.deps.keys.rotate('ES256', true);
    await server.latchkey.janitor.runOnce();
    const path = join(dirname(databaseFile(server)), GENERATED_KEK_FILE);
    const kekHex = readFileSync(path, 'utf8').trim();
    expect(logText).toContain(path);
    expect(logText).toContain('kek_generated');
    const secrets = [kekHex, Buffer.from(kekHex, 'hex').toString('base64url')];
    for (const row of await server.latchkey.storage.repos.signingKeys.list()) {
      secrets.push(row.encryptedPrivateKey);
      const jwk = createPrivateKey({ key: decryptPrivateKey(row.encryptedPrivateKey, row.kid, Buffer.from(kekHex, 'hex')).export({ format: 'der', type: 'pkcs8' }), format: 'der', type: 'pkcs8' }).export({ format: 'jwk' });
      for (const member of PRIVATE_MEMBERS) {
        const value = (jwk as Record<string, unknown>)[member];
        if (typeof value === 'string') secrets.push(value);
      }
    }
    expect(secrets.length).toBeGreaterThan(6);
    for (const s of secrets) expect(logText).not.toContain(s);
  });
});

describe.skipIf(!postgresUrl())(`the key-encryption key on PostgreSQL${skipNote()}`, () => {
  const pgConfig = async (keys: Record<string, string> = {}) =>
    parseConfig({ ...testConfig({ keys }), database: await createTestDatabase('lk_keys'), host: '127.0.0.1', port: 0, issuer: 'http://127.0.0.1' });

  it('stops start-up without one, naming both ways to give it (every node must share it)', async () => {
    await expect(buildLatchkey(await pgConfig())).rejects.toThrow(/PostgreSQL must share one.*LATCHKEY_KEY_ENCRYPTION_KEY.*keys\.keyEncryptionKeyFile/);
  });

  it('starts with LATCHKEY_KEY_ENCRYPTION_KEY and signs what jose validates against its JWKS', async () => {
    const latchkey = await buildLatchkey(await pgConfig({ keyEncryptionKey: Buffer.alloc(32, 4).toString('base64url') }));
    try {
      const jwt = await latchkey.deps.keys.keyring.sign({ sub: 'alice' }, { alg: 'EdDSA' });
      const jwks = (await latchkey.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json() as JSONWebKeySet;
      const { payload } = await jwtVerify(jwt, createLocalJWKSet(jwks));
      expect(payload.sub).toBe('alice');
    } finally {
      await latchkey.close();
    }
  });
});
