import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/context.ts';
import type { ActivityRepository, TokenCount } from '../core/admin-repositories.ts';

/**
 * Tokens issued, per hour and grant type, for the console's overview. The token endpoint is the hot path (README,
 * Performance), so it pays one Map update per response and no database write: each node sums in memory and adds its
 * sums to the database every few seconds (an upsert that adds, so nodes do not overwrite each other). A crash loses
 * at most the last interval's counts; the overview is a glance, not an account.
 */
export interface TokenCounter {
  /** One token response of `grantType` was sent. Called only after success, so only registered grant types come. */
  count(grantType: string): void;
  /** Writes what was counted; a failed write is kept for the next flush. */
  flush(): Promise<void>;
  /** Flushes every `seconds`, until stopped (which flushes once more). */
  start(seconds: number): { stop(): Promise<void> };
}

const HOUR = 3600;

export function tokenCounter(repo: Pick<ActivityRepository, 'addTokenCounts'>, clock: Clock, logger: Logger): TokenCounter {
  let pending = new Map<string, TokenCount>();
  let writing: Promise<void> = Promise.resolve();

  const flushOnce = async (): Promise<void> => {
    if (pending.size === 0) return;
    const batch = pending;
    pending = new Map();
    try {
      await repo.addTokenCounts([...batch.values()]);
    } catch (err) {
      logger.warn({ event: 'token_counts_write_failed', err }, 'could not write token counts; will retry');
      // Put them back, adding to what was counted meanwhile.
      for (const [key, c] of batch) {
        const now = pending.get(key);
        pending.set(key, now ? { ...now, count: now.count + c.count } : c);
      }
    }
  };

  const counter: TokenCounter = {
    count(grantType) {
      const now = clock.now();
      const hour = now - (now % HOUR);
      const key = `${hour} ${grantType}`;
      const c = pending.get(key);
      if (c) c.count++;
      else pending.set(key, { hour, grantType, count: 1 });
    },
    flush() {
      // One write at a time: two overlapping flushes would otherwise race on the same batch.
      writing = writing.then(flushOnce);
      return writing;
    },
    start(seconds) {
      const timer = setInterval(() => void counter.flush(), seconds * 1000);
      timer.unref();
      return {
        async stop() {
          clearInterval(timer);
          await counter.flush();
        },
      };
    },
  };
  return counter;
}
