import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, type JWTPayload, jwtVerify, type ProtectedHeaderParameters } from 'jose';
import type { Provider } from './provider.ts';

/** A JWT decoded, and whether its signature was verified against the provider's published keys. */
export interface CheckedJwt {
  header: ProtectedHeaderParameters;
  claims: JWTPayload;
  verified: boolean;
  /** Why it is not verified (no jwks_uri, a bad signature, expired ...): a message about the token, never the token. */
  problem?: string;
}

/**
 * Decodes a JWT and verifies it against the provider's jwks_uri (RFC 8414 §2, OpenID Connect Discovery §3): the
 * signature, `exp`/`nbf`, and `iss` when the provider has a metadata issuer; `aud` when an audience is expected (an
 * ID token's is the client, OpenID Connect Core §3.1.3.7). oauth4webapi checks an ID token's claims at the token
 * endpoint but, trusting TLS, not its signature (Core §3.1.3.7 item 6 allows that); this checks both for the summary.
 */
export async function checkJwt(jwt: string, provider: Provider, audience?: string): Promise<CheckedJwt> {
  let header: ProtectedHeaderParameters;
  let claims: JWTPayload;
  try {
    header = decodeProtectedHeader(jwt);
    claims = decodeJwt(jwt);
  } catch {
    return { header: {}, claims: {}, verified: false, problem: 'not a JWT (an opaque token: use `latchkey token introspect`)' };
  }
  const jwksUri = provider.as.jwks_uri;
  if (jwksUri === undefined) return { header, claims, verified: false, problem: 'the provider publishes no jwks_uri (give --jwks-uri)' };
  try {
    const keys = createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: 10_000 });
    await jwtVerify(jwt, keys, {
      ...(provider.source === 'command-line' ? {} : { issuer: provider.as.issuer }),
      ...(audience === undefined ? {} : { audience }),
    });
    return { header, claims, verified: true };
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    const reason = err instanceof Error ? err.message : String(err);
    return { header, claims, verified: false, problem: code === '' ? reason : `${code.replace(/^ERR_/, '').toLowerCase()}: ${reason}` };
  }
}
