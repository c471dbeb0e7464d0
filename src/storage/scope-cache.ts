import type { ScopesRepository } from '../core/repositories.ts';
import { listCache } from './list-cache.ts';

/** How long the scope catalogue is served from memory; changes made by another process show within this bound. */
export const SCOPE_CACHE_TTL_MS = 2000;

/**
 * The scope catalogue, cached: every token, authorization and userinfo request checks scopes against it, and it
 * changes rarely. A change through this repository (this process: the console, start-up sync) takes effect at once;
 * one made by another process (the CLI, another node) within `ttlMs`. A failed read is not cached.
 */
export function cachedScopes(repo: ScopesRepository, ttlMs = SCOPE_CACHE_TTL_MS, now: () => number = () => performance.now()): ScopesRepository {
  const cache = listCache(() => repo.list(), ttlMs, now);
  return {
    list: async () => [...(await cache.all())],
    findMany: (names) => repo.findMany(names),
    upsert: (scope) => cache.changing(() => repo.upsert(scope)),
    delete: (name) => cache.changing(() => repo.delete(name)),
  };
}
