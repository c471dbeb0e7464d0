import type { TrustedIssuer, TrustedIssuersStore } from '../core/token-exchange/trusted-issuer-port.ts';

/**
 * The trusted issuers, cached as one list (there are few), as the resources are (resource-cache.ts): every JWT bearer
 * grant and every exchange of a `jwt` subject reads them. A change through this store takes effect at once on this
 * process; one made by another (the CLI, another node) within `ttlMs`, the bound of every cached stored setting
 * (`cacheTtlMs`). So a deleted issuer is refused at once where it was deleted, and within `cacheTtlMs` elsewhere.
 * A failed read is not cached.
 */
export function cachedTrustedIssuers(store: TrustedIssuersStore, ttlMs: number, now: () => number = () => performance.now()): TrustedIssuersStore {
  let cached: { at: number; list: Promise<TrustedIssuer[]> } | undefined;
  const invalidate = () => {
    cached = undefined;
  };
  const all = (): Promise<TrustedIssuer[]> => {
    if (cached === undefined || now() - cached.at >= ttlMs) {
      const entry = { at: now(), list: store.list() };
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
    find: async (issuer) => (await all()).find((t) => t.issuer === issuer),
    list: async () => [...(await all())],
    create: (t, at) => changing(() => store.create(t, at)),
    update: (issuer, c, at) => changing(() => store.update(issuer, c, at)),
    delete: (issuer) => changing(() => store.delete(issuer)),
  };
}
