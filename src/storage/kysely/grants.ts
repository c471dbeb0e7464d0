import type { Kysely } from 'kysely';
import type { CodesRepository, GrantsRepository, TokensRepository } from '../../core/repositories.ts';
import type { LatchkeyDatabase } from '../schema.ts';
import { precompiled } from './precompiled.ts';
import { json, list, toClaimsRequest, toCode, toToken } from './rows.ts';

/** Grants, codes and tokens: the credentials, with atomic single-use semantics. */

/** The queries of the token endpoint and the authorization step, compiled once (precompiled.ts). */
const q = {
  insertGrant: precompiled((db, a) =>
    db.insertInto('grants').values({ id: a(0), client_id: a(1), user_id: a(2), scope: a(3), created_at: a(4), revoked_at: null, auth_time: a(5), claims: a(6), sid: a(7), acr: a(8), amr: a(9), resources: a(10), act: a(11) }),
  ),
  insertCode: precompiled((db, a) =>
    db.insertInto('codes').values({
      hash: a(0),
      grant_id: a(1),
      client_id: a(2),
      user_id: a(3),
      redirect_uri: a(4),
      redirect_uri_provided: a(5),
      scope: a(6),
      code_challenge: a(7),
      code_challenge_method: a(8),
      auth_time: a(9),
      expires_at: a(10),
      consumed_at: null,
      nonce: a(11),
      dpop_jkt: a(12),
    }),
  ),
  consumeCode: precompiled((db, a) =>
    db.updateTable('codes').set({ consumed_at: a(1) }).where('hash', '=', a<string>(0)).where('consumed_at', 'is', null).returningAll(),
  ),
  findCode: precompiled((db, a) => db.selectFrom('codes').selectAll().where('hash', '=', a<string>(0))),
  findToken: precompiled((db, a) => db.selectFrom('tokens').selectAll().where('hash', '=', a<string>(0))),
  consumeRefresh: precompiled((db, a) =>
    db
      .updateTable('tokens')
      .set({ consumed_at: a(1) })
      .where('hash', '=', a<string>(0))
      .where('type', '=', 'refresh_token')
      .where('consumed_at', 'is', null)
      .returningAll(),
  ),
  findRefresh: precompiled((db, a) => db.selectFrom('tokens').selectAll().where('hash', '=', a<string>(0)).where('type', '=', 'refresh_token')),
  /** One insert per number of rows (one access token; or with a refresh token, two). */
  insertTokens: [1, 2].map((n) =>
    precompiled((db, a) =>
      db.insertInto('tokens').values(
        Array.from({ length: n }, (_, i) => ({
          hash: a<string>(i * 12),
          type: a<string>(i * 12 + 1),
          grant_id: a<string>(i * 12 + 2),
          client_id: a<string>(i * 12 + 3),
          user_id: a<string | null>(i * 12 + 4),
          scope: a<string>(i * 12 + 5),
          issued_at: a<number>(i * 12 + 6),
          expires_at: a<number | null>(i * 12 + 7),
          revoked_at: null,
          consumed_at: null,
          parent_hash: a<string | null>(i * 12 + 8),
          resource: a<string | null>(i * 12 + 9),
          dpop_jkt: a<string | null>(i * 12 + 10),
          act: a<string | null>(i * 12 + 11),
        })),
      ),
    ),
  ),
};

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
      await q.insertGrant(db, [g.id, g.clientId, g.userId, json(g.scope), g.createdAt, g.authTime ?? null, g.claims ? JSON.stringify(g.claims) : null, g.sid ?? null, g.acr ?? null, g.amr ? json(g.amr) : null, g.resources && g.resources.length > 0 ? json(g.resources) : null, g.act ? JSON.stringify(g.act) : null]);
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
          authTime: r.auth_time === null ? null : Number(r.auth_time),
          claims: r.claims === null ? null : toClaimsRequest(r.claims),
          sid: r.sid,
          acr: r.acr,
          amr: r.amr === null ? null : list(r.amr),
          ...(r.resources === null ? {} : { resources: list(r.resources) }),
          ...(r.act === null ? {} : { act: JSON.parse(r.act) as Record<string, unknown> }),
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
    async userOfSession(sid, clientId) {
      const row = await db.selectFrom('grants').select('user_id').where('sid', '=', sid).where('client_id', '=', clientId).where('user_id', 'is not', null).limit(1).executeTakeFirst();
      return row?.user_id ?? undefined;
    },
  };
}

