/**
 * OAuth errors. One subclass per RFC error code; the HTTP status lives here and nowhere else.
 * `description` is safe to show to the client; `cause` is for logs only and must never carry a secret.
 */

/** RFC 6749 §4.1.2.1 (authorization endpoint), §5.2 (token endpoint); RFC 6750 §3.1 (bearer); RFC 7009 §2.2.1. */
export type OAuthErrorCode =
  // RFC 6749
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'unsupported_response_type'
  | 'server_error'
  | 'temporarily_unavailable'
  // RFC 6750
  | 'invalid_token'
  | 'insufficient_scope'
  // RFC 7009
  | 'unsupported_token_type'
  // RFC 8707 §2
  | 'invalid_target'
  // OpenID Connect Core §3.1.2.6
  | 'login_required'
  | 'consent_required'
  | 'interaction_required'
  | 'account_selection_required'
  | 'request_not_supported'
  | 'request_uri_not_supported'
  // RFC 9101 §6.2 (also Core §3.1.2.6)
  | 'invalid_request_uri'
  | 'invalid_request_object'
  // OpenID Connect Core Error Code unmet_authentication_requirements 1.0 §1
  | 'unmet_authentication_requirements'
  // RFC 7591 §3.2.2
  | 'invalid_redirect_uri'
  | 'invalid_client_metadata'
  // RFC 8628 §3.5
  | 'authorization_pending'
  | 'slow_down'
  | 'expired_token'
  // RFC 9449 §5 (token endpoint), §7.1 (resources), §8-9 (nonces): classes in dpop/errors.ts
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce';

export abstract class OAuthError extends Error {
  abstract readonly error: OAuthErrorCode;
  abstract readonly status: number;
  readonly description: string;

  constructor(description: string, options?: { cause?: unknown }) {
    super(description, options);
    this.description = description;
  }

  override get name(): string {
    return `OAuthError(${this.error})`;
  }

