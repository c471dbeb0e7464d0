import { createHash } from 'node:crypto';
import type { SigningAlg } from '../keys/algorithms.ts';
import type { Keyring } from '../keys/keyring.ts';

/** The claims an ID token can carry besides the user's own (Core §2), for claims_supported in the metadata. */
export const ID_TOKEN_CLAIMS = ['iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'acr', 'amr', 'at_hash', 'c_hash'] as const;

/**
 * at_hash / c_hash (Core §3.1.3.6, §3.3.2.11): the left-most half of the hash of the ASCII octets of the value, with
 * the hash of the JWS algorithm: SHA-256 for RS256 and ES256. EdDSA names no hash; for Ed25519 OpenID Connect uses
 * SHA-512 (the hash Ed25519 itself uses, as oauth4webapi and openid-client expect).
 */
export function halfHash(value: string, alg: SigningAlg): string {
  const digest = createHash(alg === 'EdDSA' ? 'sha512' : 'sha256').update(value, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

export interface IdTokenInput {
  issuer: string;
  clientId: string;
  /** The subject identifier for this client (Core §8): the user id, or a pairwise value. */
  sub: string;
  /** Seconds since the epoch when the user authenticated (Core §2 auth_time); the original one after a refresh (§12.2). */
  authTime?: number | undefined;
  /** The authorization request's nonce, echoed exactly (Core §3.1.3.6); never on refresh (Core §12.2, errata 2). */
  nonce?: string | undefined;
  /** The access token issued with it, for at_hash (Core §3.1.3.6: OPTIONAL in the code flow; cheap, so always). */
  accessToken?: string | undefined;
  /** The code issued with it from the authorization endpoint, for c_hash (hybrid flow, Core §3.3.2.11). */
  code?: string | undefined;
  /** User claims released into the ID token (Core §5.5 claims.id_token members). */
  claims?: Record<string, unknown> | undefined;
  /** The SSO session's public id (Back-Channel Logout 1.0 §2.4 sid); absent when the grant has none. */
  sid?: string | undefined;
  /** Core §2 acr and RFC 8176 amr: how the user signed in (core/oidc/acr.ts). */
  acr: string;
  amr: readonly string[];
  now: number;
  ttl: number;
  alg: SigningAlg;
}

/** A signed ID token (Core §2, §3.1.3.3): typ JWT, the key of `alg` from the keyring's prepared keys. */
export function signIdToken(keyring: Pick<Keyring, 'sign'>, input: IdTokenInput): Promise<string> {
  const payload: Record<string, unknown> = {
    ...input.claims,
    iss: input.issuer,
    sub: input.sub,
    // One audience, this client: so azp, which Core §2 needs only with several audiences, is not needed.
    aud: input.clientId,
    exp: input.now + input.ttl,
    iat: input.now,
    acr: input.acr,
    amr: input.amr,
  };
  // Core §2: REQUIRED with max_age or require_auth_time, OPTIONAL otherwise; always sent so a client never lacks it.
  if (input.authTime !== undefined) payload['auth_time'] = input.authTime;
  if (input.nonce !== undefined) payload['nonce'] = input.nonce;
  if (input.sid !== undefined) payload['sid'] = input.sid;
  if (input.accessToken !== undefined) payload['at_hash'] = halfHash(input.accessToken, input.alg);
  if (input.code !== undefined) payload['c_hash'] = halfHash(input.code, input.alg);
  return keyring.sign(payload, { alg: input.alg, typ: 'JWT' });
}
