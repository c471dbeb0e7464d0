import type { Kysely, Selectable } from 'kysely';
import type { AccessTokenFormat, Resource } from '../../core/model.ts';
import type { ResourcesRepository } from '../../core/repositories.ts';
import type { LatchkeyDatabase, ResourcesTable } from '../schema.ts';
import { atomically } from './grants.ts';
import { precompiled } from './precompiled.ts';
import { json, list } from './rows.ts';

/** Resources (RFC 8707): the APIs access tokens are issued for. */

const q = {
  findResource: precompiled((db, a) => db.selectFrom('resources').selectAll().where('id', '=', a<string>(0))),
};

const toResource = (r: Selectable<ResourcesTable>): Resource => ({
  id: r.id,
  name: r.name,
  scopes: list(r.scopes),
  accessTokenFormat: (r.access_token_format === 'jwt' ? 'jwt' : 'opaque') satisfies AccessTokenFormat,
  accessTokenTtl: r.access_token_ttl === null ? null : Number(r.access_token_ttl),
  introspectionClientId: r.introspection_client_id,
  dpopBoundAccessTokensRequired: Boolean(r.dpop_bound_access_tokens_required),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

export function resourcesRepository(db: Kysely<LatchkeyDatabase>): ResourcesRepository {
  return {
    async findById(id) {
      const [row] = (await q.findResource(db, [id])).rows;
      return row && toResource(row);
    },
    async list() {
      return (await db.selectFrom('resources').selectAll().orderBy('created_at').orderBy('id').execute()).map(toResource);
    },
    async create(r, now) {
      const row = {
        id: r.id,
        name: r.name,
        scopes: json(r.scopes),
        access_token_format: r.accessTokenFormat,
        access_token_ttl: r.accessTokenTtl,
        introspection_client_id: r.introspectionClientId,
        dpop_bound_access_tokens_required: Number(r.dpopBoundAccessTokensRequired),
        created_at: now,
        updated_at: now,
      };
      await db.insertInto('resources').values(row).execute();
      return toResource(row);
    },
    async update(id, patch, now) {
      const set: Partial<ResourcesTable> = { updated_at: now };
      if (patch.name !== undefined) set.name = patch.name;
      if (patch.scopes !== undefined) set.scopes = json(patch.scopes);
      if (patch.accessTokenFormat !== undefined) set.access_token_format = patch.accessTokenFormat;
      if (patch.accessTokenTtl !== undefined) set.access_token_ttl = patch.accessTokenTtl;
      if (patch.introspectionClientId !== undefined) set.introspection_client_id = patch.introspectionClientId;
      if (patch.dpopBoundAccessTokensRequired !== undefined) set.dpop_bound_access_tokens_required = Number(patch.dpopBoundAccessTokensRequired);
      const row = await db.updateTable('resources').set(set).where('id', '=', id).returningAll().executeTakeFirst();
      return row && toResource(row);
    },
    async delete(id, now) {
      // The access tokens issued for it die with it: nothing it was issued outlives it (as clients.delete).
      return atomically(db, async (trx) => {
        const res = await trx.deleteFrom('resources').where('id', '=', id).executeTakeFirst();
        if (Number(res.numDeletedRows) === 0) return undefined;
        const tokens = await trx.updateTable('tokens').set({ revoked_at: now }).where('resource', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
        return Number(tokens.numUpdatedRows);
      });
    },
  };
}
