import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Issue 10: disabling a user or changing their password ends the sign-ins they have open (sessions.deleteAllForUser
 * deletes their interactions too), so interactions are found by user. Partial: an interaction has a user only once
 * someone logged in on it. Portable DDL only, as in 001.
 */
export const flowSecurity: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('interactions_user_id').on('interactions').column('user_id').where('user_id', 'is not', null).execute();
  },
};
