import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Issue 10 (security), defects 3, 6 and 7. Each token issued by a refresh records the refresh token it was rotated
 * from (`parent_hash`), so a retry within the grace window can find and revoke the answer it replaces, and never
 * leave two live branches of one grant (RFC 9700 §4.14.2). The login throttle and the client-authentication limit
 * reuse the `login_throttle` and `rate_limits` tables as they are. Portable DDL only, as in 001.
 */
export const throttle: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('tokens').addColumn('parent_hash', 'text').execute();
    // Only tokens issued by a refresh have a parent: a partial index stays small.
    await db.schema.createIndex('tokens_parent_hash').on('tokens').column('parent_hash').where('parent_hash', 'is not', null).execute();
  },
};
