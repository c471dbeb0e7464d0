import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * A resource may require DPoP (RFC 9449 §7.2; issue 13):
 * - resources.dpop_bound_access_tokens_required: the token endpoint issues access tokens for this resource only
 *   DPoP-bound, refusing a request without a proof (core/token/issue.ts); null or 0: Bearer tokens too.
 * Portable DDL only, as in 001; a nullable column, so rows written before stay valid (not required).
 */
export const resourceDpop: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('resources').addColumn('dpop_bound_access_tokens_required', 'integer').execute();
  },
};
