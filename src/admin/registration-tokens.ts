import { z } from 'zod';
import { isoTime, type Clock } from '../core/clock.ts';
import { randomId, randomToken, sha256 } from '../core/crypto.ts';
import type { InitialAccessToken } from '../core/registration/port.ts';
import type { Repositories } from '../core/repositories.ts';
import { type AdminContext, recordAction } from './context.ts';
import { notFound } from './errors.ts';

/**
 * Initial access tokens for dynamic client registration in `token` mode (RFC 7591 §3): made by an operator (CLI,
 * admin API), handed to a developer, presented as a Bearer at /register. Shown once; stored as a SHA-256 hash.
 */

type Deps = { repos: Pick<Repositories, 'registrationTokens'>; clock: Clock };

/** A year: a token meant to last longer is better revoked and re-issued than forgotten. */
const MAX_EXPIRES_SECONDS = 365 * 24 * 3600;

export const registrationTokenCreate = z.strictObject({
  expiresInSeconds: z.number({ error: 'a whole number of seconds' }).int({ error: 'a whole number of seconds' }).min(60, { error: 'at least 60' })
    .max(MAX_EXPIRES_SECONDS, { error: `at most ${MAX_EXPIRES_SECONDS} (a year)` }).optional()
    .describe('Seconds until the token stops working; default: 7 days.'),
  maxUses: z.number({ error: 'a whole number' }).int({ error: 'a whole number' }).min(1, { error: 'at least 1' }).max(100_000).optional()
    .describe('Registrations the token allows; default: any number until it expires.'),
});

export const registrationTokenView = z.strictObject({
  id: z.string(),
  state: z.enum(['active', 'expired', 'used up', 'revoked']),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  maxUses: z.number().nullable(),
  uses: z.number(),
  revokedAt: z.string().nullable(),
});
export type RegistrationTokenView = z.infer<typeof registrationTokenView>;
export const registrationTokenList = z.strictObject({ items: z.array(registrationTokenView) });
export const registrationTokenCreated = z.strictObject({
  token: z.string().describe('Shown in this response only: hand it to the developer, who sends it as a Bearer to /register.'),
  registrationToken: registrationTokenView,
});

export const DEFAULT_EXPIRES_SECONDS = 7 * 24 * 3600;

export function registrationTokenState(t: InitialAccessToken, now: number): RegistrationTokenView['state'] {
  if (t.revokedAt !== null) return 'revoked';
  if (t.expiresAt !== null && t.expiresAt <= now) return 'expired';
  if (t.maxUses !== null && t.uses >= t.maxUses) return 'used up';
  return 'active';
}

export const viewOf = (t: InitialAccessToken, now: number): RegistrationTokenView => ({
  id: t.id,
  state: registrationTokenState(t, now),
  createdAt: isoTime(t.createdAt),
  expiresAt: t.expiresAt === null ? null : isoTime(t.expiresAt),
  maxUses: t.maxUses,
  uses: t.uses,
  revokedAt: t.revokedAt === null ? null : isoTime(t.revokedAt),
});

export async function createInitialAccessToken(deps: Deps, options: { expiresInSeconds?: number | undefined; maxUses?: number | undefined }): Promise<{ token: string; registrationToken: RegistrationTokenView }> {
  const now = deps.clock.now();
  const token = randomToken('initialAccessToken');
  const row: InitialAccessToken = {
    id: randomId(8),
    createdAt: now,
    expiresAt: now + (options.expiresInSeconds ?? DEFAULT_EXPIRES_SECONDS),
    maxUses: options.maxUses ?? null,
    uses: 0,
    revokedAt: null,
  };
  await deps.repos.registrationTokens.create({ ...row, hash: sha256(token) });
  return { token, registrationToken: viewOf(row, now) };
}

export async function listInitialAccessTokens(deps: Deps): Promise<RegistrationTokenView[]> {
  const now = deps.clock.now();
  return (await deps.repos.registrationTokens.list()).map((t) => viewOf(t, now));
}

/** False when there is no such token, or it was revoked already. */
export const revokeInitialAccessToken = (deps: Deps, id: string): Promise<boolean> => deps.repos.registrationTokens.revoke(id, deps.clock.now());

/** The admin API's operations: the same, with the actor in the audit log. */
export const api = {
  async create(ctx: AdminContext, body: z.output<typeof registrationTokenCreate>) {
    const created = await createInitialAccessToken(ctx.deps, body);
    recordAction(ctx, { type: 'registration_token.created', details: { id: created.registrationToken.id, maxUses: created.registrationToken.maxUses, expiresAt: created.registrationToken.expiresAt } });
    return created;
  },
  async list(ctx: AdminContext) {
    return { items: await listInitialAccessTokens(ctx.deps) };
  },
  async revoke(ctx: AdminContext, id: string) {
    if (!(await revokeInitialAccessToken(ctx.deps, id))) throw notFound('active registration token');
    recordAction(ctx, { type: 'registration_token.revoked', details: { id } });
  },
};
