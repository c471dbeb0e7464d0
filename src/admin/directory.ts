import { z } from 'zod';
import { isoTime } from '../core/clock.ts';
import type { Scope } from '../core/model.ts';
import type { AuditFilter, Page } from '../core/admin-repositories.ts';
import { browserSummary } from '../interaction/browser-summary.ts';
import { isBuiltInScope } from './built-in.ts';
import { type AdminContext, isoOrNull, recordAction } from './context.ts';
import { conflict, invalidFields, notFound } from './errors.ts';
import { parseOr422 } from './errors.ts';
import {
  scopeName,
  type AuditEventView,
  type GrantView,
  type ScopeView,
  type SessionView,
  type TokenSettingsView,
  type scopeSave,
  type tokenSettingsUpdate,
} from './schemas.ts';
import { TOKEN_SETTING_NAMES } from './settings.ts';

/** Scopes, token settings, grants and sessions, and the audit log. */

// Scopes

export const scopeView = (s: Scope): ScopeView => ({ name: s.name, description: s.description, claims: s.claims, builtIn: isBuiltInScope(s.name) });

export async function listScopes(ctx: AdminContext): Promise<ScopeView[]> {
  return (await ctx.deps.repos.scopes.list()).map(scopeView);
}

/** Creates or replaces a scope; `created` tells which. */
export async function saveScope(ctx: AdminContext, name: string, input: z.output<typeof scopeSave>): Promise<{ scope: ScopeView; created: boolean }> {
  parseOr422(z.object({ name: scopeName }), { name });
  if (isBuiltInScope(name)) throw conflict(`the ${name} scope is built into Latchkey and cannot be changed`);
  const created = (await ctx.deps.repos.scopes.findMany([name])).length === 0;
  const scope: Scope = { name, description: input.description, claims: [...new Set(input.claims)] };
  await ctx.deps.repos.scopes.upsert(scope);
  recordAction(ctx, { type: 'scope.saved', details: { scope: name, created } });
  return { scope: scopeView(scope), created };
}

/** A scope an application lists cannot go: its authorization requests would start failing. */
export async function deleteScope(ctx: AdminContext, name: string): Promise<void> {
  if (isBuiltInScope(name)) throw conflict(`the ${name} scope is built into Latchkey and cannot be deleted`);
  if ((await ctx.deps.repos.scopes.findMany([name])).length === 0) throw notFound('scope');
  const users = (await ctx.deps.repos.clients.list()).filter((c) => c.scopes.includes(name)).map((c) => c.id);
  if (users.length > 0) throw conflict(`applications still list this scope: ${users.join(', ')}`);
  await ctx.deps.repos.scopes.delete(name);
  recordAction(ctx, { type: 'scope.deleted', details: { scope: name } });
}

// Token settings

export async function tokenSettings(ctx: AdminContext): Promise<TokenSettingsView> {
  const live = ctx.deps.tokenSettings;
  await live.reload();
  const t = ctx.deps.config.tokens;
  return {
    accessTokenTtl: t.accessTokenTtl,
    refreshTokenTtl: t.refreshTokenTtl,
    codeTtl: t.codeTtl,
    refreshTokenGraceSeconds: t.refreshTokenGraceSeconds,
    configured: { ...live.configured },
    overridden: Object.keys(await live.overridden()),
  };
}

export async function updateTokenSettings(ctx: AdminContext, input: z.output<typeof tokenSettingsUpdate>): Promise<TokenSettingsView> {
  const changed = TOKEN_SETTING_NAMES.filter((n) => input[n] !== undefined);
  if (changed.length === 0) throw invalidFields({ body: 'give at least one setting to change' });
  await ctx.deps.tokenSettings.update(input, ctx.deps.clock.now());
  recordAction(ctx, { type: 'settings.updated', details: Object.fromEntries(changed.map((n) => [n, input[n] ?? 'config file'])) });
  return tokenSettings(ctx);
}

// Grants and sessions

/** Looks up names for ids once per listing. */
function nameCache(ctx: AdminContext) {
  const clients = new Map<string, Promise<string | null>>();
  const users = new Map<string, Promise<string | null>>();
  const memo = (map: Map<string, Promise<string | null>>, id: string, load: () => Promise<string | null>) => {
    let p = map.get(id);
    if (!p) map.set(id, (p = load()));
    return p;
  };
  return {
    client: (id: string) => memo(clients, id, async () => (await ctx.deps.repos.clients.findById(id))?.name ?? null),
    user: (id: string | null) => (id === null ? Promise.resolve(null) : memo(users, id, async () => (await ctx.deps.repos.users.findById(id))?.username ?? null)),
  };
}

