import { z } from 'zod';
import { isoTime } from '../core/clock.ts';
import { USER_BY, type NewTrustedIssuer, type TrustedIssuer } from '../core/token-exchange/trusted-issuer-port.ts';
import { MAX_ISSUER_LENGTH, trustedIssuerProblems } from '../core/token-exchange/trusted-issuer-rules.ts';
import { recordAction, type AdminContext } from './context.ts';
import { conflict, invalidFields, notFound } from './errors.ts';
import { displayName } from './schema-primitives.ts';

/**
 * Trusted issuers (RFC 8693 `jwt` subject and actor tokens, RFC 7523 §2.1 JWT bearer assertions) for the admin API,
 * the console and `latchkey trusted-issuers`: one set of operations, so the three cannot disagree. The rules live in
 * core/token-exchange/trusted-issuer-rules.ts, which the config file's entries also pass.
 */

const userBy = z.enum(USER_BY as ['id', 'username']);
const jwkSet = z.object({ keys: z.array(z.record(z.string(), z.unknown())).min(1, { error: 'a JWK Set needs at least one key' }).max(100) }).strict();

export const trustedIssuerView = z
  .object({
    issuer: z.string().describe('The `iss` the JWTs carry, compared exactly; percent-encode it as one path segment.'),
    name: z.string(),
    jwks: jwkSet.nullable().describe('The issuer\'s public keys as a JWK Set; null when they are fetched from jwksUri.'),
    jwksUri: z.string().nullable().describe('Where the issuer\'s JWK Set is fetched (https); null with inline jwks.'),
    userClaim: z.string().describe('The claim that names the Latchkey user.'),
    userBy: userBy.describe('What that claim holds: a Latchkey user id or a username.'),
    declaredInConfig: z.boolean().describe('Declared in the configuration file (tokenExchange.trustedIssuers): `latchkey start` writes it back as declared.'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .strict();
export type TrustedIssuerView = z.output<typeof trustedIssuerView>;

const fields = {
  name: displayName.optional().describe('What the console and the CLI call it; the issuer when left out.'),
  jwks: jwkSet.nullable().optional().describe('The issuer\'s public keys (never a private or symmetric key). Exactly one of jwks and jwksUri.'),
  jwksUri: z.string().max(2000).nullable().optional().describe('Where to fetch the issuer\'s JWK Set (https).'),
  userClaim: z.string().max(200).default('sub'),
  userBy: userBy.default('username'),
};

export const trustedIssuerCreate = z.object({ issuer: z.string().max(MAX_ISSUER_LENGTH), ...fields }).strict();
/** PUT: the whole issuer but its iss, which the path names. */
export const trustedIssuerReplace = z.object(fields).strict();
export const trustedIssuerList = z.object({ items: z.array(trustedIssuerView) }).strict();

type Input = z.output<typeof trustedIssuerReplace>;

export function toTrustedIssuerView(t: TrustedIssuer, ctx: AdminContext): TrustedIssuerView {
  return {
    issuer: t.issuer,
    name: t.name,
    jwks: t.jwks,
    jwksUri: t.jwksUri,
    userClaim: t.userClaim,
    userBy: t.userBy,
    declaredInConfig: ctx.deps.config.tokenExchange.trustedIssuers.some((d) => d.issuer === t.issuer),
    createdAt: isoTime(t.createdAt),
    updatedAt: isoTime(t.updatedAt),
  };
}

export async function listTrustedIssuers(ctx: AdminContext): Promise<{ items: TrustedIssuerView[] }> {
  return { items: (await ctx.deps.repos.trustedIssuers.list()).map((t) => toTrustedIssuerView(t, ctx)) };
}

export async function findTrustedIssuer(ctx: AdminContext, issuer: string): Promise<TrustedIssuer> {
  const t = await ctx.deps.repos.trustedIssuers.find(issuer);
  if (!t) throw notFound('trusted issuer');
  return t;
}

/** The stored form, checked: exactly one of jwks and jwksUri, public keys only, an https jwksUri. */
function checked(ctx: AdminContext, issuer: string, input: Input): NewTrustedIssuer {
  const t: NewTrustedIssuer = { issuer, name: input.name ?? issuer, jwks: input.jwks ?? null, jwksUri: input.jwksUri ?? null, userClaim: input.userClaim, userBy: input.userBy };
  const problems = trustedIssuerProblems(t, { allowLoopbackHttp: ctx.deps.config.clientAssertions.jwksUriAllowLoopbackHttp });
  if (Object.keys(problems).length > 0) throw invalidFields(problems);
  return t;
}

/** Audit details: which issuer and where its keys come from; the keys themselves are public but long. */
const details = (t: NewTrustedIssuer) => ({ issuer: t.issuer, name: t.name, keys: t.jwksUri ?? `${t.jwks?.keys.length ?? 0} inline` });

export async function createTrustedIssuer(ctx: AdminContext, input: z.output<typeof trustedIssuerCreate>): Promise<TrustedIssuerView> {
  const { issuer, ...rest } = input;
  const t = checked(ctx, issuer, rest);
  if (await ctx.deps.repos.trustedIssuers.find(issuer)) throw conflict('this issuer is already trusted', { issuer: 'already trusted' });
  const created = await ctx.deps.repos.trustedIssuers.create(t, ctx.deps.clock.now());
  recordAction(ctx, { type: 'trusted_issuer.created', details: details(t) });
  return toTrustedIssuerView(created, ctx);
}

/** PUT (RFC 9110 §9.3.4): replaces the issuer, or creates it when there is none. */
export async function replaceTrustedIssuer(ctx: AdminContext, issuer: string, input: Input): Promise<{ view: TrustedIssuerView; created: boolean }> {
  const { issuer: _, ...changes } = checked(ctx, issuer, input);
  const now = ctx.deps.clock.now();
  const updated = await ctx.deps.repos.trustedIssuers.update(issuer, changes, now);
  if (updated) {
    recordAction(ctx, { type: 'trusted_issuer.updated', details: details(updated) });
    return { view: toTrustedIssuerView(updated, ctx), created: false };
  }
  const created = await ctx.deps.repos.trustedIssuers.create({ issuer, ...changes }, now);
  recordAction(ctx, { type: 'trusted_issuer.created', details: details(created) });
  return { view: toTrustedIssuerView(created, ctx), created: true };
}

/** JWTs of the issuer are refused from then on: at once on this node, within cacheTtlMs on the others. */
export async function deleteTrustedIssuer(ctx: AdminContext, issuer: string): Promise<void> {
  if (!(await ctx.deps.repos.trustedIssuers.delete(issuer))) throw notFound('trusted issuer');
  recordAction(ctx, { type: 'trusted_issuer.deleted', details: { issuer } });
}
