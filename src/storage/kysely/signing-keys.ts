import type { Kysely } from 'kysely';
import type { PublicJwk, SigningAlg } from '../../core/keys/algorithms.ts';
import type { SigningKey, SigningKeysStore } from '../../core/keys/port.ts';
import type { LatchkeyDatabase, SigningKeysTable } from '../schema.ts';

const nullableNumber = (v: number | string | null): number | null => (v === null ? null : Number(v));

function fromRow(r: SigningKeysTable): SigningKey {
  return {
    kid: r.kid,
    alg: r.alg as SigningAlg,
    publicJwk: JSON.parse(r.public_jwk) as PublicJwk,
    encryptedPrivateKey: r.private_key,
    // PostgreSQL returns bigint as a string.
    createdAt: Number(r.created_at),
    activatesAt: Number(r.activates_at),
    retiredAt: nullableNumber(r.retired_at),
    expiresAt: nullableNumber(r.expires_at),
  };
}

/** The signing keys (core/keys/port.ts): a handful of rows, read whole. */
export function signingKeysRepository(db: Kysely<LatchkeyDatabase>): SigningKeysStore {
  return {
    async list() {
      const rows = await db.selectFrom('signing_keys').selectAll().orderBy('created_at').orderBy('kid').execute();
      return rows.map(fromRow);
    },
    async create(key) {
      await db
        .insertInto('signing_keys')
        .values({
          kid: key.kid,
          alg: key.alg,
          public_jwk: JSON.stringify(key.publicJwk),
          private_key: key.encryptedPrivateKey,
          created_at: key.createdAt,
          activates_at: key.activatesAt,
          retired_at: key.retiredAt,
          expires_at: key.expiresAt,
        })
        .execute();
    },
    async setRetirement(kid, retiredAt, expiresAt) {
      const r = await db.updateTable('signing_keys').set({ retired_at: retiredAt, expires_at: expiresAt }).where('kid', '=', kid).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async deleteExpired(now) {
      const r = await db.deleteFrom('signing_keys').where('expires_at', 'is not', null).where('expires_at', '<=', now).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
