import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * The standard claims of OpenID Connect Core §5.1 (issue 11): the less-used ones as one JSON object (their claim names
 * as keys, core/oidc/standard-claims.ts), and `updated_at`. Portable DDL only, as in 001.
 */
export const userClaims: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('users').addColumn('claims', 'text', (c) => c.notNull().defaultTo('{}')).execute();
    // Nullable so that both backends can add it to a filled table; set to created_at for the users who exist.
    await db.schema.alterTable('users').addColumn('updated_at', 'bigint').execute();
    await sql`UPDATE users SET updated_at = created_at`.execute(db);
  },
};
