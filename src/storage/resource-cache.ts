import type { Resource } from '../core/model.ts';
import type { ResourcesRepository } from '../core/repositories.ts';

/**
 * The resources (APIs), cached as one list (there are few): every token request that names a resource, and every
 * code exchange or refresh deciding whether a JWT must be signed first (core/resources/prepare.ts), reads them. As
 * the scope cache (scope-cache.ts): a change through this repository takes effect at once, one made by another
 * process (the CLI, another node) within `ttlMs`; a failed read is not cached.
 */
export function cachedResources(repo: ResourcesRepository, ttlMs: number, now: () => number = () => performance.now()): ResourcesRepository {
  let cached: { at: number; list: Promise<Resource[]> } | undefined;
  const invalidate = () => {
    cached = undefined;
  };
  const all = (): Promise<Resource[]> => {
    if (cached === undefined || now() - cached.at >= ttlMs) {
      const entry = { at: now(), list: repo.list() };
      cached = entry;
      entry.list.catch(() => {
        if (cached === entry) cached = undefined;
      });
    }
    return cached.list;
  };
  const changing = async <T>(fn: () => Promise<T>): Promise<T> => {
    invalidate();
    try {
      return await fn();
    } finally {
      invalidate();
    }
  };
  return {
    findById: async (id) => (await all()).find((r) => r.id === id),
    list: async () => [...(await all())],
    create: (r, at) => changing(() => repo.create(r, at)),
    update: (id, patch, at) => changing(() => repo.update(id, patch, at)),
    delete: (id, at) => changing(() => repo.delete(id, at)),
  };
}
