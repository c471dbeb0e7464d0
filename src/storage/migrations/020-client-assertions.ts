import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * private_key_jwt client authentication (issue 12; RFC 7523 §2.2, OpenID Connect Registration 1.0 §2).
 * - clients: token_endpoint_auth_signing_alg, jwks (a JWK Set as JSON text) and jwks_uri; the method itself
 *   ('private_key_jwt') goes in token_endpoint_auth_method, which 018-registration added.
 * - client_assertion_jtis: the jti of every accepted assertion until it expires (RFC 7523 §3 item 7), keyed by the
 *   client and the jti's SHA-256, so an insert that conflicts IS the replay check, atomic on every node.
 * - clients.secret_encrypted: the secret of a client_secret_jwt client, AES-256-GCM under the key-encryption key
 *   (client-auth/secret-encryption.ts), because an HMAC assertion can only be verified with the secret itself
 *   (RFC 7523 §2.2, OpenID Connect Core §9); secret_hash still holds its hash. Null for every other client.
 * Portable DDL only, as in 001; the new client columns are nullable, so rows written before stay valid.
 */
export const clientAssertions: Migration = {
  async up(db: Kysely<unknown>) {
    // SQLite adds one column per ALTER TABLE.
    for (const name of ['token_endpoint_auth_signing_alg', 'jwks', 'jwks_uri', 'secret_encrypted']) {
      await db.schema.alterTable('clients').addColumn(name, 'text').execute();
    }
    await db.schema
      .createTable('client_assertion_jtis')
      .addColumn('client_id', 'text', (c) => c.notNull())
      .addColumn('jti_hash', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('client_assertion_jtis_pk', ['client_id', 'jti_hash'])
      .execute();
    await db.schema.createIndex('client_assertion_jtis_expires_at').on('client_assertion_jtis').column('expires_at').execute();
  },
};
