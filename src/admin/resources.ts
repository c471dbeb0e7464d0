import { z } from 'zod';
import { isoTime } from '../core/clock.ts';
import { ACCESS_TOKEN_FORMATS, type Resource } from '../core/model.ts';
import { DPOP_OFF, resourceProblems } from '../core/resources/rules.ts';
import type { ResourcePatch } from '../core/repositories.ts';
import { recordAction, type AdminContext } from './context.ts';
import { conflict, invalidFields, notFound } from './errors.ts';
import { clientId, displayName, MAX_TTL, scopeName, seconds } from './schema-primitives.ts';

/**
 * Resources (APIs, RFC 8707) for the admin API, the console and `latchkey resources`: one set of operations, so the
 * three cannot disagree. The rules a resource must satisfy live in core/resources/rules.ts (the config file's too).
 */

export const resourceView = z
  .object({
    id: z.string().describe('The resource identifier (RFC 8707 §2): the `resource` parameter and the access tokens\' aud.'),
    name: z.string(),
    scopes: z.array(z.string()).describe('The scopes this API defines; a scope belongs to at most one resource.'),
    accessTokenFormat: z.enum(ACCESS_TOKEN_FORMATS).describe('jwt: RFC 9068 JWT access tokens; opaque: introspected (RFC 7662).'),
    accessTokenTtl: z.number().int().nullable().describe('Seconds; null: resourceTokens.jwtAccessTokenTtl for jwt, the client\'s lifetime for opaque.'),
    introspectionClientId: z.string().nullable().describe('The client the API authenticates as to introspect the tokens issued for it.'),
    dpopBoundAccessTokensRequired: z.boolean().describe('The API accepts only DPoP-bound access tokens (RFC 9449 §7.2): a token request for it without a DPoP proof is refused.'),
    declaredInConfig: z.boolean().describe('Declared in the configuration file: `latchkey start` writes it back as declared.'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .strict();
export type ResourceView = z.output<typeof resourceView>;

const fields = {
  name: displayName,
  scopes: z.array(scopeName).max(100).default([]),
  accessTokenFormat: z.enum(ACCESS_TOKEN_FORMATS).default('opaque'),
  accessTokenTtl: seconds(MAX_TTL).nullable().default(null),
  introspectionClientId: clientId.nullable().default(null),
  dpopBoundAccessTokensRequired: z.boolean({ error: 'true or false' }).default(false),
};

export const resourceCreate = z.object({ id: z.string().max(2000), ...fields }).strict();
export const resourceUpdate = z
  .object({
    name: fields.name.optional(),
    scopes: z.array(scopeName).max(100).optional(),
    accessTokenFormat: z.enum(ACCESS_TOKEN_FORMATS).optional(),
    accessTokenTtl: seconds(MAX_TTL).nullable().optional(),
    introspectionClientId: clientId.nullable().optional(),
    dpopBoundAccessTokensRequired: z.boolean({ error: 'true or false' }).optional(),
  })
  .strict();
export const resourceList = z.object({ items: z.array(resourceView) }).strict();
export const resourceDeletion = z.object({ revokedTokens: z.number().int() }).strict();

export function toResourceView(r: Resource, ctx: AdminContext): ResourceView {
  return {
    id: r.id,
    name: r.name,
    scopes: r.scopes,
    accessTokenFormat: r.accessTokenFormat,
    accessTokenTtl: r.accessTokenTtl,
    introspectionClientId: r.introspectionClientId,
    dpopBoundAccessTokensRequired: r.dpopBoundAccessTokensRequired,
    declaredInConfig: ctx.deps.config.resources.some((d) => d.id === r.id),
    createdAt: isoTime(r.createdAt),
    updatedAt: isoTime(r.updatedAt),
  };
}

export async function listResources(ctx: AdminContext): Promise<{ items: ResourceView[] }> {
  return { items: (await ctx.deps.repos.resources.list()).map((r) => toResourceView(r, ctx)) };
}

export async function findResource(ctx: AdminContext, id: string): Promise<Resource> {
  const r = await ctx.deps.repos.resources.findById(id);
  if (!r) throw notFound('resource');
  return r;
}

/** The whole resource checked (core rules, the introspection client exists); its new scopes added to the catalogue. */
async function check(ctx: AdminContext, r: Omit<Resource, 'createdAt' | 'updatedAt'>): Promise<void> {
  const problems = resourceProblems(r, await ctx.deps.repos.resources.list());
  if (r.introspectionClientId !== null && !(await ctx.deps.repos.clients.findById(r.introspectionClientId))) {
    problems['introspectionClientId'] = `no application "${r.introspectionClientId}"`;
  }
  if (r.dpopBoundAccessTokensRequired && !ctx.deps.config.dpop.enabled) problems['dpopBoundAccessTokensRequired'] = DPOP_OFF;
  if (Object.keys(problems).length > 0) throw invalidFields(problems);
}

/** Scopes the resource names that nobody defined yet are created, described by the resource's name. */
async function addScopes(ctx: AdminContext, r: Pick<Resource, 'name' | 'scopes'>): Promise<void> {
  const known = new Set((await ctx.deps.repos.scopes.findMany(r.scopes)).map((s) => s.name));
  for (const name of r.scopes.filter((s) => !known.has(s))) await ctx.deps.repos.scopes.upsert({ name, description: `${name} (${r.name})`, claims: [] });
}

export async function createResource(ctx: AdminContext, input: z.output<typeof resourceCreate>): Promise<ResourceView> {
  if (await ctx.deps.repos.resources.findById(input.id)) throw conflict('a resource with this identifier already exists', { id: 'already registered' });
  const resource = { ...input, scopes: [...new Set(input.scopes)] };
  await check(ctx, resource);
  await addScopes(ctx, resource);
  const created = await ctx.deps.repos.resources.create(resource, ctx.deps.clock.now());
  recordAction(ctx, { type: 'resource.created', details: { resource: created.id, name: created.name, scopes: created.scopes, format: created.accessTokenFormat } });
  return toResourceView(created, ctx);
}

export async function updateResource(ctx: AdminContext, id: string, patch: z.output<typeof resourceUpdate>): Promise<ResourceView> {
  const existing = await findResource(ctx, id);
  const changes: ResourcePatch = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
  if (changes.scopes) changes.scopes = [...new Set(changes.scopes)];
  const next = { ...existing, ...changes };
  await check(ctx, next);
  await addScopes(ctx, next);
  const updated = await ctx.deps.repos.resources.update(id, changes, ctx.deps.clock.now());
  if (!updated) throw notFound('resource');
  recordAction(ctx, { type: 'resource.updated', details: { resource: id, fields: Object.keys(changes) } });
  return toResourceView(updated, ctx);
}

/** Deletes the resource and revokes the access tokens issued for it (a refresh for it is then invalid_target). */
export async function deleteResource(ctx: AdminContext, id: string): Promise<{ revokedTokens: number }> {
  // Every request without `resource` would then be invalid_target.
  if (ctx.deps.config.resourceTokens.defaultResource === id) throw conflict('this is resourceTokens.defaultResource in the configuration: change that first');
  // A token exchange policy naming it would then allow an audience that no longer exists (every exchange for it
  // invalid_target) and stop a config-declared policy from loading at the next start.
  const listing = (await ctx.deps.repos.clients.list()).filter((c) => c.tokenExchange?.resources.includes(id)).map((c) => c.id);
  if (listing.length > 0) throw conflict(`the token exchange policy of ${listing.join(', ')} lists this resource: remove it there first`);
  const revoked = await ctx.deps.repos.resources.delete(id, ctx.deps.clock.now());
  if (revoked === undefined) throw notFound('resource');
  recordAction(ctx, { type: 'resource.deleted', details: { resource: id, revokedTokens: revoked } });
  return { revokedTokens: revoked };
}
