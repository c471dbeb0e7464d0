import { describe, expect, it } from 'vitest';
import type { TrustedIssuer, TrustedIssuersStore } from '../../../src/core/token-exchange/trusted-issuer-port.ts';
import { cachedTrustedIssuers } from '../../../src/storage/trusted-issuer-cache.ts';

/** The trusted issuer cache: one list read per ttl (cacheTtlMs), dropped by any change made through it, never a failed read kept. */

const idp: TrustedIssuer = { issuer: 'https://idp.example', name: 'IdP', jwks: null, jwksUri: 'https://idp.example/jwks', userClaim: 'sub', userBy: 'username', createdAt: 1, updatedAt: 1 };

function counting(rows: TrustedIssuer[], fail = { next: false }) {
  let reads = 0;
  const store: TrustedIssuersStore = {
    find: async (issuer) => rows.find((r) => r.issuer === issuer),
    list: async () => {
      reads++;
      if (fail.next) {
        fail.next = false;
        throw new Error('database down');
      }
      return [...rows];
    },
    create: async (t, at) => {
      const created = { ...t, createdAt: at, updatedAt: at };
      rows.push(created);
      return created;
    },
    update: async () => undefined,
    delete: async (issuer) => {
      const i = rows.findIndex((r) => r.issuer === issuer);
      if (i !== -1) rows.splice(i, 1);
      return i !== -1;
    },
  };
  return { store, reads: () => reads, rows };
}

describe('cachedTrustedIssuers', () => {
  it('answers find and list from one read within the ttl, and reads again after it: another process\'s change shows within the ttl', async () => {
    let clock = 0;
    const { store, reads, rows } = counting([idp]);
    const cache = cachedTrustedIssuers(store, 1000, () => clock);
    expect(await cache.find(idp.issuer)).toEqual(idp);
    expect(await cache.find('https://other.example')).toBeUndefined();
    expect(await cache.list()).toEqual([idp]);
    expect(reads()).toBe(1);
    // Deleted by another process (the CLI, another node): still served until the ttl ends, then gone.
    rows.splice(0, 1);
    expect(await cache.find(idp.issuer)).toEqual(idp);
    clock = 1000;
    expect(await cache.find(idp.issuer)).toBeUndefined();
    expect(reads()).toBe(2);
  });

  it('forgets an issuer deleted through it at once, and sees one created through it at once', async () => {
    const { store } = counting([idp]);
    const cache = cachedTrustedIssuers(store, 60_000, () => 0);
    expect(await cache.find(idp.issuer)).toEqual(idp);
    expect(await cache.delete(idp.issuer)).toBe(true);
    expect(await cache.find(idp.issuer)).toBeUndefined();
    await cache.create({ ...idp, issuer: 'https://new.example' }, 5);
    expect((await cache.find('https://new.example'))?.createdAt).toBe(5);
  });

  it('does not keep a failed read', async () => {
    const fail = { next: true };
    const { store, reads } = counting([idp], fail);
    const cache = cachedTrustedIssuers(store, 60_000, () => 0);
    await expect(cache.list()).rejects.toThrow('database down');
    expect(await cache.find(idp.issuer)).toEqual(idp);
    expect(reads()).toBe(2);
  });
});