  toJSON(): { error: OAuthErrorCode; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}

export class InvalidRequest extends OAuthError {
  readonly error = 'invalid_request';
  readonly status: number;
  /** 400 by default; 413/415 when the body itself is refused. */
  constructor(description: string, options?: { cause?: unknown; status?: number }) {
    super(description, options);
    this.status = options?.status ?? 400;
  }
}

export class InvalidClient extends OAuthError {
  readonly error = 'invalid_client';
  readonly status = 401;
  /** RFC 6749 §5.2: when the client tried Basic authentication, answer with a Basic challenge. */
  readonly basicChallenge: boolean;
  constructor(description: string, options?: { cause?: unknown; basicChallenge?: boolean }) {
    super(description, options);
    this.basicChallenge = options?.basicChallenge ?? false;
  }
}

export class InvalidGrant extends OAuthError {
  readonly error = 'invalid_grant';
  readonly status = 400;
}
export class UnauthorizedClient extends OAuthError {
  readonly error = 'unauthorized_client';
  readonly status = 400;
}
export class UnsupportedGrantType extends OAuthError {
  readonly error = 'unsupported_grant_type';
  readonly status = 400;
}
export class InvalidScope extends OAuthError {
  readonly error = 'invalid_scope';
  readonly status = 400;
}
export class AccessDenied extends OAuthError {
  readonly error = 'access_denied';
  readonly status = 403;
}
export class UnsupportedResponseType extends OAuthError {
  readonly error = 'unsupported_response_type';
  readonly status = 400;
}
export class ServerError extends OAuthError {
  readonly error = 'server_error';
  readonly status = 500;
}
/**
 * RFC 6749 §4.1.2.1: the server cannot handle the request now, e.g. overloaded. 503 for an outage; 429 (RFC 6585 §4)
 * for a rate limit. OAuth has no code of its own for rate limiting: this is the registered code that means "try again
 * later", which clients already retry on. (RFC 8628's slow_down is not used: it tells a device-flow client that polls
 * to add 5 seconds to its interval, and means nothing to other clients.) Retry-After says when.
 */
export class TemporarilyUnavailable extends OAuthError {
  readonly error = 'temporarily_unavailable';
  readonly status: 429 | 503;
  readonly retryAfterSeconds: number;
  constructor(description: string, options?: { cause?: unknown; status?: 429 | 503; retryAfterSeconds?: number }) {
    super(description, options);
    this.status = options?.status ?? 503;
    this.retryAfterSeconds = Math.max(1, Math.ceil(options?.retryAfterSeconds ?? 5));
  }
}
export class InvalidToken extends OAuthError {
  readonly error = 'invalid_token';
  readonly status = 401;
}
export class InsufficientScope extends OAuthError {
  readonly error = 'insufficient_scope';
  readonly status = 403;
  readonly requiredScope: string;
  constructor(description: string, requiredScope: string) {
    super(description);
    this.requiredScope = requiredScope;
  }
}
export class UnsupportedTokenType extends OAuthError {
  readonly error = 'unsupported_token_type';
  readonly status = 400;
}
export class LoginRequired extends OAuthError {
  readonly error = 'login_required';
  readonly status = 400;
}
export class ConsentRequired extends OAuthError {
  readonly error = 'consent_required';
  readonly status = 400;
}
export class InteractionRequired extends OAuthError {
  readonly error = 'interaction_required';
  readonly status = 400;
}
/** Core §3.1.2.6: a request object (`request`) sent to a server that does not take them. */
export class RequestNotSupported extends OAuthError {
  readonly error = 'request_not_supported';
  readonly status = 400;
}
export class RequestUriNotSupported extends OAuthError {
  readonly error = 'request_uri_not_supported';
  readonly status = 400;
}
/** RFC 9101 §6.2: the request_uri is unknown, used, expired, or another client's (RFC 9126 §4). */
export class InvalidRequestUri extends OAuthError {
  readonly error = 'invalid_request_uri';
  readonly status = 400;
}
/** RFC 9101 §6.2: the request object's signature or claims are not acceptable. */
export class InvalidRequestObject extends OAuthError {
  readonly error = 'invalid_request_object';
  readonly status = 400;
}
/**
 * OpenID Connect Core Error Code unmet_authentication_requirements 1.0 §1: the OP cannot authenticate the user as the
 * RP requires, in particular an essential acr claim (Core §5.5.1.1: "treat that outcome as a failed authentication").
 */
export class UnmetAuthenticationRequirements extends OAuthError {
  readonly error = 'unmet_authentication_requirements';
  readonly status = 400;
}
/** RFC 7591 §3.2.2: a redirect URI the server refuses; the description names the URI and why. */
export class InvalidRedirectUri extends OAuthError {
  readonly error = 'invalid_redirect_uri';
  readonly status = 400;
}
/** RFC 7591 §3.2.2: a metadata value the server refuses; the description names the field. */
export class InvalidClientMetadata extends OAuthError {
  readonly error = 'invalid_client_metadata';
  readonly status = 400;
}
/** RFC 8707 §2: the requested resource is invalid, unknown, or not one the server will issue a token for. */
export class InvalidTarget extends OAuthError {
  readonly error = 'invalid_target';
  readonly status = 400;
}
/** Anything that is not an OAuthError becomes a generic server_error; the original goes to `cause` for the log. */
export function toOAuthError(err: unknown): OAuthError {
  if (err instanceof OAuthError) return err;
  return new ServerError('The server could not complete the request.', { cause: err });
}

/** RFC 8628 §3.5: the person has not answered yet; the device polls again after the interval. */
export class AuthorizationPending extends OAuthError {
  readonly error = 'authorization_pending';
  readonly status = 400;
}
/** RFC 8628 §3.5: still pending, and polled too soon; the interval has grown by 5 seconds. */
export class SlowDown extends OAuthError {
  readonly error = 'slow_down';
  readonly status = 400;
}
/** RFC 8628 §3.5: the device code has expired; the device may start again with a new one. */
export class ExpiredToken extends OAuthError {
  readonly error = 'expired_token';
  readonly status = 400;
}
/**
 * RFC 8628 §3.5 access_denied at the token endpoint: the person refused. A token endpoint error, so 400 (RFC 6749
 * §5.2), where the authorization endpoint's AccessDenied is a 403 page.
 */
export class DeviceAccessDenied extends OAuthError {
  readonly error = 'access_denied';
  readonly status = 400;
}
