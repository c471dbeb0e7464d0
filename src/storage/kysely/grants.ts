import type { Kysely } from 'kysely';
import type { CodesRepository, GrantsRepository, TokensRepository } from '../repositories.ts';
import type { LatchkeyDatabase } from '../schema.ts';
import { json, list, toCode, toToken } from './rows.ts';

/** Grants, codes and tokens: the credentials, with atomic single-use semantics. */

/** Runs `fn` in a transaction unless `db` already is one (kysely forbids nesting). */
export async function atomically<T>(db: Kysely<LatchkeyDatabase>, fn: (db: Kysely<LatchkeyDatabase>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

export function grantsRepository(db: Kysely<LatchkeyDatabase>): GrantsRepository {
  const revokeTokens = (trx: Kysely<LatchkeyDatabase>, grantIds: string[], now: number) =>
    grantIds.length === 0
      ? Promise.resolve()
      : trx.updateTable('tokens').set({ revoked_at: now }).where('grant_id', 'in', grantIds).where('revoked_at', 'is', null).execute();
  return {
    async create(g) {
      await db
        .insertInto('grants')
        .values({ id: g.id, client_id: g.clientId, user_id: g.userId, scope: json(g.scope), created_at: g.createdAt, revoked_at: null })
        .execute();
    },
    async findById(id) {
      const r = await db.selectFrom('grants').selectAll().where('id', '=', id).executeTakeFirst();
      return (
        r && {
          id: r.id,
          clientId: r.client_id,
          userId: r.user_id,
          scope: list(r.scope),
          createdAt: Number(r.created_at),
          revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
        }
      );
    },
    async revoke(id, now) {
      await atomically(db, async (trx) => {
        await trx.updateTable('grants').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).execute();
        await revokeTokens(trx, [id], now);
      });
    },
    async revokeByUserAndClient(userId, clientId, now) {
      await atomically(db, async (trx) => {
        const rows = await trx
          .updateTable('grants')
          .set({ revoked_at: now })
          .where('user_id', '=', userId)
          .where('client_id', '=', clientId)
          .where('revoked_at', 'is', null)
          .returning('id')
          .execute();
        await revokeTokens(trx, rows.map((r) => r.id), now);
      });
    },
  };
}

export function codesRepository(db: Kysely<LatchkeyDatabase>): CodesRepository {
  return {
    async create(c) {
      await db
        .insertInto('codes')
        .values({
          hash: c.hash,
          grant_id: c.grantId,
          client_id: c.clientId,
          user_id: c.userId,
          redirect_uri: c.redirectUri,
          redirect_uri_provided: Number(c.redirectUriProvided),
          scope: json(c.scope),
          code_challenge: c.codeChallenge,
          code_challenge_method: c.codeChallengeMethod,
          auth_time: c.authTime,
          expires_at: c.expiresAt,
          consumed_at: null,
        })
        .execute();
    },
    async consume(hash, now) {
      // The single UPDATE is the race arbiter: of two redemptions, exactly one sees consumed_at IS NULL.
      const won = await db
        .updateTable('codes')
        .set({ consumed_at: now })
        .where('hash', '=', hash)
        .where('consumed_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
      if (won) return { code: toCode(won) };
      const lost = await db.selectFrom('codes').selectAll().where('hash', '=', hash).executeTakeFirst();
      return lost && { replayed: toCode(lost) };
    },
  };
}

export function tokensRepository(db: Kysely<LatchkeyDatabase>): TokensRepository {
  return {
    async createMany(tokens) {
      if (tokens.length === 0) return;
      await db
        .insertInto('tokens')
        .values(
          tokens.map((t) => ({
            hash: t.hash,
            type: t.type,
            grant_id: t.grantId,
            client_id: t.clientId,
            user_id: t.userId,
            scope: json(t.scope),
            issued_at: t.issuedAt,
            expires_at: t.expiresAt,
            revoked_at: null,
            consumed_at: null,
          })),
        )
        .execute();
    },
    async findByHash(hash) {
      const row = await db.selectFrom('tokens').selectAll().where('hash', '=', hash).executeTakeFirst();
      return row && toToken(row);
    },
    async consumeRefresh(hash, now) {
      const won = await db
        .updateTable('tokens')
        .set({ consumed_at: now })
        .where('hash', '=', hash)
        .where('type', '=', 'refresh_token')
        .where('consumed_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
      if (won) return { token: toToken(won) };
      const lost = await db
        .selectFrom('tokens')
        .selectAll()
        .where('hash', '=', hash)
        .where('type', '=', 'refresh_token')
        .executeTakeFirst();
      return lost && { replayed: toToken(lost) };
    },
    async revoke(hash, now) {
      await db.updateTable('tokens').set({ revoked_at: now }).where('hash', '=', hash).where('revoked_at', 'is', null).execute();
    },
  };
}
