/**
 * A small table read whole and kept in memory (scopes, resources, trusted issuers: few rows, read on every request that
 * needs them, changed rarely). A change made through the cache takes effect at once in this process: it is dropped
 * before and after the write. One made by another process (the CLI, another node) shows within `ttlMs`. A failed read
 * is not cached. `now` is monotonic milliseconds (a test passes its own).
 */
export interface ListCache<T> {
  /** The rows, read again once `ttlMs` has passed since the last read. Shared: callers must not change the array. */
  all(): Promise<readonly T[]>;
  /** Runs a write, dropping the cached rows before and after it. */
  changing<R>(write: () => Promise<R>): Promise<R>;
}

export function listCache<T>(load: () => Promise<T[]>, ttlMs: number, now: () => number = () => performance.now()): ListCache<T> {
  let cached: { at: number; rows: Promise<T[]> } | undefined;
  const invalidate = () => {
    cached = undefined;
  };
  return {
    all() {
      if (cached === undefined || now() - cached.at >= ttlMs) {
        const entry = { at: now(), rows: load() };
        cached = entry;
        entry.rows.catch(() => {
          if (cached === entry) cached = undefined;
        });
      }
      return cached.rows;
    },
    async changing(write) {
      invalidate();
      try {
        return await write();
      } finally {
        invalidate();
      }
    },
  };
}
