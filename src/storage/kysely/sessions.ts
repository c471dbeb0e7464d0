import type { Kysely } from 'kysely';
import type { InteractionsRepository, SessionsRepository, ThrottleAttempt, ThrottleRepository } from '../../core/repositories.ts';
import type { LatchkeyDatabase } from '../schema.ts';
import { randomId } from '../../core/crypto.ts';
import { atomically } from './grants.ts';
import { endSessions } from './backchannel-outbox.ts';
import { precompiled } from './precompiled.ts';
import { json, toSession } from './rows.ts';

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
          // 128 random bits: public (it goes into ID tokens), unguessable, unrelated to the cookie.
          sid: s.sid ?? randomId(16),
          acr: s.acr ?? null,
          amr: s.amr ? json(s.amr) : null,
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
    // Back-Channel Logout 1.0 §2.7: the logouts to send are written with the end of the session, in one transaction.
    delete: (hash) =>
      atomically(db, async (trx) => {
        await endSessions(trx, { hash });
      }),
    deleteAllForUser: (userId) =>
      atomically(db, async (trx) => {
        await endSessions(trx, { userId });
        await trx.deleteFrom('interactions').where('user_id', '=', userId).execute();
      }),
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
      const r = await db.deleteFrom('interactions').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
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
    async attempt(keys, now, windowSeconds) {
      try {
        return await atomically(db, async (trx): Promise<ThrottleAttempt> => {
          for (const { key, lockFor } of keys) {
            // Count only while the key is unlocked (DO UPDATE ... WHERE). On PostgreSQL a parallel attempt waits for
            // this row's lock and then sees the lock written below; SQLite runs one writer at a time.
            const counted = await trx
              .insertInto('login_throttle')
              .values({ key, failures: 1, last_failure_at: now, locked_until: 0 })
              .onConflict((oc) =>
                oc
                  .column('key')
                  .doUpdateSet((eb) => ({
                    failures: eb.case().when('login_throttle.last_failure_at', '<', now - windowSeconds).then(1).else(eb('login_throttle.failures', '+', 1)).end(),
                    last_failure_at: now,
                  }))
                  .where('login_throttle.locked_until', '<=', now),
              )
              .returning(['failures'])
              .executeTakeFirst();
            if (!counted) {
              const row = await trx.selectFrom('login_throttle').select('locked_until').where('key', '=', key).executeTakeFirstOrThrow();
              throw new Refused(Number(row.locked_until));
            }
            // Locked as if this attempt fails: the next one waits unless this one succeeds and the caller resets it.
            await trx.updateTable('login_throttle').set({ locked_until: now + lockFor(Number(counted.failures)) }).where('key', '=', key).execute();
          }
          return { allowed: true };
        });
      } catch (err) {
        // Thrown to roll back the keys already counted: a refused attempt counts on none.
        if (err instanceof Refused) return { allowed: false, lockedUntil: err.lockedUntil };
        throw err;
      }
    },
    async discount(key) {
      await db.updateTable('login_throttle').set((eb) => ({ failures: eb('failures', '-', 1) })).where('key', '=', key).where('failures', '>', 0).execute();
    },
    async reset(key) {
      await db.deleteFrom('login_throttle').where('key', '=', key).execute();
    },
  };
}

class Refused extends Error {
  readonly lockedUntil: number;
  constructor(lockedUntil: number) {
    super('login attempt refused by the throttle');
    this.lockedUntil = lockedUntil;
  }
}