export function codesRepository(db: Kysely<LatchkeyDatabase>): CodesRepository {
  return {
    async create(c) {
      await q.insertCode(db, [
        c.hash,
        c.grantId,
        c.clientId,
        c.userId,
        c.redirectUri,
        Number(c.redirectUriProvided),
        json(c.scope),
        c.codeChallenge,
        c.codeChallengeMethod,
        c.authTime,
        c.expiresAt,
        c.nonce ?? null,
        c.dpopJkt ?? null,
      ]);
    },
    async consume(hash, now) {
      // The single UPDATE is the race arbiter: of two redemptions, exactly one sees consumed_at IS NULL.
      const [won] = (await q.consumeCode(db, [hash, now])).rows;
      if (won) return { code: toCode(won) };
      const [lost] = (await q.findCode(db, [hash])).rows;
      return lost && { replayed: toCode(lost) };
    },
    async find(hash) {
      const [row] = (await q.findCode(db, [hash])).rows;
      return row && toCode(row);
    },
  };
}

export function tokensRepository(db: Kysely<LatchkeyDatabase>): TokensRepository {
  return {
    async createMany(tokens) {
      if (tokens.length === 0) return;
      const rows = tokens.map((t) => ({
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
        parent_hash: t.parentHash ?? null,
        resource: t.resource ?? null,
        dpop_jkt: t.dpopJkt ?? null,
        act: t.act === undefined ? null : JSON.stringify(t.act),
      }));
      const insert = q.insertTokens[rows.length - 1];
      if (!insert) {
        await db.insertInto('tokens').values(rows).execute();
        return;
      }
      await insert(db, rows.flatMap((r) => [r.hash, r.type, r.grant_id, r.client_id, r.user_id, r.scope, r.issued_at, r.expires_at, r.parent_hash, r.resource, r.dpop_jkt, r.act]));
    },
    async findByHash(hash) {
      const [row] = (await q.findToken(db, [hash])).rows;
      return row && toToken(row);
    },
    async consumeRefresh(hash, now) {
      const [won] = (await q.consumeRefresh(db, [hash, now])).rows;
      if (won) return { token: toToken(won) };
      const [lost] = (await q.findRefresh(db, [hash])).rows;
      return lost && { replayed: toToken(lost) };
    },
    async supersedeSuccessor(parentHash, now) {
      // One statement decides, so racing retries cannot both win: on PostgreSQL the loser waits for the rows' locks and
      // then finds them revoked; SQLite runs one writer at a time. The successor is spent as well as revoked, so
      // presenting it later is a reuse that revokes the grant; its access token (same parent) is revoked with it.
      const successors = (s: 'live' | 'superseded') =>
        db
          .selectFrom('tokens as s')
          .select('s.hash')
          .where('s.parent_hash', '=', parentHash)
          .where('s.type', '=', 'refresh_token')
          .where((eb) => (s === 'live' ? eb.and([eb('s.revoked_at', 'is', null), eb('s.consumed_at', 'is', null)]) : eb('s.revoked_at', 'is not', null)));
      const rows = await db
        .updateTable('tokens')
        .set((eb) => ({ revoked_at: now, consumed_at: eb.case().when('type', '=', 'refresh_token').then(now).else(eb.ref('consumed_at')).end() }))
        .where('parent_hash', '=', parentHash)
        .where('revoked_at', 'is', null)
        .where((eb) => eb.or([eb('type', '=', 'access_token'), eb('consumed_at', 'is', null)]))
        .where((eb) => eb.and([eb.exists(successors('live')), eb.not(eb.exists(successors('superseded')))]))
        .returning('type')
        .execute();
      return rows.some((r) => r.type === 'refresh_token');
    },
    async revoke(hash, now) {
      await db.updateTable('tokens').set({ revoked_at: now }).where('hash', '=', hash).where('revoked_at', 'is', null).execute();
    },
  };
}
