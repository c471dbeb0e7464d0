import { B64TOKEN } from './challenge.ts';
import { checkProof, DEFAULT_DPOP_ALGORITHMS, memoryReplay } from './dpop-proof.ts';
import { TokenVerificationError, invalidToken } from './errors.ts';
import { endpointIn, jsonCaller, metadataDiscovery } from './http-json.ts';
import { createIntrospector } from './introspection.ts';
import { checkAlgorithms, DEFAULT_ALGORITHMS } from './jws.ts';
import { createJwksCache } from './jwks-cache.ts';
import { createJwtValidator, looksLikeJwtAccessToken } from './jwt-access-token.ts';
import { checkResourceIdentifier, resourceMetadataUrl } from './metadata.ts';
import { requiredScopes } from './scopes.ts';
import type { VerifiedToken, Verifier, VerifierOptions } from './types.ts';

/**
 * Verifying Latchkey access tokens in an operator's own API.
 *
 * An RFC 9068 JWT access token is validated locally against the keys the issuer publishes at its `jwks_uri`; an
 * opaque token is checked through RFC 7662 introspection. This module stands alone: it imports nothing from the
 * server, and nothing but Node itself, so an API can use it without the rest of Latchkey.
 */

export { IntrospectionError, TokenVerificationError, type TokenErrorCode } from './errors.ts';
export { protectedResourceMetadata, resourceMetadataUrl, type ResourceMetadata, type ResourceMetadataOptions } from './metadata.ts';
export { requireToken, tokenMiddleware, type McpAuthInfo, type RequireTokenOptions, type TokenRequest } from './require-token.ts';
export type { Presentation, TokenFormat, VerifiedToken, Verifier, VerifierOptions, VerifyOptions } from './types.ts';
export type { DpopOptions } from './dpop-proof.ts';

const MAX_TOKEN_LENGTH = 4096;

/** RFC 9449 §4.3 point 5: asymmetric algorithms only; a typo fails at start-up. */
function checkDpopAlgorithms(algs: readonly string[]): readonly string[] {
  const known = ['ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
  const bad = algs.filter((a) => !known.includes(a));
  if (algs.length === 0 || bad.length > 0) throw new TypeError(`dpop.algorithms: ${bad.join(', ') || 'none given'}: use asymmetric JWS algorithms (${known.join(', ')})`);
  return [...algs];
}

export function createVerifier(options: VerifierOptions): Verifier {
  const issuer = options.issuer.replace(/\/+$/, '');
  const resource = options.resource === undefined ? undefined : checkResourceIdentifier(options.resource);
  const format = options.format ?? (resource !== undefined ? 'auto' : 'opaque');
  // Configuration mistakes fail here, at start-up, naming the option (never as a 500 per request).
  if (format !== 'opaque' && resource === undefined) {
    throw new TypeError(`format "${format}" needs a resource identifier: RFC 9068 §4 requires checking a JWT's audience`);
  }
  const introspects = format !== 'jwt';
  if (introspects && (options.clientId === undefined || options.clientSecret === undefined)) {
    throw new TypeError(`format "${format}" introspects opaque tokens, which needs clientId and clientSecret`);
  }
  const algorithms = checkAlgorithms(options.algorithms ?? DEFAULT_ALGORITHMS);
  const now = options.now ?? Date.now;
  const call = jsonCaller(options.fetch ?? fetch, options.timeoutMs ?? 5000);
  const metadata = metadataDiscovery(issuer, call);

  const introspect = introspects
    ? createIntrospector({
        issuer,
        resource,
        clientId: options.clientId ?? '',
        clientSecret: options.clientSecret ?? '',
        cacheTtlSeconds: options.cacheTtlSeconds ?? 5,
        cacheMaxEntries: options.cacheMaxEntries ?? 1000,
        introspectionEndpoint: options.introspectionEndpoint,
        call,
        metadata,
        now,
      })
    : undefined;

  const validateJwt =
    resource !== undefined && format !== 'opaque'
      ? createJwtValidator({
          issuer,
          resource,
          algorithms,
          clockToleranceSeconds: options.clockToleranceSeconds ?? 30,
          now,
          jwks: createJwksCache({
            jwksUri: async () => options.jwksUri ?? endpointIn(await metadata(), 'jwks_uri', issuer),
            call,
            now,
            cooldownMs: (options.jwksRefetchCooldownSeconds ?? 30) * 1000,
            maxAgeMs: (options.jwksMaxAgeSeconds ?? 600) * 1000,
          }),
        })
      : undefined;

  const dpop = options.dpop;
  const dpopAlgorithms = dpop ? checkDpopAlgorithms(dpop.algorithms ?? DEFAULT_DPOP_ALGORITHMS) : [];
  const proofOptions = dpop && { algorithms: dpopAlgorithms, proofWindowSeconds: dpop.proofWindowSeconds ?? 60, replay: dpop.replay ?? memoryReplay(now) };

  const check = async (token: string): Promise<VerifiedToken | undefined> => {
    if (validateJwt && (format === 'jwt' || looksLikeJwtAccessToken(token))) return validateJwt(token);
    if (introspect) return introspect(token);
    throw invalidToken('the access token is not a JWT access token');
  };

  return {
    issuer,
    ...(resource !== undefined ? { resource, resourceMetadataUrl: resourceMetadataUrl(resource) } : {}),
    ...(dpop ? { dpop: { algorithms: dpopAlgorithms, required: dpop.required ?? false, origin: dpop.origin ?? (resource === undefined ? undefined : new URL(resource).origin) } } : {}),
    async verify(token, verifyOptions = {}) {
      const required = requiredScopes(verifyOptions.scope);
      if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH || !B64TOKEN.test(token)) {
        throw new TokenVerificationError('invalid_token', 'the access token is malformed');
      }
      const result = await check(token);
      // A JWT's expiry was checked with the clock tolerance already; an introspected token's is checked here.
      if (!result || (result.format === 'opaque' && result.exp !== undefined && result.exp * 1000 <= now())) {
        throw new TokenVerificationError('invalid_token', 'the access token is invalid, expired or revoked');
      }
      // RFC 9449 §7.1: a bound token only with the DPoP scheme and a proof of its key; §7.2: DPoP may be required.
      const p = verifyOptions.presentation;
      if (p?.scheme === 'DPoP') {
        if (!proofOptions) throw new TokenVerificationError('invalid_request', 'the DPoP scheme is not accepted here');
        const jkt = await checkProof(proofOptions, { proof: p.proof, method: p.method, url: p.url, accessToken: token, nowMs: now() });
        if (result.cnf?.jkt !== jkt) throw new TokenVerificationError('invalid_token', result.cnf ? 'the DPoP proof is not of the key this access token is bound to' : 'this access token is not DPoP-bound', undefined, 'DPoP');
      } else if (result.cnf) {
        throw new TokenVerificationError('invalid_token', 'this access token is DPoP-bound: present it with the DPoP scheme and a proof', undefined, 'DPoP');
      } else if (dpop?.required) {
        throw new TokenVerificationError('invalid_token', 'this resource requires a DPoP-bound access token', undefined, 'DPoP');
      }
      const missing = required.filter((s) => !result.scope.includes(s));
      if (missing.length > 0) {
        throw new TokenVerificationError('insufficient_scope', 'the access token does not carry the required scope', required.join(' '));
      }
      return { ...result, scope: [...result.scope], ...(result.aud ? { aud: [...result.aud] } : {}) };
    },
  };
}
