import { describe, expect, it } from 'vitest';
import type { Resource } from '../../../src/core/model.ts';
import type { ResourcesRepository } from '../../../src/core/repositories.ts';
import { cachedResources } from '../../../src/storage/resource-cache.ts';

/** The resource cache: one list read per ttl, dropped by any change made through it, never a failed read kept. */

const api: Resource = { id: 'https://api.example/', name: 'API', scopes: ['read'], accessTokenFormat: 'jwt', accessTokenTtl: null, introspectionClientId: null, dpopBoundAccessTokensRequired: false, createdAt: 1, updatedAt: 1 };

function counting(rows: Resource[], fail = { next: false }) {
  let reads = 0;
  const repo: ResourcesRepository = {
    findById: async (id) => rows.find((r) => r.id === id),
    list: async () => {
      reads++;
      if (fail.next) {
        fail.next = false;
        throw new Error('database down');
      }
      return [...rows];
    },
    create: async (r, at) => {
      const created = { ...r, createdAt: at, updatedAt: at };
      rows.push(created);
      return created;
    },
    update: async () => undefined,
    delete: async () => undefined,
  };
  return { repo, reads: () => reads };
}

describe('cachedResources', () => {
  it('answers list and findById from one read within the ttl, and reads again after it', async () => {
    let clock = 0;
    const { repo, reads } = counting([api]);
    const cache = cachedResources(repo, 1000, () => clock);
    expect(await cache.findById(api.id)).toEqual(api);
    expect(await cache.findById('https://other.example/')).toBeUndefined();
    expect(await cache.list()).toEqual([api]);
    expect(reads()).toBe(1);
    clock = 1000;
    await cache.list();
    expect(reads()).toBe(2);
  });

  it('sees a resource created through it at once', async () => {
    const { repo } = counting([]);
    const cache = cachedResources(repo, 60_000, () => 0);
    expect(await cache.list()).toEqual([]);
    await cache.create({ ...api }, 5);
    expect((await cache.findById(api.id))?.createdAt).toBe(5);
  });

  it('does not keep a failed read', async () => {
    const fail = { next: true };
    const { repo, reads } = counting([api], fail);
    const cache = cachedResources(repo, 60_000, () => 0);
    await expect(cache.list()).rejects.toThrow('database down');
    expect(await cache.findById(api.id)).toEqual(api);
    expect(reads()).toBe(2);
  });
});
