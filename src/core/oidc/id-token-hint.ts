import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import type { JwksDocument } from '../keys/jwks.ts';

/**
 * The subject of an `id_token_hint` (OpenID Connect Core §3.1.2.1): an ID token this server issued to this client,
 * checked by our own signature (any published key, so a token signed before a rotation still counts). Expiry is not
 * checked: Core §3.1.2.1 lets the hint be an expired ID token. Returns undefined when it is not one of ours.
 */
export async function idTokenHintSubject(jwks: JwksDocument, hint: string, expected: { issuer: string; clientId: string }): Promise<string | undefined> {
  try {
    const { payload } = await compactVerify(hint, createLocalJWKSet(jwks as unknown as JSONWebKeySet), { algorithms: ['RS256', 'ES256', 'EdDSA'] });
    const claims: unknown = JSON.parse(new TextDecoder().decode(payload));
    if (typeof claims !== 'object' || claims === null) return undefined;
    const { iss, aud, sub } = claims as Record<string, unknown>;
    const audiences = Array.isArray(aud) ? aud : [aud];
    if (iss !== expected.issuer || !audiences.includes(expected.clientId) || typeof sub !== 'string') return undefined;
    return sub;
  } catch {
    return undefined;
  }
}
