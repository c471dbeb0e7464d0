import { B64TOKEN } from './challenge.ts';
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
export type { TokenFormat, VerifiedToken, Verifier, VerifierOptions, VerifyOptions } from './types.ts';

const MAX_TOKEN_LENGTH = 4096;

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

  const check = async (token: string): Promise<VerifiedToken | undefined> => {
    if (validateJwt && (format === 'jwt' || looksLikeJwtAccessToken(token))) return validateJwt(token);
    if (introspect) return introspect(token);
    throw invalidToken('the access token is not a JWT access token');
  };

  return {
    issuer,
    ...(resource !== undefined ? { resource, resourceMetadataUrl: resourceMetadataUrl(resource) } : {}),
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
      const missing = required.filter((s) => !result.scope.includes(s));
      if (missing.length > 0) {
        throw new TokenVerificationError('insufficient_scope', 'the access token does not carry the required scope', required.join(' '));
      }
      return { ...result, scope: [...result.scope], ...(result.aud ? { aud: [...result.aud] } : {}) };
    },
  };
}
