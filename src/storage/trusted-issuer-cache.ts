import type { TrustedIssuersStore } from '../core/token-exchange/trusted-issuer-port.ts';
import { listCache } from './list-cache.ts';

/**
 * The trusted issuers, cached as one list (there are few), as the resources are (resource-cache.ts): every JWT bearer
 * grant and every exchange of a `jwt` subject reads them. A change through this store takes effect at once on this
 * process; one made by another (the CLI, another node) within `ttlMs`, the bound of every cached stored setting
 * (`cacheTtlMs`). So a deleted issuer is refused at once where it was deleted, and within `cacheTtlMs` elsewhere.
 * A failed read is not cached.
 */
export function cachedTrustedIssuers(store: TrustedIssuersStore, ttlMs: number, now: () => number = () => performance.now()): TrustedIssuersStore {
  const cache = listCache(() => store.list(), ttlMs, now);
  return {
    find: async (issuer) => (await cache.all()).find((t) => t.issuer === issuer),
    list: async () => [...(await cache.all())],
    create: (t, at) => cache.changing(() => store.create(t, at)),
    update: (issuer, c, at) => cache.changing(() => store.update(issuer, c, at)),
    delete: (issuer) => cache.changing(() => store.delete(issuer)),
  };
}
