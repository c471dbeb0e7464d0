import type { z } from 'zod';
import { isoTime } from '../core/clock.ts';
import { randomId } from '../core/crypto.ts';
import type { User } from '../core/model.ts';
import { applyClaimsEdit } from '../core/oidc/claims-edit.ts';
import { hashPassword } from '../interaction/passwords.ts';
import type { Page } from '../core/admin-repositories.ts';
import { type AdminContext, type AdminDeps, isoOrNull, recordAction } from './context.ts';
import { conflict, notFound } from './errors.ts';
import type { UserView, passwordReset, userCreate, userUpdate } from './schemas.ts';

/** The people who sign in: list, read, create, update, disable and enable, reset the password, delete. */

export function userView(u: User, deps: Pick<AdminDeps, 'config'>): UserView {
  return {
    id: u.id,
    username: u.username,
    name: u.name,
    email: u.email,
    isAdmin: u.isAdmin,
    claims: u.claims,
    updatedAt: isoTime(u.updatedAt),
    disabled: u.disabledAt !== null,
    disabledAt: isoOrNull(u.disabledAt),
    createdAt: isoTime(u.createdAt),
    declaredInConfig: deps.config.users.some((d) => d.username === u.username),
  };
}

export async function listUsers(ctx: AdminContext, q: string | undefined, limit: number, cursor: string | undefined): Promise<Page<UserView>> {
  const page = await ctx.deps.repos.listings.users(q, { limit, cursor });
  return { items: page.items.map((u) => userView(u, ctx.deps)), nextCursor: page.nextCursor };
}

export async function findUser(ctx: AdminContext, id: string): Promise<User> {
  const user = await ctx.deps.repos.users.findById(id);
  if (!user) throw notFound('user');
  return user;
}

/** A generated password: 16 characters of base64url, about 96 bits. */
const generatePassword = () => randomId(12);

export async function createUser(ctx: AdminContext, input: z.output<typeof userCreate>): Promise<{ user: UserView; password?: string }> {
  const { repos, clock } = ctx.deps;
  if (await repos.users.findByUsername(input.username)) {
    throw conflict('a user with this username already exists', { username: 'this username is taken' });
  }
  const generated = input.password === undefined ? generatePassword() : undefined;
  const profile = applyClaimsEdit({ name: null, email: null, claims: {} }, input.claims ? { claims: input.claims } : {}, clock.now());
  const user = await repos.users.create(
    {
      id: randomId(),
      username: input.username,
      passwordHash: await hashPassword(input.password ?? generated ?? ''),
      name: input.name,
      email: input.email,
      isAdmin: input.isAdmin,
      ...(profile.claims ? { claims: profile.claims } : {}),
    },
    clock.now(),
  );
  recordAction(ctx, { type: 'user.created', userId: user.id, details: { username: user.username, isAdmin: user.isAdmin } });
  return { user: userView(user, ctx.deps), ...(generated === undefined ? {} : { password: generated }) };
}

/**
 * Refuses what would lock the acting administrator out. (The last administrator is always the one acting, since
 * only an administrator can act, so this also keeps at least one administrator.)
 */
function refuseSelf(ctx: AdminContext, user: User, what: string, field?: string): void {
  const message = `you cannot ${what} your own account`;
  if (user.id === ctx.actor.userId) throw conflict(message, field ? { [field]: message } : undefined);
}

export async function updateUser(ctx: AdminContext, id: string, patch: z.output<typeof userUpdate>): Promise<UserView> {
  const user = await findUser(ctx, id);
  if (patch.isAdmin === false && user.isAdmin) refuseSelf(ctx, user, 'remove administrator rights from', 'isAdmin');
  const { isAdmin, ...edit } = patch;
  const changes = { ...applyClaimsEdit(user, edit, ctx.deps.clock.now()), ...(isAdmin === undefined ? {} : { isAdmin }) };
  const updated = await ctx.deps.repos.users.update(id, changes);
  if (!updated) throw notFound('user');
  recordAction(ctx, { type: 'user.updated', userId: id, details: { username: user.username, fields: Object.keys(changes) } });
  return userView(updated, ctx.deps);
}

/** A disabled user cannot sign in; their sessions end and every token they hold is revoked. */
export async function disableUser(ctx: AdminContext, id: string): Promise<UserView> {
  const user = await findUser(ctx, id);
  if (user.disabledAt !== null) return userView(user, ctx.deps);
  refuseSelf(ctx, user, 'disable');
  const now = ctx.deps.clock.now();
  const updated = await ctx.deps.repos.users.update(id, { disabledAt: now });
  await ctx.deps.repos.sessions.deleteAllForUser(id);
  const revoked = await ctx.deps.repos.listings.revokeUserGrants(id, now);
  recordAction(ctx, { type: 'user.disabled', userId: id, details: { username: user.username, revokedTokens: revoked } });
  return userView(updated ?? user, ctx.deps);
}

export async function enableUser(ctx: AdminContext, id: string): Promise<UserView> {
  const user = await findUser(ctx, id);
  if (user.disabledAt === null) return userView(user, ctx.deps);
  const updated = await ctx.deps.repos.users.update(id, { disabledAt: null });
  recordAction(ctx, { type: 'user.enabled', userId: id, details: { username: user.username } });
  return userView(updated ?? user, ctx.deps);
}

/** Sets the given password or a generated one (returned once), and ends the user's sessions. */
export async function resetPassword(ctx: AdminContext, id: string, input: z.output<typeof passwordReset>): Promise<{ user: UserView; password?: string }> {
  const user = await findUser(ctx, id);
  const generated = input.password === undefined ? generatePassword() : undefined;
  await ctx.deps.repos.users.update(id, { passwordHash: await hashPassword(input.password ?? generated ?? '') });
  await ctx.deps.repos.sessions.deleteAllForUser(id);
  recordAction(ctx, { type: 'user.password_reset', userId: id, details: { username: user.username, generated: generated !== undefined } });
  return { user: userView(user, ctx.deps), ...(generated === undefined ? {} : { password: generated }) };
}

export async function deleteUser(ctx: AdminContext, id: string): Promise<void> {
  const user = await findUser(ctx, id);
  refuseSelf(ctx, user, 'delete');
  const revoked = await ctx.deps.repos.users.delete(id, ctx.deps.clock.now());
  if (revoked === undefined) throw notFound('user');
  recordAction(ctx, { type: 'user.deleted', userId: id, details: { username: user.username, revokedTokens: revoked } });
}
