import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Token exchange (RFC 8693; issue 13):
 * - tokens.act: the `act` claim of a delegated access token (§4.1, JSON text: who acts for the subject, earlier
 *   actors nested), so introspection (§4.1 names it for RFC 7662 responses too) and a later exchange of an opaque
 *   token see it as a JWT's reader would; null for every other token.
 * Portable DDL only, as in 001; a nullable column, so rows written before stay valid.
 */
export const tokenExchange: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('tokens').addColumn('act', 'text').execute();
  },
};
