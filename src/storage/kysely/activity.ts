import { sql, type Kysely } from 'kysely';
import type { ActivityRepository } from '../../core/admin-repositories.ts';
import type { LatchkeyDatabase } from '../schema.ts';

/** The console overview's numbers (migration 006). Portable SQL: SQLite and PostgreSQL. */
export function activityRepository(db: Kysely<LatchkeyDatabase>): ActivityRepository {
  return {
    async addTokenCounts(counts) {
      if (counts.length === 0) return;
      await db
        .insertInto('token_counts')
        .values(counts.map((c) => ({ hour: c.hour, grant_type: c.grantType, count: c.count })))
        .onConflict((oc) => oc.columns(['hour', 'grant_type']).doUpdateSet((eb) => ({ count: eb('token_counts.count', '+', eb.ref('excluded.count')) })))
        .execute();
    },
    async tokenCounts(from, to) {
      const rows = await db.selectFrom('token_counts').selectAll().where('hour', '>=', from).where('hour', '<', to).execute();
      return rows.map((r) => ({ hour: Number(r.hour), grantType: r.grant_type, count: Number(r.count) }));
    },
    async auditCounts(types, from, to) {
      if (types.length === 0) return [];
      // The hour an event falls in: at - at % 3600, integer arithmetic on both backends.
      const hour = sql<number>`(at - at % 3600)`;
      const rows = await db
        .selectFrom('audit_events')
        .select(['type', hour.as('hour'), (eb) => eb.fn.countAll<number>().as('n')])
        .where('type', 'in', [...types])
        .where('at', '>=', from)
        .where('at', '<', to)
        .groupBy(['type', hour])
        .execute();
      return rows.map((r) => ({ hour: Number(r.hour), type: r.type, count: Number(r.n) }));
    },
  };
}
