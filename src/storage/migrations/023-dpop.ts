import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * DPoP (RFC 9449; issue 13):
 * - dpop_proofs: the `jti` of every proof seen within the acceptance window, keyed by a hash of the key's thumbprint
 *   and the jti (§11.1: a proof is single-use). A primary key, so of two nodes inserting the same proof exactly one
 *   succeeds; `expires_at` lets the janitor drop rows once the window has passed.
 * - tokens.dpop_jkt: the JWK SHA-256 thumbprint (RFC 7638) an access token, or a public client's refresh token, is
 *   bound to (§6.1 cnf.jkt, §5 refresh binding); null for bearer tokens.
 * - codes.dpop_jkt: the authorization request's `dpop_jkt` (§10); the code is redeemed only with a proof of that key.
 * - clients.dpop_bound_access_tokens: the client must send a DPoP proof to the token endpoint (RFC 9449 §5.2
 *   `dpop_bound_access_tokens` metadata); null or 0: optional.
 * Portable DDL only, as in 001; nullable columns, so rows written before stay valid (unbound).
 */
export const dpop: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('dpop_proofs')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('dpop_proofs_expires_at').on('dpop_proofs').column('expires_at').execute();
    await db.schema.alterTable('tokens').addColumn('dpop_jkt', 'text').execute();
    await db.schema.alterTable('clients').addColumn('dpop_bound_access_tokens', 'integer').execute();
    await db.schema.alterTable('codes').addColumn('dpop_jkt', 'text').execute();
  },
};
