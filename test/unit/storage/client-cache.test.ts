import { describe, expect, it } from 'vitest';
import type { Client } from '../../../src/core/model.ts';
import type { ClientsRepository } from '../../../src/core/repositories.ts';
import { newClient } from '../../support/fixtures.ts';
import { cachedClients, CLIENT_CACHE_TTL_MS } from '../../../src/storage/client-cache.ts';

const base = newClient({ id: 'app', name: 'App', secretHash: 'old-hash', scopes: ['api'] });

/** A clients repository in memory that counts its reads, can be made to fail, and can be changed behind the cache. */
function fakeRepo() {
  const rows = new Map<string, Client>();
  const state = { reads: 0, fail: false, pause: undefined as Promise<void> | undefined };
  const repo: ClientsRepository = {
    async findById(id) {
      state.reads++;
      if (state.pause) await state.pause;
      if (state.fail) throw new Error('database unavailable');
      const row = rows.get(id);
      return row && structuredClone(row);
    },
    list: async () => [...rows.values()],
    count: async () => rows.size,
    countByOrigin: async (origin) => [...rows.values()].filter((c) => c.origin === origin).length,
    async create(c, now) {
      const row = { ...c, createdAt: now, updatedAt: now };
      rows.set(c.id, row);
      return row;
    },
    async update(id, patch, now) {
      const row = rows.get(id);
      if (!row) return undefined;
      const next = { ...row, ...patch, updatedAt: now };
      rows.set(id, next);
      return next;
    },
    async delete(id) {
      return rows.delete(id) ? 0 : undefined;
    },
  };
  const behindTheCache = (id: string, patch: Partial<Client>) => rows.set(id, { ...rows.get(id)!, ...patch });
  return { repo, state, rows, behindTheCache };
}

describe('the client cache', () => {
  it('serves a client from memory within the TTL, and reads it again after', async () => {
    let now = 0;
    const { repo, state, behindTheCache } = fakeRepo();
    await repo.create(base, 1);
    const cache = cachedClients(repo, 2000, () => now);
    expect((await cache.findById('app'))?.secretHash).toBe('old-hash');
    behindTheCache('app', { secretHash: 'rotated-elsewhere' });
    now = 1999;
    expect((await cache.findById('app'))?.secretHash).toBe('old-hash');
    expect(state.reads).toBe(1);
    now = 2000;
    expect((await cache.findById('app'))?.secretHash).toBe('rotated-elsewhere');
    expect(state.reads).toBe(2);
  });

  it('bounds the staleness of a change made by another process to a few seconds', () => {
    expect(CLIENT_CACHE_TTL_MS).toBeGreaterThan(0);
    expect(CLIENT_CACHE_TTL_MS).toBeLessThanOrEqual(5000);
  });

  it('applies a change made through it at once: a rotated secret, a deletion, a creation', async () => {
    const { repo } = fakeRepo();
    const cache = cachedClients(repo, 60_000, () => 0);
    expect(await cache.findById('app')).toBeUndefined();
    await cache.create(base, 1);
    expect((await cache.findById('app'))?.secretHash).toBe('old-hash');
    await cache.update('app', { secretHash: 'new-hash' }, 2);
    expect((await cache.findById('app'))?.secretHash).toBe('new-hash');
    expect(await cache.delete('app', 3)).toBe(0);
    expect(await cache.findById('app')).toBeUndefined();
  });

  it('does not keep what a read begun before a change returns', async () => {
    const { repo, state } = fakeRepo();
    await repo.create(base, 1);
    const cache = cachedClients(repo, 60_000, () => 0);
    let resume!: () => void;
    state.pause = new Promise((r) => (resume = r));
    const slow = cache.findById('app');
    await cache.update('app', { secretHash: 'new-hash' }, 2);
    resume();
    await slow;
    state.pause = undefined;
    expect((await cache.findById('app'))?.secretHash).toBe('new-hash');
  });

  it('reads the database when asked for a fresh client, and keeps what it read', async () => {
    const { repo, state, behindTheCache } = fakeRepo();
    await repo.create(base, 1);
    const cache = cachedClients(repo, 60_000, () => 0);
    await cache.findById('app');
    behindTheCache('app', { secretHash: 'rotated-elsewhere' });
    expect((await cache.findById('app', { fresh: true }))?.secretHash).toBe('rotated-elsewhere');
    expect((await cache.findById('app'))?.secretHash).toBe('rotated-elsewhere');
    expect(state.reads).toBe(2);
  });

  it('caches neither unknown ids nor failed reads', async () => {
    const { repo, state } = fakeRepo();
    const cache = cachedClients(repo, 60_000, () => 0);
    expect(await cache.findById('nobody')).toBeUndefined();
    expect(await cache.findById('nobody')).toBeUndefined();
    expect(state.reads).toBe(2);
    await repo.create(base, 1);
    state.fail = true;
    await expect(cache.findById('app')).rejects.toThrow('database unavailable');
    state.fail = false;
    expect((await cache.findById('app'))?.id).toBe('app');
    expect(state.reads).toBe(4);
  });

  it('holds at most maxEntries clients, dropping the longest-held first', async () => {
    const { repo, state } = fakeRepo();
    for (const id of ['a', 'b', 'c']) await repo.create({ ...base, id }, 1);
    const cache = cachedClients(repo, 60_000, () => 0, 2);
    for (const id of ['a', 'b', 'c']) await cache.findById(id);
    expect(state.reads).toBe(3);
    await cache.findById('c');
    await cache.findById('b');
    expect(state.reads).toBe(3);
    await cache.findById('a');
    expect(state.reads).toBe(4);
  });

  it('hands out frozen clients, so one caller cannot change what the next one sees', async () => {
    const { repo } = fakeRepo();
    await repo.create(base, 1);
    const cache = cachedClients(repo, 60_000, () => 0);
    const client = (await cache.findById('app'))!;
    expect(() => (client.redirectUris as string[]).push('https://evil.example/cb')).toThrow(TypeError);
    expect(() => Object.assign(client, { secretHash: 'x' })).toThrow(TypeError);
    expect((await cache.findById('app'))?.redirectUris).toEqual(['https://app.example/cb']);
  });
});
