import type { ResourcesRepository } from '../core/repositories.ts';
import { listCache } from './list-cache.ts';

/**
 * The resources (APIs), cached as one list (there are few): every token request that names a resource, and every
 * code exchange or refresh deciding whether a JWT must be signed first (core/resources/prepare.ts), reads them. As
 * the scope cache (scope-cache.ts): a change through this repository takes effect at once, one made by another
 * process (the CLI, another node) within `ttlMs`; a failed read is not cached.
 */
export function cachedResources(repo: ResourcesRepository, ttlMs: number, now: () => number = () => performance.now()): ResourcesRepository {
  const cache = listCache(() => repo.list(), ttlMs, now);
  return {
    findById: async (id) => (await cache.all()).find((r) => r.id === id),
    list: async () => [...(await cache.all())],
    create: (r, at) => cache.changing(() => repo.create(r, at)),
    update: (id, patch, at) => cache.changing(() => repo.update(id, patch, at)),
    delete: (id, at) => cache.changing(() => repo.delete(id, at)),
  };
}
