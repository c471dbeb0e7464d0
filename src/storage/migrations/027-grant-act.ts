import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Token exchange refresh tokens (RFC 8693 §2.2.1; issue 13):
 * - grants.act: the `act` claim (§4.1, JSON text) of a grant made by a delegated token exchange, the record of who
 *   acts for the subject under this grant; its tokens carry the same (tokens.act, 024), and a refresh hands it on, so
 *   a refreshed delegated token never turns into an impersonation. Null for every other grant.
 * Portable DDL only, as in 001; a nullable column, so rows written before stay valid.
 */
export const grantAct: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('grants').addColumn('act', 'text').execute();
  },
};
