import type { Kysely, Selectable } from 'kysely';
import type { JwkSet, TrustedIssuer, TrustedIssuersStore } from '../../core/token-exchange/trusted-issuer-port.ts';
import type { LatchkeyDatabase, TrustedIssuersTable } from '../schema.ts';

/** Trusted issuers (migration 026): the port core/token-exchange/trusted-issuer-port.ts declares. */

const toTrustedIssuer = (r: Selectable<TrustedIssuersTable>): TrustedIssuer => ({
  issuer: r.issuer,
  name: r.name,
  jwks: r.jwks === null ? null : (JSON.parse(r.jwks) as JwkSet),
  jwksUri: r.jwks_uri,
  userClaim: r.user_claim,
  userBy: r.user_by === 'id' ? 'id' : 'username',
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

export function trustedIssuersRepository(db: Kysely<LatchkeyDatabase>): TrustedIssuersStore {
  return {
    async find(issuer) {
      const row = await db.selectFrom('trusted_issuers').selectAll().where('issuer', '=', issuer).executeTakeFirst();
      return row && toTrustedIssuer(row);
    },
    async list() {
      return (await db.selectFrom('trusted_issuers').selectAll().orderBy('created_at').orderBy('issuer').execute()).map(toTrustedIssuer);
    },
    async create(t, now) {
      const row = {
        issuer: t.issuer,
        name: t.name,
        jwks: t.jwks === null ? null : JSON.stringify(t.jwks),
        jwks_uri: t.jwksUri,
        user_claim: t.userClaim,
        user_by: t.userBy,
        created_at: now,
        updated_at: now,
      };
      await db.insertInto('trusted_issuers').values(row).execute();
      return toTrustedIssuer(row);
    },
    async update(issuer, c, now) {
      const row = await db
        .updateTable('trusted_issuers')
        .set({ name: c.name, jwks: c.jwks === null ? null : JSON.stringify(c.jwks), jwks_uri: c.jwksUri, user_claim: c.userClaim, user_by: c.userBy, updated_at: now })
        .where('issuer', '=', issuer)
        .returningAll()
        .executeTakeFirst();
      return row && toTrustedIssuer(row);
    },
    async delete(issuer) {
      const res = await db.deleteFrom('trusted_issuers').where('issuer', '=', issuer).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },
  };
}
