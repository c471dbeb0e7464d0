import { z } from 'zod';
import { isoTime } from '../core/clock.ts';
import { SIGNING_ALGS, type SigningAlg } from '../core/keys/algorithms.ts';
import { keyView as coreKeyView, type KeyView } from '../core/keys/service.ts';
import { recordAction, type AdminContext } from './context.ts';
import { notFound } from './errors.ts';

/** Signing keys for the admin API and the console: list, rotate, retire (the same operations as `latchkey keys`). */

const iso = z.iso.datetime();

export const signingKeyView = z
  .object({
    kid: z.string(),
    alg: z.enum(SIGNING_ALGS),
    state: z.enum(['next', 'active', 'retired', 'expired']).describe('next: published, not signing yet; retired: published, no longer signing'),
    createdAt: iso,
    activatesAt: iso.describe('signs from then on'),
    retiredAt: iso.nullable().describe('stops signing then'),
    expiresAt: iso.nullable().describe('leaves the JWKS then'),
  })
  .strict();

export const signingKeyList = z.object({ items: z.array(signingKeyView) }).strict();

export const signingKeyRotate = z
  .object({
    alg: z.enum(SIGNING_ALGS).optional().describe('Only this algorithm; default: every algorithm.'),
    now: z.boolean().default(false)
      .describe('Sign with the new key at once (a compromised key); relying parties with a cached JWKS may fail until they refetch it.'),
  })
  .strict();

export const signingKeyRetire = z
  .object({ unpublish: z.boolean().default(false).describe('Remove it from the JWKS at once: tokens it signed stop validating.') })
  .strict();

export const signingKeyRotation = z.object({ created: z.array(signingKeyView), retired: z.array(z.string()) }).strict();
export const signingKeyRetirement = z.object({ retired: signingKeyView, replacement: signingKeyView.nullable() }).strict();

type SigningKeyView = z.output<typeof signingKeyView>;

export const toView = (k: KeyView): SigningKeyView => ({
  ...k,
  createdAt: isoTime(k.createdAt),
  activatesAt: isoTime(k.activatesAt),
  retiredAt: k.retiredAt === null ? null : isoTime(k.retiredAt),
  expiresAt: k.expiresAt === null ? null : isoTime(k.expiresAt),
});

/** Newest first within each algorithm, algorithms in their usual order. */
export async function listSigningKeys(ctx: AdminContext): Promise<{ items: SigningKeyView[] }> {
  const all = await ctx.deps.keys.list();
  all.sort((a, b) => SIGNING_ALGS.indexOf(a.alg) - SIGNING_ALGS.indexOf(b.alg) || b.createdAt - a.createdAt || a.kid.localeCompare(b.kid));
  return { items: all.map(toView) };
}

export async function rotateSigningKeys(ctx: AdminContext, body: { alg?: SigningAlg | undefined; now: boolean }): Promise<z.output<typeof signingKeyRotation>> {
  const now = ctx.deps.clock.now();
  const created: SigningKeyView[] = [];
  const retired: string[] = [];
  for (const alg of body.alg ? [body.alg] : SIGNING_ALGS) {
    const change = await ctx.deps.keys.rotate(alg, body.now);
    created.push(...change.created.map((k) => toView(coreKeyView(k, now))));
    retired.push(...change.retired);
  }
  recordAction(ctx, { type: 'signing_key.rotated', details: { kids: created.map((k) => k.kid), immediate: body.now } });
  return { created, retired };
}

export async function retireSigningKey(ctx: AdminContext, kid: string, body: { unpublish: boolean }): Promise<z.output<typeof signingKeyRetirement>> {
  const outcome = await ctx.deps.keys.retire(kid, body.unpublish);
  if (!outcome) throw notFound('signing key');
  const now = ctx.deps.clock.now();
  recordAction(ctx, { type: 'signing_key.retired', details: { kid, unpublish: body.unpublish, replacement: outcome.replacement?.kid ?? null } });
  return { retired: toView(coreKeyView(outcome.retired, now)), replacement: outcome.replacement ? toView(coreKeyView(outcome.replacement, now)) : null };
}
