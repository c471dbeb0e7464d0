import type { Kysely } from 'kysely';
import type { RateLimitsRepository } from '../../core/repositories.ts';
import type { LatchkeyDatabase } from '../schema.ts';

/** Fixed-window request counters shared by every node (the client-authentication limits per address). */
export function rateLimitsRepository(db: Kysely<LatchkeyDatabase>): RateLimitsRepository {
  return {
    async hit(key, nowMs, windowMs) {
      // One statement: insert, or count one more in the live window, or start a new window when it has ended. Both
      // SQLite and PostgreSQL evaluate every SET expression against the row as it was, so the two CASEs agree.
      const row = await db
        .insertInto('rate_limits')
        .values({ key, hits: 1, reset_at: nowMs + windowMs })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet((eb) => ({
            hits: eb.case().when('rate_limits.reset_at', '<=', nowMs).then(1).else(eb('rate_limits.hits', '+', 1)).end(),
            reset_at: eb.case().when('rate_limits.reset_at', '<=', nowMs).then(nowMs + windowMs).else(eb.ref('rate_limits.reset_at')).end(),
          })),
        )
        .returning(['hits', 'reset_at'])
        .executeTakeFirstOrThrow();
      return { hits: Number(row.hits), resetAt: Number(row.reset_at) };
    },
    async refund(key, nowMs) {
      // Only within the window the hit was counted in: a new window starts from zero anyway.
      await db.updateTable('rate_limits').set((eb) => ({ hits: eb('hits', '-', 1) })).where('key', '=', key).where('reset_at', '>', nowMs).where('hits', '>', 0).execute();
    },
  };
}
