import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { AuditDetail } from '../../core/audit.ts';
import {
  InvalidCursor,
  type AuditRepository,
  type ListingsRepository,
  type Page,
  type PageRequest,
  type SettingsRepository,
} from '../../core/admin-repositories.ts';
import type { LatchkeyDatabase } from '../schema.ts';
import { atomically } from './grants.ts';
import { endSessions } from './backchannel-outbox.ts';
import { list, toClient, toSession, toUser } from './rows.ts';

/** The audit log, run-time settings and paged listings (issue 6). Portable SQL: SQLite and PostgreSQL. */

type Db = Kysely<LatchkeyDatabase>;

/** An opaque cursor: the sort key of the last row of a page, as base64url JSON. */
const encodeCursor = (key: readonly (string | number)[]): string => Buffer.from(JSON.stringify(key)).toString('base64url');

function decodeCursor(cursor: string | undefined, shape: readonly ('string' | 'number')[]): (string | number)[] | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(key) && key.length === shape.length && key.every((v, i) => typeof v === shape[i])) return key as (string | number)[];
  } catch {
    // fall through
  }
  throw new InvalidCursor('the cursor is not one this listing handed out');
}

/** Takes `limit + 1` rows: the extra one only says whether there is a next page. */
function pageOf<R, T>(rows: R[], limit: number, map: (r: R) => T, key: (r: R) => (string | number)[]): Page<T> {
  const more = rows.length > limit;
  const shown = more ? rows.slice(0, limit) : rows;
  const last = shown[shown.length - 1];
  return { items: shown.map(map), nextCursor: more && last !== undefined ? encodeCursor(key(last)) : null };
}

