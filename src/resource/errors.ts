/** RFC 6750 §3.1 error codes, and RFC 9449 §7.1 invalid_dpop_proof. */
export type TokenErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope' | 'invalid_dpop_proof';

const STATUS: Record<TokenErrorCode, 400 | 401 | 403> = { invalid_request: 400, invalid_token: 401, insufficient_scope: 403, invalid_dpop_proof: 401 };

/** The request's token is missing, malformed, inactive or lacks a scope: the caller's fault, answered 400/401/403. */
export class TokenVerificationError extends Error {
  readonly error: TokenErrorCode;
  readonly status: 400 | 401 | 403;
  /** For insufficient_scope: the scopes the resource requires (RFC 6750 §3 `scope` attribute). */
  readonly scope: string | undefined;
  /** RFC 9449 §7.1: the challenge this error belongs to (a DPoP proof or binding problem), else Bearer. */
  readonly scheme: 'Bearer' | 'DPoP';

  constructor(error: TokenErrorCode, description: string, scope?: string, scheme: 'Bearer' | 'DPoP' = error === 'invalid_dpop_proof' ? 'DPoP' : 'Bearer') {
    super(description);
    this.error = error;
    this.status = STATUS[error];
    this.scope = scope;
    this.scheme = scheme;
  }

  override get name(): string {
    return `TokenVerificationError(${this.error})`;
  }
}

/**
 * The authorization server could not say whether the token is valid (unreachable, an error status, wrong client
 * credentials, a malformed answer, a JWKS that cannot be fetched). Not the caller's fault: Fastify answers it with
 * `statusCode` 503.
 */
export class IntrospectionError extends Error {
  override name = 'IntrospectionError';
  readonly statusCode = 503;
}

export const invalidToken = (description: string) => new TokenVerificationError('invalid_token', description);
