import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Resources (issue 12): APIs as registered objects, RFC 8707 resource indicators.
 * - resources: the identifier (an absolute URI, RFC 8707 §2) is the key and the access tokens' `aud`.
 * - grants.resources: the resources an authorization covers (RFC 8707 §2.1), a JSON list; null for older grants.
 * - tokens.resource: the one resource an access token is for (its audience); null when none was asked for.
 * Portable DDL only, as in 001; the new columns are nullable, so rows written before stay valid.
 */
export const resources: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('resources')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('access_token_format', 'text', (c) => c.notNull())
      .addColumn('access_token_ttl', 'bigint')
      .addColumn('introspection_client_id', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.alterTable('grants').addColumn('resources', 'text').execute();
    await db.schema.alterTable('tokens').addColumn('resource', 'text').execute();
  },
};
