import type { Kysely } from 'kysely';
import type {
  ClientsRepository,
  ConsentsRepository,
  ScopesRepository,
  UsersRepository,
} from '../../core/repositories.ts';
import type { LatchkeyDatabase, UsersTable } from '../schema.ts';
import { atomically } from './grants.ts';
import { precompiled } from './precompiled.ts';
import { fromClient, json, list, toClient, toUser } from './rows.ts';
import { endSessions } from './backchannel-outbox.ts';

/** Lookups on the hot paths, compiled once (precompiled.ts). */
const q = {
  findClient: precompiled((db, a) => db.selectFrom('clients').selectAll().where('id', '=', a<string>(0))),
  findUser: precompiled((db, a) => db.selectFrom('users').selectAll().where('id', '=', a<string>(0))),
  findConsent: precompiled((db, a) =>
    db.selectFrom('consents').selectAll().where('user_id', '=', a<string>(0)).where('client_id', '=', a<string>(1)),
  ),
};

/** Clients, users, scopes and consents: the directory an operator manages. */

/**
 * Deletes a client or user and, in one transaction, revokes the grants and tokens issued under it and removes its
 * other rows, so nothing it was issued outlives it. Returns the number of tokens revoked, or undefined if absent.
 */
function deleteWithEverythingIssued(
  db: Kysely<LatchkeyDatabase>,
  table: 'clients' | 'users',
  column: 'client_id' | 'user_id',
  id: string,
  now: number,
  forget: readonly ('codes' | 'consents' | 'sessions' | 'interactions' | 'device_codes')[],
): Promise<number | undefined> {
  return atomically(db, async (trx) => {
    const res = await trx.deleteFrom(table).where('id', '=', id).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) return undefined;
    await trx.updateTable('grants').set({ revoked_at: now }).where(column, '=', id).where('revoked_at', 'is', null).execute();
    const tokens = await trx.updateTable('tokens').set({ revoked_at: now }).where(column, '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    for (const t of forget) {
      // Back-Channel Logout 1.0 §2.7: the user's sessions end, so their logouts are queued in this transaction.
      if (t === 'sessions') await endSessions(trx, { userId: id });
      // sessions and interactions have only user_id; the caller lists them for users only.
      else await trx.deleteFrom(t).where(column as 'user_id', '=', id).execute();
    }
    return Number(tokens.numUpdatedRows);
  });
}

export function clientsRepository(db: Kysely<LatchkeyDatabase>): ClientsRepository {
  return {
    async findById(id) {
      const [row] = (await q.findClient(db, [id])).rows;
      return row && toClient(row);
    },
    async list() {
      const rows = await db.selectFrom('clients').selectAll().orderBy('created_at').orderBy('id').execute();
      return rows.map(toClient);
    },
    async count() {
      const row = await db.selectFrom('clients').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async countByOrigin(origin) {
      const row = await db.selectFrom('clients').select((eb) => eb.fn.countAll<number>().as('n')).where('origin', '=', origin).executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async create(client, now) {
      const row = { ...fromClient(client), created_at: now, updated_at: now } as Parameters<typeof toClient>[0];
      await db.insertInto('clients').values(row).execute();
      return toClient(row);
    },
    async update(id, patch, now) {
      const values = { ...fromClient(patch), updated_at: now };
      const row = await db.updateTable('clients').set(values).where('id', '=', id).returningAll().executeTakeFirst();
      return row && toClient(row);
    },
    delete: (id, now) => deleteWithEverythingIssued(db, 'clients', 'client_id', id, now, ['codes', 'consents', 'device_codes']),
  };
}

export function usersRepository(db: Kysely<LatchkeyDatabase>): UsersRepository {
  return {
    async findById(id) {
      const [row] = (await q.findUser(db, [id])).rows;
      return row && toUser(row);
    },
    async findByUsername(username) {
      const row = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
      return row && toUser(row);
    },
    async list() {
      return (await db.selectFrom('users').selectAll().orderBy('username').execute()).map(toUser);
    },
    async create(user, now) {
      const row: UsersTable = {
        id: user.id,
        username: user.username,
        password_hash: user.passwordHash,
        name: user.name,
        email: user.email,
        is_admin: Number(user.isAdmin),
        created_at: now,
        disabled_at: null,
        claims: JSON.stringify(user.claims ?? {}),
        updated_at: now,
      };
      await db.insertInto('users').values(row).execute();
      return toUser(row);
    },
    async update(id, patch) {
      const values: Partial<UsersTable> = {};
      if (patch.passwordHash !== undefined) values.password_hash = patch.passwordHash;
      if (patch.name !== undefined) values.name = patch.name;
      if (patch.email !== undefined) values.email = patch.email;
      if (patch.isAdmin !== undefined) values.is_admin = Number(patch.isAdmin);
      if (patch.disabledAt !== undefined) values.disabled_at = patch.disabledAt;
      if (patch.claims !== undefined) values.claims = JSON.stringify(patch.claims);
      if (patch.updatedAt !== undefined) values.updated_at = patch.updatedAt;
      if (Object.keys(values).length === 0) return this.findById(id);
      const row = await db.updateTable('users').set(values).where('id', '=', id).returningAll().executeTakeFirst();
      return row && toUser(row);
    },
    delete: (id, now) => deleteWithEverythingIssued(db, 'users', 'user_id', id, now, ['codes', 'sessions', 'consents', 'interactions', 'device_codes']),
  };
}

export function scopesRepository(db: Kysely<LatchkeyDatabase>): ScopesRepository {
  const toScope = (r: { name: string; description: string; claims: string }) => ({
    name: r.name,
    description: r.description,
    claims: list(r.claims),
  });
  return {
    async list() {
      return (await db.selectFrom('scopes').selectAll().orderBy('name').execute()).map(toScope);
    },
    async findMany(names) {
      if (names.length === 0) return [];
      return (await db.selectFrom('scopes').selectAll().where('name', 'in', [...names]).execute()).map(toScope);
    },
    async upsert(scope) {
      const row = { name: scope.name, description: scope.description, claims: json(scope.claims) };
      await db
        .insertInto('scopes')
        .values(row)
        .onConflict((oc) => oc.column('name').doUpdateSet({ description: row.description, claims: row.claims }))
        .execute();
    },
    async delete(name) {
      const res = await db.deleteFrom('scopes').where('name', '=', name).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },
  };
}

export function consentsRepository(db: Kysely<LatchkeyDatabase>): ConsentsRepository {
  return {
    async find(userId, clientId) {
      const [row] = (await q.findConsent(db, [userId, clientId])).rows;
      return row && { userId, clientId, scope: list(row.scope), grantedAt: Number(row.granted_at) };
    },
    async upsert(c) {
      const row = { user_id: c.userId, client_id: c.clientId, scope: json(c.scope), granted_at: c.grantedAt };
      await db
        .insertInto('consents')
        .values(row)
        .onConflict((oc) => oc.columns(['user_id', 'client_id']).doUpdateSet({ scope: row.scope, granted_at: row.granted_at }))
        .execute();
    },
    async delete(userId, clientId) {
      await db.deleteFrom('consents').where('user_id', '=', userId).where('client_id', '=', clientId).execute();
    },
  };
}
