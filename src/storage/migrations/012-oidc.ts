import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * OpenID Connect (issue 11): what an ID token needs after the authorization request is gone.
 * - codes.nonce: echoed in the ID token of the code exchange (Core §3.1.3.6).
 * - grants.auth_time: the sign-in's time, kept for the ID tokens of refreshes (Core §12.2: the original auth_time).
 * - grants.claims: the `claims` request parameter (Core §5.5), JSON, honoured by the ID tokens and UserInfo.
 * - clients: the OpenID Connect client metadata (Dynamic Client Registration 1.0 §2) that Latchkey uses.
 * Portable DDL only, as in 001; every column nullable, so rows written before stay valid.
 */
export const oidc: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('codes').addColumn('nonce', 'text').execute();
    await db.schema.alterTable('grants').addColumn('auth_time', 'bigint').execute();
    await db.schema.alterTable('grants').addColumn('claims', 'text').execute();
    // SQLite adds one column per ALTER TABLE.
    for (const [name, type] of [
      ['id_token_signed_response_alg', 'text'],
      ['userinfo_signed_response_alg', 'text'],
      ['subject_type', 'text'],
      ['default_max_age', 'bigint'],
      ['require_auth_time', 'integer'],
      ['post_logout_redirect_uris', 'text'],
      ['backchannel_logout_uri', 'text'],
    ] as const) {
      await db.schema.alterTable('clients').addColumn(name, type).execute();
    }
  },
};
