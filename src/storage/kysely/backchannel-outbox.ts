import { PostgresAdapter, type ExpressionBuilder, type Kysely } from 'kysely';
import type { BackchannelOutbox, LogoutDelivery } from '../../core/oidc/backchannel/port.ts';
import { randomId } from '../../core/crypto.ts';
import type { BackchannelLogoutsTable, LatchkeyDatabase } from '../schema.ts';

type Db = Kysely<LatchkeyDatabase>;

/** Which sessions are ending: one (by its hash), or every session of a user. */
export type EndingSessions = { hash: string } | { userId: string };

/**
 * Deletes sessions and writes the outbox rows for them (Back-Channel Logout 1.0 §2.7: each RP that got tokens in the
 * session and registered a backchannel_logout_uri), in the caller's transaction: the rows and the end of the session
 * commit together or not at all. The delete comes first so the transaction holds SQLite's write lock from its first
 * statement (a read first would fail to upgrade while another connection writes). Returns how many sessions ended.
 */
export async function endSessions(trx: Db, ending: EndingSessions, nowMs = Date.now()): Promise<number> {
  const ended = await trx
    .deleteFrom('sessions')
    .where((eb) => ('hash' in ending ? eb('hash', '=', ending.hash) : eb('user_id', '=', ending.userId)))
    .returning(['sid', 'user_id'])
    .execute();
  const users = new Map<string, string>();
  for (const s of ended) if (s.sid !== null) users.set(s.sid, s.user_id);
  if (users.size === 0) return ended.length;
  const targets = await trx
    .selectFrom('grants as g')
    .innerJoin('clients as c', 'c.id', 'g.client_id')
    .select(['g.sid', 'g.client_id'])
    .distinct()
    .where('g.sid', 'in', [...users.keys()])
    .where('c.backchannel_logout_uri', 'is not', null)
    .execute();
  for (const t of targets) {
    const userId = t.sid === null ? undefined : users.get(t.sid);
    if (t.sid === null || userId === undefined) continue;
    await trx
      .insertInto('backchannel_logouts')
      .values({ id: randomId(16), sid: t.sid, user_id: userId, client_id: t.client_id, created_at_ms: nowMs, attempts: 0, next_attempt_at_ms: nowMs })
      // Defensive: one row per client and session, whatever ends it.
      .onConflict((oc) => oc.columns(['sid', 'client_id']).doNothing())
      .execute();
  }
  return ended.length;
}

const toDelivery = (r: BackchannelLogoutsTable): LogoutDelivery => ({
  id: r.id,
  sid: r.sid,
  userId: r.user_id,
  clientId: r.client_id,
  // PostgreSQL returns bigint as a string.
  createdAtMs: Number(r.created_at_ms),
  attempts: Number(r.attempts),
});

/** The outbox (core/oidc/backchannel/port.ts). */
export function backchannelOutboxRepository(db: Db): BackchannelOutbox {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const due = (nowMs: number) => (eb: ExpressionBuilder<LatchkeyDatabase, 'backchannel_logouts'>) =>
    eb.and([
      eb('finished_at_ms', 'is', null),
      eb('next_attempt_at_ms', '<=', nowMs),
      eb.or([eb('lease_until_ms', 'is', null), eb('lease_until_ms', '<=', nowMs)]),
    ]);
  return {
    async claim(owner, nowMs, leaseMs, limit) {
      let candidates = db.selectFrom('backchannel_logouts').select('id').where(due(nowMs)).orderBy('next_attempt_at_ms').limit(limit);
      // PostgreSQL: skip rows another node is claiming right now instead of waiting for them.
      if (postgres) candidates = candidates.forUpdate().skipLocked();
      const rows = await db
        .updateTable('backchannel_logouts')
        .set((eb) => ({ lease_owner: owner, lease_until_ms: nowMs + leaseMs, attempts: eb('attempts', '+', 1) }))
        .where('id', 'in', candidates)
        // Checked again on the row itself: a claimer that waited for another's row lock sees the new lease and skips.
        .where(due(nowMs))
        .returningAll()
        .execute();
      return rows.map(toDelivery);
    },
    async finish(id, owner, outcome, nowMs) {
      const r = await db
        .updateTable('backchannel_logouts')
        .set({ finished_at_ms: nowMs, outcome, lease_owner: null, lease_until_ms: null })
        .where('id', '=', id)
        .where('lease_owner', '=', owner)
        .where('finished_at_ms', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async retryAt(id, owner, nextAttemptAtMs) {
      const r = await db
        .updateTable('backchannel_logouts')
        .set({ next_attempt_at_ms: nextAttemptAtMs, lease_owner: null, lease_until_ms: null })
        .where('id', '=', id)
        .where('lease_owner', '=', owner)
        .where('finished_at_ms', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async nextDueAt() {
      const r = await db
        .selectFrom('backchannel_logouts')
        .select((eb) => eb.fn.min(eb.fn.coalesce('lease_until_ms', 'next_attempt_at_ms')).as('at'))
        .where('finished_at_ms', 'is', null)
        .executeTakeFirst();
      return r?.at === null || r?.at === undefined ? undefined : Number(r.at);
    },
  };
}
