import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * How the user signed in (OpenID Connect Core §2 acr and amr), recorded at sign-in:
 * - sessions.acr, sessions.amr: the level reached and the methods used (RFC 8176 §2 values, as a JSON list);
 * - grants.acr, grants.amr: what the grant's ID tokens say, so refreshes repeat the original (Core §12.2).
 * Portable DDL only, as in 001; nullable, so rows written before stay valid (read as a password sign-in, the only
 * kind there was).
 */
export const sessionAcr: Migration = {
  async up(db: Kysely<unknown>) {
    for (const table of ['sessions', 'grants']) {
      await db.schema.alterTable(table).addColumn('acr', 'text').execute();
      await db.schema.alterTable(table).addColumn('amr', 'text').execute();
    }
  },
};
