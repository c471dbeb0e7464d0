import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Pushed authorization requests (RFC 9126) and request objects (RFC 9101), issue 13.
 * - pushed_requests: a pushed request until its request_uri is used (once) or expires; keyed by the URI's hash.
 * - request_object_jtis: the jti of each request object until the object expires, so a replay is refused on every
 *   node (RFC 9101 §10.8).
 * - clients.require_pushed_authorization_requests, clients.require_signed_request_object: the client metadata of
 *   RFC 9126 §6 and RFC 9101 §10.5; null: the server's setting.
 * Portable DDL only, as in 001; the new columns are nullable, so rows written before stay valid.
 */
export const pushedRequests: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('pushed_requests')
      .addColumn('hash', 'text', (c) => c.primaryKey())
      .addColumn('client_id', 'text', (c) => c.notNull())
      .addColumn('params', 'text', (c) => c.notNull())
      .addColumn('signed', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('pushed_requests_expires_at').on('pushed_requests').column('expires_at').execute();
    await db.schema
      .createTable('request_object_jtis')
      .addColumn('client_id', 'text', (c) => c.notNull())
      .addColumn('jti', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('request_object_jtis_pk', ['client_id', 'jti'])
      .execute();
    await db.schema.createIndex('request_object_jtis_expires_at').on('request_object_jtis').column('expires_at').execute();
    await db.schema.alterTable('clients').addColumn('require_pushed_authorization_requests', 'integer').execute();
    await db.schema.alterTable('clients').addColumn('require_signed_request_object', 'integer').execute();
  },
};
