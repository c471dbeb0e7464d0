import type { Config } from '../../config/schema.ts';
import type { SigningAlg } from './algorithms.ts';
import type { SigningKey } from './port.ts';

/** A key's state at a moment, derived from its times (port.ts): nothing is written when a key changes state. */
export type KeyState = 'next' | 'active' | 'retired' | 'expired';

export function keyState(key: SigningKey, now: number): KeyState {
  if (key.expiresAt !== null && key.expiresAt <= now) return 'expired';
  if (key.retiredAt !== null && key.retiredAt <= now) return 'retired';
  return key.activatesAt > now ? 'next' : 'active';
}

/** Published in the JWKS: every key that has not expired, so relying parties learn a key before it signs (next) and
 * keep it while tokens it signed are still valid (retired). */
export const isPublished = (key: SigningKey, now: number): boolean => keyState(key, now) !== 'expired';

/** The key that signs for `alg` now: the active one activated last (only one, unless an operator overlapped them). */
export function currentKey(keys: readonly SigningKey[], alg: SigningAlg, now: number): SigningKey | undefined {
  let best: SigningKey | undefined;
  for (const k of keys) {
    if (k.alg !== alg || keyState(k, now) !== 'active') continue;
    if (!best || k.activatesAt > best.activatesAt || (k.activatesAt === best.activatesAt && k.createdAt > best.createdAt)) best = k;
  }
  return best;
}

/** The key waiting to sign for `alg`, if a rotation is under way. */
export const nextKey = (keys: readonly SigningKey[], alg: SigningAlg, now: number): SigningKey | undefined =>
  keys.filter((k) => k.alg === alg && keyState(k, now) === 'next').sort((a, b) => a.activatesAt - b.activatesAt)[0];

export interface KeySettings {
  /** Rotate a key that has signed this long (seconds); 0: never automatically. */
  rotateAfterSeconds: number;
  /** A new key is published this long before it signs: longer than any cache of the JWKS. */
  publishAheadSeconds: number;
  /**
   * How long a retired key stays published: the longest lifetime of anything it signed, plus clock skew. Every token
   * type that is signed with these keys must join this maximum (logout tokens, userinfo and introspection JWTs...).
   */
  retainSeconds: number;
}

/** Relying parties' clocks may run this far behind ours (OpenID Connect Core §3.1.3.7 leaves the leeway to them). */
export const CLOCK_SKEW_SECONDS = 60;

/** The longest lifetime of a token signed with these keys: access tokens may become JWTs, ID tokens are. */
export const longestSignedTokenLifetime = (tokens: Config['tokens']): number => Math.max(tokens.accessTokenTtl, tokens.idTokenTtl);

export function keySettings(config: Pick<Config, 'keys' | 'tokens'>): KeySettings {
  return {
    rotateAfterSeconds: config.keys.rotationDays * 86_400,
    publishAheadSeconds: config.keys.publishAheadSeconds ?? 2 * config.keys.jwksMaxAgeSeconds,
    retainSeconds: longestSignedTokenLifetime(config.tokens) + CLOCK_SKEW_SECONDS,
  };
}
