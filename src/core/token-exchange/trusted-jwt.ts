import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { InvalidGrant } from '../errors.ts';
import type { User } from '../model.ts';
import type { TrustedIssuer, TrustedIssuersStore } from './trusted-issuer-port.ts';

/** Asymmetric algorithms only: a trusted issuer shares no secret with Latchkey (RFC 8725 §3.1). */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/**
 * Key sets by issuer, kept while the stored keys stay the same: an edit (new jwks or jwksUri) is a new source, so
 * the next JWT builds a new key set (a remote one keeps jose's fetch cache and cooldown while it lives). Content
 * rather than updatedAt decides, since two edits may share a second. Bounded: a forgotten issuer's entry goes when
 * it is next looked up in vain, and the map never holds more than MAX_KEY_SETS.
 */
const MAX_KEY_SETS = 256;
const keySets = new Map<string, { source: string; keys: JWTVerifyGetKey }>();

function keysOf(trusted: TrustedIssuer): JWTVerifyGetKey {
  const source = trusted.jwksUri ?? JSON.stringify(trusted.jwks);
  const known = keySets.get(trusted.issuer);
  if (known?.source === source) return known.keys;
  const keys = trusted.jwks ? createLocalJWKSet(trusted.jwks as unknown as JSONWebKeySet) : createRemoteJWKSet(new URL(trusted.jwksUri ?? ''));
  keySets.delete(trusted.issuer);
  if (keySets.size >= MAX_KEY_SETS) keySets.delete(keySets.keys().next().value ?? '');
  keySets.set(trusted.issuer, { source, keys });
  return keys;
}

/** The stored trusted issuer a JWT claims to come from (its unverified `iss`), or undefined. */
export async function trustedIssuerOf(issuers: Pick<TrustedIssuersStore, 'find'>, jwt: string): Promise<TrustedIssuer | undefined> {
  let iss: unknown;
  try {
    iss = decodeJwt(jwt).iss;
  } catch {
    return undefined;
  }
  if (typeof iss !== 'string') return undefined;
  const trusted = await issuers.find(iss);
  if (!trusted) keySets.delete(iss);
  return trusted;
}

/**
 * A JWT of a stored trusted issuer (looked up by its unverified `iss`), verified: signature by one of its keys, `iss`,
 * `exp` (required), and, when `audience` is given, `aud` (RFC 7523 §3 items 1-4). Anything else is invalid_grant
 * (RFC 7523 §3.1, RFC 8693 §2.2.2): the message never quotes the token.
 */
export async function verifyTrustedJwt(issuers: Pick<TrustedIssuersStore, 'find'>, jwt: string, now: number, audience?: string | string[]): Promise<{ trusted: TrustedIssuer; claims: JWTPayload }> {
  const trusted = await trustedIssuerOf(issuers, jwt);
  if (!trusted) throw new InvalidGrant('the JWT is not from a trusted issuer');
  try {
    const { payload } = await jwtVerify(jwt, keysOf(trusted), {
      issuer: trusted.issuer,
      algorithms: ALGORITHMS,
      requiredClaims: ['exp', 'sub'],
      currentDate: new Date(now * 1000),
      clockTolerance: 30,
      ...(audience === undefined ? {} : { audience }),
    });
    return { trusted, claims: payload };
  } catch {
    throw new InvalidGrant('the JWT is invalid, expired, or not for this server');
  }
}

/** The Latchkey user the trusted JWT names through the issuer's `userClaim` (RFC 7523 §3 item 2: sub identifies the principal). */
export async function userOfTrustedJwt(
  users: { findById(id: string): Promise<User | undefined>; findByUsername(username: string): Promise<User | undefined> },
  trusted: TrustedIssuer,
  claims: JWTPayload,
): Promise<User> {
  const value = claims[trusted.userClaim];
  const user = typeof value !== 'string' ? undefined : trusted.userBy === 'id' ? await users.findById(value) : await users.findByUsername(value);
  if (!user || user.disabledAt !== null) throw new InvalidGrant('the JWT does not name a user of this server');
  return user;
}
