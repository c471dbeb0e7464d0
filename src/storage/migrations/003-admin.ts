import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * The applications manager (issue 6): the audit log, disabled users, and settings an administrator changes from the
 * console (global token lifetimes). Portable DDL only, as in 001: text, bigint, integer.
 */
export const admin: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('audit_events')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('actor_user_id', 'text')
      .addColumn('actor_client_id', 'text')
      .addColumn('user_id', 'text')
      .addColumn('client_id', 'text')
      .addColumn('ip', 'text')
      // JSON object of identifiers and names; never a credential.
      .addColumn('details', 'text', (c) => c.notNull())
      .execute();
    // The log is read newest first, optionally by type; the id breaks ties so paging is stable.
    await db.schema.createIndex('audit_events_at').on('audit_events').columns(['at', 'id']).execute();
    await db.schema.createIndex('audit_events_type_at').on('audit_events').columns(['type', 'at']).execute();

    await db.schema.alterTable('users').addColumn('disabled_at', 'bigint').execute();

    await db.schema
      .createTable('settings')
      .addColumn('key', 'text', (c) => c.primaryKey())
      // JSON value.
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};
