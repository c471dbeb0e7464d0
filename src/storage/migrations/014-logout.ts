import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Logout (issue 11): the `sid` claim (Back-Channel Logout 1.0 §2.4, Front-Channel Logout 1.0 §3).
 * - sessions.sid: a public, random id of the SSO session, distinct from the cookie (whose hash is the key): it goes
 *   into ID tokens, so it must tell nobody how to become the session.
 * - grants.sid: the session the grant was given in, for the ID tokens of the code exchange and of refreshes.
 * Portable DDL only, as in 001; nullable, so rows written before stay valid (they get no sid).
 */
export const logout: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('sessions').addColumn('sid', 'text').execute();
    await db.schema.alterTable('grants').addColumn('sid', 'text').execute();
  },
};
