import type { Kysely } from 'kysely';
import type { InteractionsRepository, SessionsRepository, ThrottleRepository } from '../repositories.ts';
import type { LatchkeyDatabase } from '../schema.ts';
import { atomically } from './grants.ts';
import { precompiled } from './precompiled.ts';
import { toSession } from './rows.ts';

/** Longest user agent stored; real ones are well under it. */
export const USER_AGENT_MAX = 512;

/** Every authorization request of a signed-in browser looks its session up (precompiled.ts). */
const findSession = precompiled((db, a) =>
  db.selectFrom('sessions').selectAll().where('hash', '=', a<string>(0)).where('expires_at', '>', a<number>(1)),
);

/** Browser-side state: SSO sessions, in-flight interactions, login throttling. All in the database, so any node serves. */

export function sessionsRepository(db: Kysely<LatchkeyDatabase>): SessionsRepository {
  return {
    async create(s) {
      await db
        .insertInto('sessions')
        .values({
          hash: s.hash,
          user_id: s.userId,
          auth_time: s.authTime,
          expires_at: s.expiresAt,
          client_id: s.clientId ?? null,
          address: s.address ?? null,
          // Bounded: the header is the browser's to choose, the column is ours to fill.
          user_agent: s.userAgent?.slice(0, USER_AGENT_MAX) ?? null,
          last_used_at: s.lastUsedAt ?? s.authTime,
        })
        .execute();
    },
    async findActive(hash, now) {
      const [r] = (await findSession(db, [hash, now])).rows;
      return r && toSession(r);
    },
    async touch(hash, now, notSince) {
      // The condition makes concurrent touches of one session (several nodes, several tabs) write once.
      const res = await db
        .updateTable('sessions')
        .set({ last_used_at: now })
        .where('hash', '=', hash)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<=', notSince)]))
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
    async delete(hash) {
      await db.deleteFrom('sessions').where('hash', '=', hash).execute();
    },
    async deleteAllForUser(userId) {
      await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
    },
  };
}

export function interactionsRepository(db: Kysely<LatchkeyDatabase>): InteractionsRepository {
  return {
    async create(i) {
      await db
        .insertInto('interactions')
        .values({ id: i.id, browser_hash: i.browserHash, request: i.request, user_id: i.userId, auth_time: i.authTime, expires_at: i.expiresAt })
        .execute();
    },
    async find(id, now) {
      const r = await db.selectFrom('interactions').selectAll().where('id', '=', id).where('expires_at', '>', now).executeTakeFirst();
      return (
        r && {
          id: r.id,
          browserHash: r.browser_hash,
          request: r.request,
          userId: r.user_id,
          authTime: r.auth_time === null ? null : Number(r.auth_time),
          expiresAt: Number(r.expires_at),
        }
      );
    },
    async setLogin(id, userId, authTime) {
      await db.updateTable('interactions').set({ user_id: userId, auth_time: authTime }).where('id', '=', id).execute();
    },
    async delete(id) {
      await db.deleteFrom('interactions').where('id', '=', id).execute();
    },
  };
}

export function throttleRepository(db: Kysely<LatchkeyDatabase>): ThrottleRepository {
  return {
    async get(key) {
      const r = await db.selectFrom('login_throttle').selectAll().where('key', '=', key).executeTakeFirst();
      return r && { failures: Number(r.failures), lockedUntil: Number(r.locked_until) };
    },
    recordFailure: (key, now, windowSeconds, lockFor) =>
      atomically(db, async (trx) => {
        // Upsert-and-increment in one statement, so concurrent failures on several nodes all count; the transaction
        // keeps the lock written with the count it was computed from.
        const r = await trx
          .insertInto('login_throttle')
          .values({ key, failures: 1, last_failure_at: now, locked_until: 0 })
          .onConflict((oc) =>
            oc.column('key').doUpdateSet((eb) => ({
              failures: eb
                .case()
                .when('login_throttle.last_failure_at', '<', now - windowSeconds)
                .then(1)
                .else(eb('login_throttle.failures', '+', 1))
                .end(),
              last_failure_at: now,
            })),
          )
          .returning(['failures'])
          .executeTakeFirstOrThrow();
        const failures = Number(r.failures);
        const lockedUntil = now + lockFor(failures);
        await trx.updateTable('login_throttle').set({ locked_until: lockedUntil }).where('key', '=', key).execute();
        return { failures, lockedUntil };
      }),
    async reset(key) {
      await db.deleteFrom('login_throttle').where('key', '=', key).execute();
    },
  };
}
