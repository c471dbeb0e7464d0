import type { ExpressionBuilder, Kysely, Selectable } from 'kysely';
import type { InitialAccessToken, RegistrationTokensStore } from '../../core/registration/port.ts';
import type { LatchkeyDatabase, RegistrationTokensTable } from '../schema.ts';

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

function fromRow(r: Selectable<RegistrationTokensTable>): InitialAccessToken {
  // PostgreSQL returns bigint as a string.
  return { id: r.id, createdAt: Number(r.created_at), expiresAt: num(r.expires_at), maxUses: num(r.max_uses), uses: Number(r.uses), revokedAt: num(r.revoked_at) };
}

/** Live: not revoked, not expired, and uses left. */
const live = (now: number) => (eb: ExpressionBuilder<LatchkeyDatabase, 'registration_tokens'>) =>
  eb.and([
    eb('revoked_at', 'is', null),
    eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]),
    eb.or([eb('max_uses', 'is', null), eb('uses', '<', eb.ref('max_uses'))]),
  ]);

/** Initial access tokens of dynamic client registration (core/registration/port.ts). */
export function registrationTokensRepository(db: Kysely<LatchkeyDatabase>): RegistrationTokensStore {
  return {
    async create(t) {
      await db
        .insertInto('registration_tokens')
        .values({ id: t.id, hash: t.hash, created_at: t.createdAt, expires_at: t.expiresAt, max_uses: t.maxUses, uses: t.uses, revoked_at: t.revokedAt })
        .execute();
    },
    async list() {
      return (await db.selectFrom('registration_tokens').selectAll().orderBy('created_at').orderBy('id').execute()).map(fromRow);
    },
    async findLive(hash, now) {
      const row = await db.selectFrom('registration_tokens').selectAll().where('hash', '=', hash).where(live(now)).executeTakeFirst();
      return row && fromRow(row);
    },
    async use(hash, now) {
      const row = await db
        .updateTable('registration_tokens')
        .set((eb) => ({ uses: eb('uses', '+', 1) }))
        .where('hash', '=', hash)
        .where(live(now))
        .returningAll()
        .executeTakeFirst();
      return row && fromRow(row);
    },
    async revoke(id, now) {
      const r = await db.updateTable('registration_tokens').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
  };
}
