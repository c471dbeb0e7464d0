import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { TrustedIssuer } from '../../config/token-exchange-schema.ts';
import { InvalidGrant } from '../errors.ts';
import type { User } from '../model.ts';

/** Asymmetric algorithms only: a trusted issuer shares no secret with Latchkey (RFC 8725 §3.1). */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

const keySets = new WeakMap<TrustedIssuer, JWTVerifyGetKey>();

function keysOf(trusted: TrustedIssuer): JWTVerifyGetKey {
  let keys = keySets.get(trusted);
  if (!keys) {
    keys = trusted.jwks ? createLocalJWKSet(trusted.jwks as unknown as JSONWebKeySet) : createRemoteJWKSet(new URL(trusted.jwksUri ?? ''));
    keySets.set(trusted, keys);
  }
  return keys;
}

/** The trusted issuer a JWT claims to come from (its unverified `iss`), or undefined. */
export function trustedIssuerOf(issuers: readonly TrustedIssuer[], jwt: string): TrustedIssuer | undefined {
  let iss: unknown;
  try {
    iss = decodeJwt(jwt).iss;
  } catch {
    return undefined;
  }
  return issuers.find((t) => t.issuer === iss);
}

/**
 * A JWT of a configured trusted issuer, verified: signature by one of its keys, `iss`, `exp` (required), and, when
 * `audience` is given, `aud` (RFC 7523 §3 items 1-4). Anything else is invalid_grant (RFC 7523 §3.1, RFC 8693 §2.2.2):
 * the message never quotes the token.
 */
export async function verifyTrustedJwt(issuers: readonly TrustedIssuer[], jwt: string, now: number, audience?: string | string[]): Promise<{ trusted: TrustedIssuer; claims: JWTPayload }> {
  const trusted = trustedIssuerOf(issuers, jwt);
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
