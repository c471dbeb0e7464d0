import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../../src/core/clock.ts';
import { KeyDecryptionError } from '../../../../src/core/keys/kek.ts';
import { createKeyring } from '../../../../src/core/keys/keyring.ts';
import type { SigningKey, SigningKeysStore } from '../../../../src/core/keys/port.ts';
import { ensureKeys, rotateKey } from '../../../../src/core/keys/rotation.ts';

/** The keyring's cache: keys re-read at most every cacheTtlMs, states decided from the clock at each call. */

const settings = { rotateAfterSeconds: 0, publishAheadSeconds: 600, retainSeconds: 3660 };

function memoryStore() {
  const rows: SigningKey[] = [];
  let reads = 0;
  const store: SigningKeysStore = {
    list: async () => {
      reads++;
      return rows.map((r) => ({ ...r }));
    },
    create: async (k) => void rows.push({ ...k }),
    setRetirement: async (kid, retiredAt, expiresAt) => {
      const row = rows.find((r) => r.kid === kid);
      if (row) Object.assign(row, { retiredAt, expiresAt });
      return row !== undefined;
    },
    deleteExpired: async () => 0,
  };
  return { store, reads: () => reads };
}

describe('keyring', () => {
  it('reads the keys once per cacheTtlMs, so a rotation made by another node shows within that bound', async () => {
    const { store, reads } = memoryStore();
    const kek = Buffer.alloc(32, 5);
    const clock = new FakeClock();
    let ms = 0;
    await ensureKeys(store, kek, clock.now(), settings);
    const keyring = createKeyring({ store, kek, clock, cacheTtlMs: 2000, nowMs: () => ms });
    const first = await keyring.currentKid('ES256');
    for (let i = 0; i < 50; i++) await keyring.sign({ i }, { alg: 'ES256' });
    expect(reads()).toBe(2);

    // Another node rotates with --now: this node signs with the old key until its cache ends, then with the new one.
    const { created } = await rotateKey(store, kek, clock.now(), settings, 'ES256', true);
    ms += 1999;
    expect(await keyring.currentKid('ES256')).toBe(first);
    ms += 1;
    expect(await keyring.currentKid('ES256')).toBe(created[0]?.kid);
    expect((await keyring.jwks()).keys.map((k) => k.kid)).toContain(created[0]?.kid);
  });

  it('switches to a next key at its activation time from the clock alone, without reading the keys again', async () => {
    const { store, reads } = memoryStore();
    const kek = Buffer.alloc(32, 5);
    const clock = new FakeClock();
    await ensureKeys(store, kek, clock.now(), settings);
    const { created } = await rotateKey(store, kek, clock.now(), settings, 'RS256', false);
    const keyring = createKeyring({ store, kek, clock, cacheTtlMs: 60_000, nowMs: () => 0 });
    await keyring.reload();
    const before = reads();
    clock.advance(599);
    expect(await keyring.currentKid('RS256')).not.toBe(created[0]?.kid);
    clock.advance(1);
    expect(await keyring.currentKid('RS256')).toBe(created[0]?.kid);
    expect(reads()).toBe(before);
  });

  it('fails to load with KeyDecryptionError under another KEK, naming the kid only', async () => {
    const { store } = memoryStore();
    const clock = new FakeClock();
    await ensureKeys(store, Buffer.alloc(32, 5), clock.now(), settings);
    const keyring = createKeyring({ store, kek: Buffer.alloc(32, 6), clock, cacheTtlMs: 0 });
    await expect(keyring.reload()).rejects.toBeInstanceOf(KeyDecryptionError);
    await expect(keyring.reload()).rejects.toThrow(/^signing key \S+: cannot be decrypted with this key-encryption key$/);
  });
});
