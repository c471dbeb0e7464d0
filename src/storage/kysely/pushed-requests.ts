import type { Kysely } from 'kysely';
import type { PushedRequestsStore, RequestObjectJtiStore } from '../../core/authorize/par-port.ts';
import type { LatchkeyDatabase } from '../schema.ts';

/** RFC 9126 pushed requests; consume is one `DELETE ... RETURNING`, so a request_uri is used exactly once. */
export function pushedRequestsRepository(db: Kysely<LatchkeyDatabase>): PushedRequestsStore {
  return {
    async push(r) {
      await db
        .insertInto('pushed_requests')
        .values({ hash: r.hash, client_id: r.clientId, params: r.params, signed: Number(r.signed), expires_at: r.expiresAt })
        .execute();
    },
    async consume(hash, clientId, now) {
      const r = await db
        .deleteFrom('pushed_requests')
        .where('hash', '=', hash)
        .where('client_id', '=', clientId)
        .where('expires_at', '>', now)
        .returningAll()
        .executeTakeFirst();
      return r && { hash: r.hash, clientId: r.client_id, params: r.params, signed: Boolean(r.signed), expiresAt: Number(r.expires_at) };
    },
  };
}

/**
 * RFC 9101 §10.8: one row per (client, jti). An insert that meets a live row changes nothing and returns nothing (a
 * replay); one that meets an expired row (not yet purged) takes it over. One statement, so racing inserts agree.
 */
export function requestObjectJtisRepository(db: Kysely<LatchkeyDatabase>): RequestObjectJtiStore {
  return {
    async record(clientId, jti, expiresAt, now) {
      const r = await db
        .insertInto('request_object_jtis')
        .values({ client_id: clientId, jti, expires_at: expiresAt })
        .onConflict((oc) =>
          oc
            .columns(['client_id', 'jti'])
            .doUpdateSet({ expires_at: expiresAt })
            .where('request_object_jtis.expires_at', '<=', now),
        )
        .returning('jti')
        .executeTakeFirst();
      return r !== undefined;
    },
  };
}