export async function listGrants(
  ctx: AdminContext,
  filter: { userId?: string | undefined; clientId?: string | undefined; activeOnly: boolean },
  limit: number,
  cursor: string | undefined,
): Promise<Page<GrantView>> {
  const page = await ctx.deps.repos.listings.grants(filter, ctx.deps.clock.now(), { limit, cursor });
  const names = nameCache(ctx);
  const items = await Promise.all(
    page.items.map(async (g) => ({
      id: g.id,
      clientId: g.clientId,
      clientName: await names.client(g.clientId),
      userId: g.userId,
      username: await names.user(g.userId),
      scope: g.scope,
      createdAt: isoTime(g.createdAt),
      revokedAt: isoOrNull(g.revokedAt),
      activeTokens: g.activeTokens,
      lastIssuedAt: isoOrNull(g.lastIssuedAt),
    })),
  );
  return { items, nextCursor: page.nextCursor };
}

/** Revokes the grant and every token under it. */
export async function revokeGrant(ctx: AdminContext, id: string): Promise<void> {
  const grant = await ctx.deps.repos.grants.findById(id);
  if (!grant) throw notFound('grant');
  await ctx.deps.repos.grants.revoke(id, ctx.deps.clock.now());
  recordAction(ctx, { type: 'grant.revoked', userId: grant.userId, clientId: grant.clientId, details: { grantId: id } });
}

/** A session's id is its stored hash (SHA-256 of the cookie value): it names the session and cannot be used as one. */
export async function listSessions(ctx: AdminContext, userId: string | undefined, limit: number, cursor: string | undefined): Promise<Page<SessionView>> {
  const page = await ctx.deps.repos.listings.sessions({ userId }, ctx.deps.clock.now(), { limit, cursor });
  const names = nameCache(ctx);
  const items = await Promise.all(
    page.items.map(async (s) => ({
      id: s.hash,
      userId: s.userId,
      username: await names.user(s.userId),
      clientId: s.clientId ?? null,
      clientName: s.clientId ? await names.client(s.clientId) : null,
      address: s.address ?? null,
      userAgent: s.userAgent ?? null,
      browser: browserSummary(s.userAgent),
      signedInAt: isoTime(s.authTime),
      lastUsedAt: isoTime(s.lastUsedAt ?? s.authTime),
      expiresAt: isoTime(s.expiresAt),
    })),
  );
  return { items, nextCursor: page.nextCursor };
}

/** Ends one SSO session. */
export async function revokeSession(ctx: AdminContext, id: string): Promise<void> {
  const session = await ctx.deps.repos.sessions.findActive(id, ctx.deps.clock.now());
  if (!session || !(await ctx.deps.repos.listings.deleteSession(id))) throw notFound('session');
  recordAction(ctx, { type: 'session.revoked', userId: session.userId });
}

/** Ends every session of a user (they must sign in again; their tokens stay valid until revoked). */
export async function endUserSessions(ctx: AdminContext, userId: string): Promise<void> {
  if (!(await ctx.deps.repos.users.findById(userId))) throw notFound('user');
  await ctx.deps.repos.sessions.deleteAllForUser(userId);
  recordAction(ctx, { type: 'session.revoked', userId, details: { all: true } });
}

// The audit log

export async function listAuditEvents(ctx: AdminContext, filter: AuditFilter, limit: number, cursor: string | undefined): Promise<Page<AuditEventView>> {
  await ctx.deps.audit.flush();
  const page = await ctx.deps.repos.audit.list(filter, { limit, cursor });
  const names = nameCache(ctx);
  const items = await Promise.all(
    page.items.map(async (e) => ({
      id: e.id,
      at: isoTime(e.at),
      type: e.type,
      actorUserId: e.actorUserId,
      actorUsername: await names.user(e.actorUserId),
      actorClientId: e.actorClientId,
      userId: e.userId,
      clientId: e.clientId,
      ip: e.ip,
      details: e.details as AuditEventView['details'],
    })),
  );
  return { items, nextCursor: page.nextCursor };
}
