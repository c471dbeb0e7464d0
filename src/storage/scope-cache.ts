import type { Scope } from '../core/model.ts';
import type { ScopesRepository } from '../core/repositories.ts';

/** How long the scope catalogue is served from memory; changes made by another process show within this bound. */
export const SCOPE_CACHE_TTL_MS = 2000;

/**
 * The scope catalogue, cached: every token, authorization and userinfo request checks scopes against it, and it
 * changes rarely. A change through this repository (this process: the console, start-up sync) takes effect at once;
 * one made by another process (the CLI, another node) within `ttlMs`. A failed read is not cached.
 */
export function cachedScopes(repo: ScopesRepository, ttlMs = SCOPE_CACHE_TTL_MS, now: () => number = () => performance.now()): ScopesRepository {
  let cached: { at: number; scopes: Promise<Scope[]> } | undefined;
  const invalidate = () => {
    cached = undefined;
  };
  return {
    async list() {
      if (cached === undefined || now() - cached.at >= ttlMs) {
        const entry = { at: now(), scopes: repo.list() };
        cached = entry;
        entry.scopes.catch(() => {
          if (cached === entry) cached = undefined;
        });
      }
      return [...(await cached.scopes)];
    },
    findMany: (names) => repo.findMany(names),
    async upsert(scope) {
      invalidate();
      try {
        await repo.upsert(scope);
      } finally {
        invalidate();
      }
    },
    async delete(name) {
      invalidate();
      try {
        return await repo.delete(name);
      } finally {
        invalidate();
      }
    },
  };
}
