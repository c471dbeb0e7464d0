import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Dynamic client registration (issue 12; RFC 7591, RFC 7592). Portable DDL only, as in 001.
 * - clients.origin: where the client came from (model.ts ClientOrigin): 'dynamic' for a client that registered
 *   itself, 'metadata-document' (migration 019) for one made from its metadata document; null for the operator's own.
 * - clients.disabled_at: set while an administrator has disabled the client: no authorization, no tokens.
 * - clients.registration_token_hash: SHA-256 of the RFC 7592 registration access token (never the token).
 * - clients.token_endpoint_auth_method: as registered (RFC 7591 §2); null reads as the type's default.
 * - clients.registration_metadata: JSON of the descriptive RFC 7591 §2 members (client_uri, logo_uri, contacts, ...).
 * - registration_tokens: the operator's initial access tokens (RFC 7591 §3), hashed, with an expiry and a use count.
 */
export const registration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('clients').addColumn('origin', 'text').execute();
    await db.schema.alterTable('clients').addColumn('disabled_at', 'bigint').execute();
    await db.schema.alterTable('clients').addColumn('registration_token_hash', 'text').execute();
    await db.schema.alterTable('clients').addColumn('token_endpoint_auth_method', 'text').execute();
    await db.schema.alterTable('clients').addColumn('registration_metadata', 'text').execute();
    await db.schema
      .createTable('registration_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint')
      // null: any number of registrations until it expires or is revoked.
      .addColumn('max_uses', 'integer')
      .addColumn('uses', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('revoked_at', 'bigint')
      .execute();
  },
};
