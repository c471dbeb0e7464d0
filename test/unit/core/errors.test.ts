import { describe, it, expect } from 'vitest';
import {
  AccessDenied,
  ConsentRequired,
  InsufficientScope,
  InvalidClient,
  InvalidGrant,
  InvalidRequest,
  InvalidScope,
  InvalidToken,
  LoginRequired,
  UnmetAuthenticationRequirements,
  OAuthError,
  ServerError,
  TemporarilyUnavailable,
  UnauthorizedClient,
  UnsupportedGrantType,
  UnsupportedResponseType,
  UnsupportedTokenType,
  toOAuthError,
} from '../../../src/core/errors.ts';

describe('OAuthError subclasses: one per code, the status in one place', () => {
  it.each([
    [new InvalidRequest('x'), 'invalid_request', 400],
    [new InvalidClient('x'), 'invalid_client', 401], // RFC 6749 §5.2
    [new InvalidGrant('x'), 'invalid_grant', 400],
    [new UnauthorizedClient('x'), 'unauthorized_client', 400],
    [new UnsupportedGrantType('x'), 'unsupported_grant_type', 400],
    [new InvalidScope('x'), 'invalid_scope', 400],
    [new AccessDenied('x'), 'access_denied', 403],
    [new UnsupportedResponseType('x'), 'unsupported_response_type', 400],
    [new ServerError('x'), 'server_error', 500],
    [new TemporarilyUnavailable('x'), 'temporarily_unavailable', 503],
    [new InvalidToken('x'), 'invalid_token', 401], // RFC 6750 §3.1
    [new InsufficientScope('x', 'profile'), 'insufficient_scope', 403], // RFC 6750 §3.1
    [new UnsupportedTokenType('x'), 'unsupported_token_type', 400], // RFC 7009 §2.2.1
    [new LoginRequired('x'), 'login_required', 400],
    [new ConsentRequired('x'), 'consent_required', 400],
    [new UnmetAuthenticationRequirements('x'), 'unmet_authentication_requirements', 400], // OIDC unmet-authentication-requirements §1
    [new TemporarilyUnavailable('x', { status: 429 }), 'temporarily_unavailable', 429], // RFC 6585 §4: rate limited
  ] as const)('%o carries the code %s and status %i', (err, code, status) => {
    expect(err).toBeInstanceOf(OAuthError);
    expect(err).toBeInstanceOf(Error);
    expect(err.error).toBe(code);
    expect(err.status).toBe(status);
    expect(err.toJSON()).toEqual({ error: code, error_description: 'x' });
    expect(err.name).toBe(`OAuthError(${code})`);
  });

  it('lets invalid_request carry 413 or 415 when the body itself is refused', () => {
    expect(new InvalidRequest('too big', { status: 413 }).status).toBe(413);
  });

  it('marks invalid_client for a Basic challenge only when asked (RFC 6749 §5.2)', () => {
    expect(new InvalidClient('x').basicChallenge).toBe(false);
    expect(new InvalidClient('x', { basicChallenge: true }).basicChallenge).toBe(true);
  });

  it('keeps the required scope of insufficient_scope for the WWW-Authenticate header (RFC 6750 §3)', () => {
    expect(new InsufficientScope('x', 'profile email').requiredScope).toBe('profile email');
  });

  it('keeps the Retry-After seconds of temporarily_unavailable: 5 by default, whole seconds, at least 1', () => {
    expect(new TemporarilyUnavailable('x', { status: 429, retryAfterSeconds: 30 }).retryAfterSeconds).toBe(30);
    expect(new TemporarilyUnavailable('x').retryAfterSeconds).toBe(5);
    expect(new TemporarilyUnavailable('x', { retryAfterSeconds: 0.2 }).retryAfterSeconds).toBe(1);
  });

  it('keeps cause for the logs without putting it in the JSON body', () => {
    const cause = new Error('lk_at_secret-token');
    const err = new InvalidGrant('the code is invalid', { cause });
    expect(err.cause).toBe(cause);
    expect(JSON.stringify(err.toJSON())).not.toContain('lk_at_secret-token');
  });
});

describe('toOAuthError', () => {
  it('returns an OAuthError unchanged', () => {
    const err = new InvalidGrant('spent');
    expect(toOAuthError(err)).toBe(err);
  });

  it('wraps an unknown error as server_error 500 without leaking its message', () => {
    const raw = new Error('connect ECONNREFUSED postgres://latchkey:hunter2@db/latchkey');
    const err = toOAuthError(raw);
    expect(err).toBeInstanceOf(ServerError);
    expect(err.error).toBe('server_error');
    expect(err.status).toBe(500);
    expect(err.description).not.toContain('hunter2');
    expect(err.message).not.toContain('hunter2');
    expect(JSON.stringify(err.toJSON())).not.toContain('hunter2');
    expect(err.cause).toBe(raw);
  });

  it.each([['a string', 'lk_rt_leaked'], ['undefined', undefined], ['an object', { token: 'lk_rt_leaked' }]])(
    'wraps a thrown %s as server_error without leaking it',
    (_what, thrown) => {
      const err = toOAuthError(thrown);
      expect(err.error).toBe('server_error');
      expect(err.status).toBe(500);
      expect(JSON.stringify(err.toJSON())).not.toContain('lk_rt_leaked');
    },
  );
});
