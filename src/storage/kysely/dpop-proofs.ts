import type { Kysely } from 'kysely';
import type { DpopProofStore } from '../../core/dpop/replay.ts';
import type { LatchkeyDatabase } from '../schema.ts';

/** DPoP proof jtis (RFC 9449 §11.1), shared by every node through the primary key of `dpop_proofs`. */
export function dpopProofsRepository(db: Kysely<LatchkeyDatabase>): DpopProofStore {
  return {
    async use(key, expiresAt, now) {
      // One statement: insert, or take over a row whose window has ended; a live row is left alone and nothing is
      // returned. Both backends lock the conflicting row, so of racing inserts exactly one gets a row back.
      const row = await db
        .insertInto('dpop_proofs')
        .values({ key, expires_at: expiresAt })
        .onConflict((oc) => oc.column('key').doUpdateSet({ expires_at: expiresAt }).where('dpop_proofs.expires_at', '<=', now))
        .returning('key')
        .executeTakeFirst();
      return row !== undefined;
    },
    async deleteExpired(now, limit) {
      const doomed = db.selectFrom('dpop_proofs').select('key').where('expires_at', '<=', now).limit(limit);
      const result = await db.deleteFrom('dpop_proofs').where('key', 'in', doomed).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
