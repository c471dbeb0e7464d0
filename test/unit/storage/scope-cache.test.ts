import { describe, expect, it } from 'vitest';
import type { Scope } from '../../../src/core/model.ts';
import type { ScopesRepository } from '../../../src/core/repositories.ts';
import { cachedScopes, SCOPE_CACHE_TTL_MS } from '../../../src/storage/scope-cache.ts';

/** A scopes repository in memory that counts its reads and can be made to fail. */
function fakeRepo(initial: Scope[]) {
  let scopes = [...initial];
  const state = { reads: 0, fail: false };
  const repo: ScopesRepository = {
    async list() {
      state.reads++;
      if (state.fail) throw new Error('database unavailable');
      return scopes.map((s) => ({ ...s }));
    },
    async findMany(names) {
      return scopes.filter((s) => names.includes(s.name));
    },
    async upsert(scope) {
      scopes = [...scopes.filter((s) => s.name !== scope.name), scope];
    },
    async delete(name) {
      const before = scopes.length;
      scopes = scopes.filter((s) => s.name !== name);
      return scopes.length < before;
    },
  };
  return { repo, state, changeBehindTheCache: (s: Scope[]) => (scopes = s) };
}

const openid: Scope = { name: 'openid', description: 'Know who you are', claims: [] };
const email: Scope = { name: 'email', description: 'Email', claims: ['email'] };

describe('the scope catalogue cache', () => {
  it('serves the catalogue from memory within the TTL, and reads it again after', async () => {
    let now = 0;
    const { repo, state, changeBehindTheCache } = fakeRepo([openid]);
    const cache = cachedScopes(repo, 2000, () => now);
    expect(await cache.list()).toEqual([openid]);
    changeBehindTheCache([openid, email]);
    now = 1999;
    expect(await cache.list()).toEqual([openid]);
    expect(state.reads).toBe(1);
    now = 2000;
    expect(await cache.list()).toEqual([openid, email]);
    expect(state.reads).toBe(2);
  });

  it('bounds the staleness of a change made by another process to a few seconds', () => {
    expect(SCOPE_CACHE_TTL_MS).toBeGreaterThan(0);
    expect(SCOPE_CACHE_TTL_MS).toBeLessThanOrEqual(5000);
  });

  it('applies a change made through it at once (upsert and delete)', async () => {
    const { repo } = fakeRepo([openid]);
    const cache = cachedScopes(repo, 60_000, () => 0);
    await cache.list();
    await cache.upsert(email);
    expect((await cache.list()).map((s) => s.name).sort()).toEqual(['email', 'openid']);
    expect(await cache.delete('openid')).toBe(true);
    expect((await cache.list()).map((s) => s.name)).toEqual(['email']);
  });

  it('does not cache a failed read: the next call tries the database again', async () => {
    const { repo, state } = fakeRepo([openid]);
    const cache = cachedScopes(repo, 60_000, () => 0);
    state.fail = true;
    await expect(cache.list()).rejects.toThrow('database unavailable');
    state.fail = false;
    expect(await cache.list()).toEqual([openid]);
    expect(state.reads).toBe(2);
  });

  it('hands each caller its own array, so one caller cannot change what the next one sees', async () => {
    const { repo } = fakeRepo([openid, email]);
    const cache = cachedScopes(repo, 60_000, () => 0);
    const first = await cache.list();
    first.pop();
    expect(await cache.list()).toHaveLength(2);
  });
});
