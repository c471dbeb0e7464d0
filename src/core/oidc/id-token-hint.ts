import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import type { JwksDocument } from '../keys/jwks.ts';

/** What an `id_token_hint` tells: whom it names and for which clients it was issued. */
export interface VerifiedHint {
  sub: string;
  aud: string[];
  /** The SSO session it was issued in, when it says (Back-Channel Logout 1.0 §2.4). */
  sid?: string | undefined;
}

/**
 * An `id_token_hint` (OpenID Connect Core §3.1.2.1, RP-Initiated Logout 1.0 §2) checked by our own signature (any
 * published key, so a token signed before a rotation still counts) and our issuer. Expiry is not checked: both specs
 * let the hint be an expired ID token. Returns undefined when it is not one of ours.
 */
export async function verifyIdTokenHint(jwks: JwksDocument, hint: string, issuer: string): Promise<VerifiedHint | undefined> {
  try {
    const { payload } = await compactVerify(hint, createLocalJWKSet(jwks as unknown as JSONWebKeySet), { algorithms: ['RS256', 'ES256', 'EdDSA'] });
    const claims: unknown = JSON.parse(new TextDecoder().decode(payload));
    if (typeof claims !== 'object' || claims === null) return undefined;
    const { iss, aud, sub, sid } = claims as Record<string, unknown>;
    const audiences = (Array.isArray(aud) ? aud : [aud]).filter((a): a is string => typeof a === 'string');
    if (iss !== issuer || audiences.length === 0 || typeof sub !== 'string') return undefined;
    return { sub, aud: audiences, sid: typeof sid === 'string' ? sid : undefined };
  } catch {
    return undefined;
  }
}

/** The subject of an `id_token_hint` issued to this client (Core §3.1.2.1); undefined when it is not one. */
export async function idTokenHintSubject(jwks: JwksDocument, hint: string, expected: { issuer: string; clientId: string }): Promise<string | undefined> {
  const verified = await verifyIdTokenHint(jwks, hint, expected.issuer);
  return verified?.aud.includes(expected.clientId) ? verified.sub : undefined;
}
