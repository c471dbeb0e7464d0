import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Many nodes on one database (issue 4): the token endpoint's rate-limit counters move into the database, and the
 * janitor gets the indexes it needs to find expired rows in small batches without scanning whole tables.
 * Portable DDL only, as in 001.
 */
export const scaleOut: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('rate_limits')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('hits', 'integer', (c) => c.notNull())
      /** Milliseconds since the epoch at which the current window ends. */
      .addColumn('reset_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('rate_limits_reset_at').on('rate_limits').column('reset_at').execute();

    // Revoked and spent tokens are a small part of the table: partial indexes stay small and cost nothing on insert.
    await db.schema.createIndex('tokens_revoked_at').on('tokens').column('revoked_at').where('revoked_at', 'is not', null).execute();
    await db.schema.createIndex('tokens_consumed_at').on('tokens').column('consumed_at').where('consumed_at', 'is not', null).execute();
    await db.schema.createIndex('codes_grant_id').on('codes').column('grant_id').execute();
    await db.schema.createIndex('grants_created_at').on('grants').column('created_at').execute();
    await db.schema.createIndex('sessions_expires_at').on('sessions').column('expires_at').execute();
    await db.schema.createIndex('interactions_expires_at').on('interactions').column('expires_at').execute();
  },
};
