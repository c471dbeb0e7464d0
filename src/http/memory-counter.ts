import type { RateLimitsRepository } from '../core/repositories.ts';

/** A fixed-window counter: this process's memory (one node), or the `rate_limits` table (every node). */
export type WindowCounter = Pick<RateLimitsRepository, 'hit' | 'refund'>;

/** At most this many addresses are remembered; past it, ended windows go first, then the oldest. */
const MAX_KEYS = 10_000;

/**
 * The same fixed windows as the database's `rate_limits` (storage/kysely/rate-limits.ts), in a Map, for a single node
 * on SQLite. Bounded: an attacker with many addresses evicts old counters instead of exhausting memory.
 */
export function memoryCounter(): WindowCounter {
  const windows = new Map<string, { hits: number; resetAt: number }>();
  const prune = (nowMs: number) => {
    for (const [key, w] of windows) if (w.resetAt <= nowMs) windows.delete(key);
    for (const key of windows.keys()) {
      if (windows.size <= MAX_KEYS) break;
      windows.delete(key);
    }
  };
  return {
    async hit(key, nowMs, windowMs) {
      let w = windows.get(key);
      if (!w || w.resetAt <= nowMs) {
        if (!w && windows.size >= MAX_KEYS) prune(nowMs);
        w = { hits: 0, resetAt: nowMs + windowMs };
        windows.set(key, w);
      }
      w.hits += 1;
      return { hits: w.hits, resetAt: w.resetAt };
    },
    async refund(key, nowMs) {
      const w = windows.get(key);
      if (w && w.resetAt > nowMs && w.hits > 0) w.hits -= 1;
    },
  };
}
