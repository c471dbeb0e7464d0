import type { Kysely, Selectable } from 'kysely';
import type { DeviceCode, DeviceCodesStore } from '../../core/device/port.ts';
import type { DeviceCodesTable, LatchkeyDatabase } from '../schema.ts';
import { json, list } from './rows.ts';

/** PostgreSQL returns bigint as a string. */
const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

function fromRow(r: Selectable<DeviceCodesTable>): DeviceCode {
  return {
    hash: r.hash,
    userCodeHash: r.user_code_hash,
    clientId: r.client_id,
    scope: list(r.scope),
    resources: r.resources === null ? [] : list(r.resources),
    status: r.status === 'approved' ? 'approved' : r.status === 'denied' ? 'denied' : 'pending',
    userId: r.user_id,
    authTime: num(r.auth_time),
    sid: r.sid,
    acr: r.acr,
    amr: r.amr === null ? null : list(r.amr),
    interval: Number(r.interval),
    lastPolledAt: num(r.last_polled_at),
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
    consumedAt: num(r.consumed_at),
  };
}

/** Device authorizations (RFC 8628): each state change is one conditional UPDATE, the race arbiter on every backend. */
export function deviceCodesRepository(db: Kysely<LatchkeyDatabase>): DeviceCodesStore {
  return {
    async create(c) {
      await db
        .insertInto('device_codes')
        .values({
          hash: c.hash,
          user_code_hash: c.userCodeHash,
          client_id: c.clientId,
          scope: json(c.scope),
          status: 'pending',
          user_id: null,
          auth_time: null,
          sid: null,
          acr: null,
          amr: null,
          interval: c.interval,
          last_polled_at: null,
          slowed: 0,
          created_at: c.createdAt,
          expires_at: c.expiresAt,
          consumed_at: null,
          resources: c.resources !== undefined && c.resources.length > 0 ? json(c.resources) : null,
        })
        .execute();
    },
    async find(hash) {
      const row = await db.selectFrom('device_codes').selectAll().where('hash', '=', hash).executeTakeFirst();
      return row && fromRow(row);
    },
    async findByUserCode(userCodeHash) {
      const row = await db.selectFrom('device_codes').selectAll().where('user_code_hash', '=', userCodeHash).executeTakeFirst();
      return row && fromRow(row);
    },
    async decide(userCodeHash, decision, now) {
      const set =
        decision.status === 'approved'
          ? { status: 'approved', user_id: decision.userId, auth_time: decision.authTime, sid: decision.sid, acr: decision.acr, amr: decision.amr === null ? null : json(decision.amr) }
          : { status: 'denied' };
      const rows = await db
        .updateTable('device_codes')
        .set(set)
        .where('user_code_hash', '=', userCodeHash)
        .where('status', '=', 'pending')
        .where('expires_at', '>', now)
        .returning('hash')
        .execute();
      return rows.length > 0;
    },
    async poll(hash, now) {
      // RFC 8628 §3.5: too soon means less than `interval` seconds since the previous poll. One statement reads the
      // previous poll and writes this one, so two nodes cannot both see an old last_polled_at.
      const row = await db
        .updateTable('device_codes')
        .set((eb) => {
          const tooSoon = eb.and([eb('last_polled_at', 'is not', null), eb('last_polled_at', '>', eb(eb.val(now), '-', eb.ref('interval')))]);
          return {
            slowed: eb.case().when(tooSoon).then(1).else(0).end(),
            interval: eb.case().when(tooSoon).then(eb(eb.ref('interval'), '+', 5)).else(eb.ref('interval')).end(),
            last_polled_at: now,
          };
        })
        .where('hash', '=', hash)
        .where('status', '=', 'pending')
        .returning(['slowed', 'interval'])
        .executeTakeFirst();
      return row && { slowDown: Number(row.slowed) === 1, interval: Number(row.interval) };
    },
    async consume(hash, now) {
      const row = await db
        .updateTable('device_codes')
        .set({ consumed_at: now })
        .where('hash', '=', hash)
        .where('status', '=', 'approved')
        .where('consumed_at', 'is', null)
        .where('expires_at', '>', now)
        .returningAll()
        .executeTakeFirst();
      return row && fromRow(row);
    },
  };
}
