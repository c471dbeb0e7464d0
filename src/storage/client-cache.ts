import type { Client } from '../core/model.ts';
import type { ClientsRepository } from '../core/repositories.ts';
import { SCOPE_CACHE_TTL_MS } from './scope-cache.ts';

/** How long a client is served from memory; a change made by another process shows within this bound. */
export const CLIENT_CACHE_TTL_MS = SCOPE_CACHE_TTL_MS;

/** At most this many clients are held; past it the longest-held go first. */
export const CLIENT_CACHE_ENTRIES = 10_000;

/**
 * Clients, cached by id: every token, introspection and revocation request authenticates its client, and reading the
 * client row was a tenth of the token endpoint's time under load (README, Performance). A change through this
 * repository (this process: the console, the admin API, start-up) takes effect at once; one made by another process
 * (the CLI, another node) within `ttlMs`, as for the scope catalogue. Unknown ids and failed reads are not cached, so
 * made-up client ids cannot fill the cache. Cached clients are frozen: a caller cannot change what the next one sees.
 */
export function cachedClients(
  repo: ClientsRepository,
  ttlMs = CLIENT_CACHE_TTL_MS,
  now: () => number = () => performance.now(),
  maxEntries = CLIENT_CACHE_ENTRIES,
): ClientsRepository {
  const cache = new Map<string, { at: number; client: Client }>();
  /** Bumped by every change, so that a read begun before it does not store what it read. */
  let generation = 0;
  const invalidate = (id?: string) => {
    generation++;
    if (id === undefined) cache.clear();
    else cache.delete(id);
  };
  const changing = async <T>(id: string | undefined, change: () => Promise<T>): Promise<T> => {
    invalidate(id);
    try {
      return await change();
    } finally {
      invalidate(id);
    }
  };
  return {
    async findById(id, options) {
      const hit = options?.fresh ? undefined : cache.get(id);
      if (hit && now() - hit.at < ttlMs) return hit.client;
      const before = generation;
      const at = now();
      const client = await repo.findById(id);
      if (client === undefined) {
        cache.delete(id);
        return undefined;
      }
      const frozen = freeze(client);
      if (generation === before) {
        cache.delete(id);
        if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
        cache.set(id, { at, client: frozen });
      }
      return frozen;
    },
    list: () => repo.list(),
    count: () => repo.count(),
    countByOrigin: (origin) => repo.countByOrigin(origin),
    create: (client, at) => changing(client.id, () => repo.create(client, at)),
    update: (id, patch, at) => changing(id, () => repo.update(id, patch, at)),
    delete: (id, at) => changing(id, () => repo.delete(id, at)),
  };
}

function freeze(client: Client): Client {
  for (const value of Object.values(client)) if (Array.isArray(value)) Object.freeze(value);
  return Object.freeze(client);
}
