import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { buildLatchkey, type Latchkey } from '../../src/main.ts';
import { latchkey as runBin } from '../support/cli.ts';
import { testConfig } from '../support/server.ts';

/**
 * `latchkey keys list|rotate|retire`, run as the real bin against the SQLite file of a server running in this process
 * (read with cacheTtlMs 0, so each change shows at once), checked over HTTP in the JWKS.
 */

/** The bin against this test's database. */
const latchkey = (args: readonly string[], env: Record<string, string> = {}) => runBin([...args, '-d', db], { env });

interface KeyJson {
  kid: string;
  alg: string;
  state: string;
  activatesAt: string;
  expiresAt: string | null;
}

async function okJson<T>(args: readonly string[]): Promise<T> {
  const run = await latchkey([...args, '--json']);
  expect(run, `latchkey ${args.join(' ')}`).toMatchObject({ code: 0 });
  return JSON.parse(run.stdout) as T;
}

let dir: string;
let db: string;
let url: string;
let server: Latchkey;

const publishedKids = async () => ((await (await fetch(`${url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-cli-keys-'));
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

describe('latchkey keys', () => {
  it('list shows one active key per algorithm, as a table and as JSON with ISO times', async () => {
    const keys = await okJson<KeyJson[]>(['keys', 'list']);
    expect(keys.map((k) => [k.alg, k.state]).sort()).toEqual([['ES256', 'active'], ['EdDSA', 'active'], ['RS256', 'active']]);
    expect(keys[0]?.activatesAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    const human = await latchkey(['keys', 'list']);
    expect(human.stdout).toMatch(/^KID\s+ALG\s+STATE/);
    expect(human.stdout).not.toContain('encryptedPrivateKey');
  });

  it('rotate --alg publishes a next key at once that does not sign yet; --now signs with a new one at once', async () => {
    const before = await server.deps.keys.keyring.currentKid('ES256');
    const { created } = await okJson<{ created: KeyJson[] }>(['keys', 'rotate', '--alg', 'ES256']);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ alg: 'ES256', state: 'next' });
    expect(await publishedKids()).toContain(created[0]?.kid);
    expect(await server.deps.keys.keyring.currentKid('ES256')).toBe(before);

    const urgent = await okJson<{ created: KeyJson[] }>(['keys', 'rotate', '--alg', 'ES256', '--now']);
    expect(urgent.created[0]?.state).toBe('active');
    expect(await server.deps.keys.keyring.currentKid('ES256')).toBe(urgent.created[0]?.kid);
    // The replaced key signed: it stays published for its tokens; the pending one never signed and left.
    expect(await publishedKids()).toContain(before);
    expect(await publishedKids()).not.toContain(created[0]?.kid);
  });

  it('retire stops the active key signing, a fresh key replaces it, and it stays published; --unpublish removes it', async () => {
    const old = await server.deps.keys.keyring.currentKid('RS256');
    const result = await okJson<{ retired: KeyJson; replacement: KeyJson }>(['keys', 'retire', old]);
    expect(result.retired).toMatchObject({ kid: old, state: 'retired' });
    expect(result.replacement).toMatchObject({ alg: 'RS256', state: 'active' });
    expect(await server.deps.keys.keyring.currentKid('RS256')).toBe(result.replacement.kid);
    expect(await publishedKids()).toContain(old);

    const again = await okJson<{ retired: KeyJson; replacement: KeyJson | null }>(['keys', 'retire', old, '--unpublish']);
    expect(again).toMatchObject({ retired: { state: 'expired' }, replacement: null });
    expect(await publishedKids()).not.toContain(old);
  });

  it('latchkey janitor deletes the keys no longer published, and reports how many', async () => {
    const unpublished = (await server.deps.keys.list()).filter((k) => k.state === 'expired').map((k) => k.kid);
    expect(unpublished.length).toBeGreaterThan(0);
    const report = await okJson<{ removed: Record<string, number> }>(['janitor']);
    expect(report.removed['signingKeys']).toBe(unpublished.length);
    const left = (await server.storage.repos.signingKeys.list()).map((k) => k.kid);
    for (const kid of unpublished) expect(left).not.toContain(kid);
  });

  it('refuses an unknown algorithm and an unknown kid with exit code 1 and a message', async () => {
    const alg = await latchkey(['keys', 'rotate', '--alg', 'HS256']);
    expect(alg).toMatchObject({ code: 1, stdout: '' });
    expect(alg.stderr).toBe('latchkey: --alg "HS256": one of RS256, ES256, EdDSA\n');
    const kid = await latchkey(['keys', 'retire', 'no-such-kid']);
    expect(kid).toMatchObject({ code: 1, stderr: 'latchkey: signing key "no-such-kid" not found\n' });
  });

  it('refuses to rotate under a key-encryption key that cannot open the stored keys, and writes nothing', async () => {
    const before = (await server.storage.repos.signingKeys.list()).length;
    const run = await latchkey(['keys', 'rotate'], { LATCHKEY_KEY_ENCRYPTION_KEY: 'ee'.repeat(32) });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^latchkey: signing key \S+: cannot be decrypted with this key-encryption key: give the key-encryption key the server uses/);
    expect(run.stderr).not.toContain('ee'.repeat(32));
    expect(await server.storage.repos.signingKeys.list()).toHaveLength(before);
  });
});

describe('latchkey keys rotate on a database no server has started on', () => {
  it('creates keys that sign at once, since no key signs yet', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'latchkey-cli-keys-empty-'));
    const saved = db;
    db = join(empty, 'latchkey.db');
    try {
      const { created } = await okJson<{ created: KeyJson[] }>(['keys', 'rotate', '--alg', 'RS256']);
      expect(created.map((k) => [k.alg, k.state])).toEqual([['RS256', 'active']]);
    } finally {
      db = saved;
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
