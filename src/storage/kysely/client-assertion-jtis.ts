import type { Kysely } from 'kysely';
import type { ClientAssertionJtis } from '../../core/client-auth/jti-store.ts';
import type { LatchkeyDatabase } from '../schema.ts';

/** The replay store of client assertions (core/client-auth/jti-store.ts), one table shared by every node. */
export function clientAssertionJtisRepository(db: Kysely<LatchkeyDatabase>): ClientAssertionJtis {
  return {
    async use(clientId, jtiHash, expiresAt, now) {
      // One statement: insert, or take over a record that has expired; a live record is left alone and the statement
      // changes no row. The primary key makes the check and the write one step, so of two racing nodes one wins.
      const res = await db
        .insertInto('client_assertion_jtis')
        .values({ client_id: clientId, jti_hash: jtiHash, expires_at: expiresAt })
        .onConflict((oc) =>
          oc
            .columns(['client_id', 'jti_hash'])
            .doUpdateSet({ expires_at: expiresAt })
            .where('client_assertion_jtis.expires_at', '<=', now),
        )
        .returning('jti_hash')
        .executeTakeFirst();
      return res !== undefined;
    },
  };
}
