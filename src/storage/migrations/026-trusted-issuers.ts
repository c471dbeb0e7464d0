import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Trusted issuers (issue 13; RFC 8693 `jwt` subject and actor tokens, RFC 7523 §2.1 JWT bearer assertions), stored
 * so that the admin API, the CLI and the console edit them and every node reads the same (they were only in the
 * config file, which is still written into this table at each start).
 * - issuer: the exact `iss` of the JWTs, the key.
 * - jwks (a JWK Set as JSON text, public keys only) or jwks_uri: exactly one is set.
 * - user_claim, user_by: which claim names the Latchkey user, and whether it holds an id or a username.
 * Portable DDL only, as in 001.
 */
export const trustedIssuers: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('trusted_issuers')
      .addColumn('issuer', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('jwks', 'text')
      .addColumn('jwks_uri', 'text')
      .addColumn('user_claim', 'text', (c) => c.notNull())
      .addColumn('user_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};
