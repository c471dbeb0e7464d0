import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * The console's first hour (issue 15). Portable DDL only, as in 001.
 * - sessions: the client a person signed in through, the address and user agent of the sign-in, and when the session
 *   was last used (updated at most once a minute per session, see interaction/session-use.ts). Null for sessions
 *   that existed before this migration.
 * - clients: the previous secret's hash and when it stops working, for rotation with a grace period.
 * - token_counts: tokens issued per hour and grant type, for the console's overview. Issuing a token is too hot to
 *   audit one by one; each node counts in memory and adds its counts here every few seconds (admin/token-counter.ts).
 */
export const consoleMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('sessions').addColumn('client_id', 'text').execute();
    await db.schema.alterTable('sessions').addColumn('address', 'text').execute();
    await db.schema.alterTable('sessions').addColumn('user_agent', 'text').execute();
    await db.schema.alterTable('sessions').addColumn('last_used_at', 'bigint').execute();

    await db.schema.alterTable('clients').addColumn('previous_secret_hash', 'text').execute();
    await db.schema.alterTable('clients').addColumn('previous_secret_expires_at', 'bigint').execute();

    await db.schema
      .createTable('token_counts')
      // Unix seconds at the start of the hour.
      .addColumn('hour', 'bigint', (c) => c.notNull())
      .addColumn('grant_type', 'text', (c) => c.notNull())
      .addColumn('count', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('token_counts_pk', ['hour', 'grant_type'])
      .execute();
  },
};
