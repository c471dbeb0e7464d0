import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Token exchange policy per client (RFC 8693 §5; issue 13: "off or on per client ... in the config file, the CLI, the
 * admin API and the console"): clients.token_exchange holds the client's policy as JSON text (core/model.ts
 * Client.tokenExchange); null, as every row written before, means the client may not exchange (deny by default).
 * Portable DDL only, as in 001: one nullable text column on both backends.
 */
export const clientTokenExchange: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('clients').addColumn('token_exchange', 'text').execute();
  },
};
