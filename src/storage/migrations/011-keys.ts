import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Signing keys (issue 11, OpenID Connect): one row per key, the private key encrypted under the key-encryption key
 * (core/keys/kek.ts). Portable DDL only, as in 001.
 */
export const keys: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('signing_keys')
      .addColumn('kid', 'text', (c) => c.primaryKey())
      .addColumn('alg', 'text', (c) => c.notNull())
      // JSON object of the public members only.
      .addColumn('public_jwk', 'text', (c) => c.notNull())
      .addColumn('private_key', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('activates_at', 'bigint', (c) => c.notNull())
      .addColumn('retired_at', 'bigint')
      .addColumn('expires_at', 'bigint')
      .execute();
  },
};
