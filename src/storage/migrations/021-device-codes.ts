import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * The device authorization grant (RFC 8628, issue 13): one row per device_code, so that any node can answer the
 * device's polls and the verification page (core/device/port.ts). Keys only, never the codes themselves. The
 * interval and the last poll time are columns: slow_down (§3.5) must hold across nodes. Portable DDL only, as in 001.
 */
export const deviceCodes: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('device_codes')
      .addColumn('hash', 'text', (c) => c.primaryKey())
      .addColumn('user_code_hash', 'text', (c) => c.notNull().unique())
      .addColumn('client_id', 'text', (c) => c.notNull())
      .addColumn('scope', 'text', (c) => c.notNull())
      // pending | approved | denied
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text')
      .addColumn('auth_time', 'bigint')
      .addColumn('sid', 'text')
      .addColumn('acr', 'text')
      .addColumn('amr', 'text')
      .addColumn('interval', 'integer', (c) => c.notNull())
      .addColumn('last_polled_at', 'bigint')
      // 1 when the last poll came too soon (slow_down): returned by the poll's own UPDATE.
      .addColumn('slowed', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('consumed_at', 'bigint')
      .execute();
    // The janitor walks expired rows by this index.
    await db.schema.createIndex('device_codes_expires_at').on('device_codes').column('expires_at').execute();
  },
};
