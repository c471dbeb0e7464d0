import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Resource indicators in the device authorization grant (RFC 8707 §2.1 with RFC 8628 §3.1):
 * - device_codes.resources: JSON list of the registered resources (APIs) the device authorization asked for, or the
 *   configured default one; the approval page names them, and the grant made at redemption takes them, as an
 *   authorization request's go to its grant (grants.resources, 017). Null: none.
 * Portable DDL only, as in 001; a nullable column, so rows written before stay valid (no resources).
 */
export const deviceResource: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('device_codes').addColumn('resources', 'text').execute();
  },
};