/** `lower(column) LIKE %q%` with LIKE's wildcards escaped; an explicit ESCAPE behaves the same on both backends. */
function contains(column: string, q: string) {
  const pattern = `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<SqlBool>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
}

/** Rows after the cursor in (a, b) order, ascending or descending. */
function after(
  columns: readonly [string, string],
  key: readonly (string | number)[],
  descending: boolean,
): Expression<SqlBool> {
  const op = descending ? '<' : '>';
  const [a, b] = columns;
  const [ka, kb] = key;
  return sql<SqlBool>`(${sql.ref(a)} ${sql.raw(op)} ${ka} or (${sql.ref(a)} = ${ka} and ${sql.ref(b)} ${sql.raw(op)} ${kb}))`;
}

const num = (v: number | bigint | string | null): number | null => (v === null ? null : Number(v));

export function auditRepository(db: Db): AuditRepository {
  return {
    async append(e) {
      await db
        .insertInto('audit_events')
        .values({
          id: e.id,
          at: e.at,
          type: e.type,
          actor_user_id: e.actorUserId,
          actor_client_id: e.actorClientId,
          user_id: e.userId,
          client_id: e.clientId,
          ip: e.ip,
          details: JSON.stringify(e.details),
        })
        .execute();
    },
    async list(filter, page) {
      const key = decodeCursor(page.cursor, ['number', 'string']);
      let q = db.selectFrom('audit_events').selectAll();
      if (filter.type !== undefined) q = q.where('type', '=', filter.type);
      if (filter.actorUserId !== undefined) q = q.where('actor_user_id', '=', filter.actorUserId);
      const clientId = filter.clientId;
      if (clientId !== undefined) q = q.where((eb) => eb.or([eb('client_id', '=', clientId), eb('actor_client_id', '=', clientId)]));
      const userId = filter.userId;
      if (userId !== undefined) q = q.where((eb) => eb.or([eb('user_id', '=', userId), eb('actor_user_id', '=', userId)]));
      if (filter.since !== undefined) q = q.where('at', '>=', filter.since);
      if (filter.until !== undefined) q = q.where('at', '<=', filter.until);
      if (key) q = q.where(after(['at', 'id'], key, true));
      const rows = await q.orderBy('at', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute();
      return pageOf(
        rows,
        page.limit,
        (r) => ({
          id: r.id,
          at: Number(r.at),
          type: r.type,
          actorUserId: r.actor_user_id,
          actorClientId: r.actor_client_id,
          userId: r.user_id,
          clientId: r.client_id,
          ip: r.ip,
          details: JSON.parse(r.details) as Record<string, AuditDetail>,
        }),
        (r) => [Number(r.at), r.id],
      );
    },
  };
}

export function settingsRepository(db: Db): SettingsRepository {
  return {
    async all() {
      const rows = await db.selectFrom('settings').select(['key', 'value']).execute();
      return Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value) as unknown]));
    },
    set: (values, now) =>
      atomically(db, async (trx) => {
        for (const [key, value] of Object.entries(values)) {
          if (value === null) {
            await trx.deleteFrom('settings').where('key', '=', key).execute();
            continue;
          }
          const row = { key, value: JSON.stringify(value), updated_at: now };
          await trx
            .insertInto('settings')
            .values(row)
            .onConflict((oc) => oc.column('key').doUpdateSet({ value: row.value, updated_at: now }))
            .execute();
        }
      }),
  };
}

export function listingsRepository(db: Db): ListingsRepository {
  const limitOf = (page: PageRequest) => page.limit + 1;
  return {
    async clients(search, page) {
      const key = decodeCursor(page.cursor, ['number', 'string']);
      let q = db.selectFrom('clients').selectAll();
      if (search) q = q.where((eb) => eb.or([contains('id', search), contains('name', search)]));
      if (key) q = q.where(after(['created_at', 'id'], key, false));
      const rows = await q.orderBy('created_at').orderBy('id').limit(limitOf(page)).execute();
      return pageOf(rows, page.limit, toClient, (r) => [Number(r.created_at), r.id]);
    },
    async users(search, page) {
      const key = decodeCursor(page.cursor, ['string']);
      let q = db.selectFrom('users').selectAll();
      if (search) q = q.where((eb) => eb.or([contains('username', search), contains('name', search), contains('email', search)]));
      if (key) q = q.where('username', '>', String(key[0]));
      const rows = await q.orderBy('username').limit(limitOf(page)).execute();
      return pageOf(rows, page.limit, toUser, (r) => [r.username]);
    },
    async grants(filter, now, page) {
      const key = decodeCursor(page.cursor, ['number', 'string']);
      const usable = (eb: ExpressionBuilder<LatchkeyDatabase, 'tokens' | 'grants'>) =>
        eb.and([
          eb('tokens.grant_id', '=', eb.ref('grants.id')),
          eb('tokens.revoked_at', 'is', null),
          eb('tokens.consumed_at', 'is', null),
          eb.or([eb('tokens.expires_at', 'is', null), eb('tokens.expires_at', '>', now)]),
        ]);
      let q = db
        .selectFrom('grants')
        .selectAll('grants')
        .select((eb) => [
          eb.selectFrom('tokens').select((e) => e.fn.countAll<number>().as('n')).where((e) => usable(e)).as('active_tokens'),
          eb.selectFrom('tokens').select((e) => e.fn.max('tokens.issued_at').as('m')).whereRef('tokens.grant_id', '=', 'grants.id').as('last_issued_at'),
        ]);
      if (filter.userId !== undefined) q = q.where('grants.user_id', '=', filter.userId);
      if (filter.clientId !== undefined) q = q.where('grants.client_id', '=', filter.clientId);
      if (filter.activeOnly) {
        q = q.where('grants.revoked_at', 'is', null).where((eb) => eb.exists(eb.selectFrom('tokens').select('tokens.hash').where((e) => usable(e))));
      }
      if (key) q = q.where(after(['grants.created_at', 'grants.id'], key, true));
      const rows = await q.orderBy('grants.created_at', 'desc').orderBy('grants.id', 'desc').limit(limitOf(page)).execute();
      return pageOf(
        rows,
        page.limit,
        (r) => ({
          id: r.id,
          clientId: r.client_id,
          userId: r.user_id,
          scope: list(r.scope),
          createdAt: Number(r.created_at),
          revokedAt: num(r.revoked_at),
          activeTokens: Number(r.active_tokens ?? 0),
          lastIssuedAt: num(r.last_issued_at ?? null),
        }),
        (r) => [Number(r.created_at), r.id],
      );
    },
    async sessions(filter, now, page) {
      const key = decodeCursor(page.cursor, ['number', 'string']);
      let q = db.selectFrom('sessions').selectAll().where('expires_at', '>', now);
      if (filter.userId !== undefined) q = q.where('user_id', '=', filter.userId);
      if (key) q = q.where(after(['auth_time', 'hash'], key, true));
      const rows = await q.orderBy('auth_time', 'desc').orderBy('hash', 'desc').limit(limitOf(page)).execute();
      return pageOf(
        rows,
        page.limit,
        toSession,
        (r) => [Number(r.auth_time), r.hash],
      );
    },
    async consents(userId) {
      const rows = await db.selectFrom('consents').selectAll().where('user_id', '=', userId).orderBy('granted_at', 'desc').execute();
      return rows.map((r) => ({ userId: r.user_id, clientId: r.client_id, scope: list(r.scope), grantedAt: Number(r.granted_at) }));
    },
    // Back-Channel Logout 1.0 §2.7: as sessions.delete, the logouts to send commit with the end of the session.
    deleteSession: (hash) =>
      atomically(db, async (trx) => (await endSessions(trx, { hash })) > 0),
    revokeUserGrants: (userId, now) =>
      atomically(db, async (trx) => {
        await trx.updateTable('grants').set({ revoked_at: now }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
        const res = await trx.updateTable('tokens').set({ revoked_at: now }).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
        return Number(res.numUpdatedRows);
      }),
  };
}
