import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { RateLimitsRepository } from '../storage/repositories.ts';

/**
 * A store for @fastify/rate-limit that counts in the database, so a limit of N requests per minute holds across all
 * nodes behind a load balancer instead of N per node. Each route counts separately (as the in-memory store does).
 * A database error fails the request: it is answered 503 temporarily_unavailable like any other outage.
 */
export function databaseRateLimitStore(repo: RateLimitsRepository): FastifyRateLimitStoreCtor {
  const store = (namespace: string): FastifyRateLimitStore => ({
    incr(key, callback, timeWindow) {
      const now = Date.now();
      repo.hit(`${namespace}|${key}`, now, timeWindow).then(
        (w) => callback(null, { current: w.hits, ttl: Math.max(0, w.resetAt - now) }),
        (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
      );
    },
    child(routeOptions) {
      const info = (routeOptions as { routeInfo?: { url?: unknown } }).routeInfo;
      return store(typeof info?.url === 'string' ? info.url : namespace);
    },
  });
  // @fastify/rate-limit instantiates the store itself: a constructor that returns the store object.
  return function DatabaseRateLimitStore() {
    return store('*');
  } as unknown as FastifyRateLimitStoreCtor;
}
