import { describe, it, expect } from 'vitest';
import { InvalidScope, OAuthError } from '../../../src/core/errors.ts';
import { formatScope, isSubset, parseScope, resolveScope } from '../../../src/core/scope.ts';

const KNOWN: ReadonlySet<string> = new Set(['openid', 'profile', 'email', 'api:read']);

/** Runs `fn` and returns the OAuthError it throws; fails the test if it does not throw one. */
function oauthErrorOf(fn: () => unknown): OAuthError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(OAuthError);
    return err as OAuthError;
  }
  throw new Error('expected an OAuthError to be thrown');
}

describe('parseScope (RFC 6749 §3.3)', () => {
  it('splits a space-delimited scope into tokens, keeping their order', () => {
    expect(parseScope('openid profile email')).toEqual(['openid', 'profile', 'email']);
  });

  it('treats an omitted or empty scope as no scope', () => {
    expect(parseScope(undefined)).toEqual([]);
    expect(parseScope('')).toEqual([]);
  });

  it('removes duplicated scope tokens (the scope is a set)', () => {
    expect(parseScope('profile openid profile profile')).toEqual(['profile', 'openid']);
  });

  it('accepts every printable character the grammar allows: %x21 / %x23-5B / %x5D-7E', () => {
    const allowed = '!#$%&\'()*+,-./0123456789:;<=>?@ABCXYZ[]^_`abcxyz{|}~';
    expect(parseScope(allowed)).toEqual([allowed]);
  });

  it.each([
    ['a double quote (%x22)', 'read"write'],
    ['a backslash (%x5C)', 'read\\write'],
    ['a tab', 'read\twrite'],
    ['a newline', 'read\nwrite'],
    ['a non-ASCII letter', 'profilé'],
    ['a NUL byte', 'read\u0000'],
    ['DEL (%x7F)', 'read\u007f'],
  ])('refuses a scope containing %s with invalid_scope', (_what, value) => {
    const err = oauthErrorOf(() => parseScope(value));
    expect(err).toBeInstanceOf(InvalidScope);
    expect(err.error).toBe('invalid_scope');
    expect(err.status).toBe(400);
  });

  it.each([
    ['a double space', 'openid  profile'],
    ['a leading space', ' openid'],
    ['a trailing space', 'openid '],
    ['only a space', ' '],
  ])('refuses %s between scope tokens with invalid_scope (tokens are separated by one SP)', (_what, value) => {
    expect(oauthErrorOf(() => parseScope(value)).error).toBe('invalid_scope');
  });
});

describe('formatScope and isSubset', () => {
  it('joins scope tokens with single spaces, the inverse of parseScope', () => {
    expect(formatScope(['openid', 'profile'])).toBe('openid profile');
    expect(parseScope(formatScope(['openid', 'profile']))).toEqual(['openid', 'profile']);
    expect(formatScope([])).toBe('');
  });

  it('is true only when every requested scope is allowed', () => {
    expect(isSubset(['openid'], ['openid', 'profile'])).toBe(true);
    expect(isSubset([], ['openid'])).toBe(true);
    expect(isSubset(['openid', 'email'], ['openid', 'profile'])).toBe(false);
    expect(isSubset(['openid'], [])).toBe(false);
  });
});

describe('resolveScope', () => {
  it("uses the client's registered scopes when the request omits scope (RFC 6749 §3.3 default)", () => {
    expect(resolveScope([], ['openid', 'profile'], KNOWN, false)).toEqual(['openid', 'profile']);
  });

  it('grants no scope when the request omits scope and the client has no registered scopes', () => {
    expect(resolveScope([], [], KNOWN, false)).toEqual([]);
  });

  it('grants the requested scopes when they are known and allowed', () => {
    expect(resolveScope(['profile'], ['openid', 'profile'], KNOWN, true)).toEqual(['profile']);
  });

  it('lets a client without registered scopes request any scope the server knows', () => {
    expect(resolveScope(['api:read', 'email'], [], KNOWN, true)).toEqual(['api:read', 'email']);
  });

  it('refuses a scope the server does not know with invalid_scope (RFC 6749 §4.1.2.1)', () => {
    const err = oauthErrorOf(() => resolveScope(['openid', 'admin'], [], KNOWN, true));
    expect(err.error).toBe('invalid_scope');
    expect(err.status).toBe(400);
    expect(err.description).toContain('admin');
  });

  it('refuses a known scope the client is not allowed to request with invalid_scope', () => {
    const err = oauthErrorOf(() => resolveScope(['openid', 'email'], ['openid', 'profile'], KNOWN, true));
    expect(err.error).toBe('invalid_scope');
    expect(err.description).toMatch(/not allowed/);
  });

  it('refuses an unknown scope even when the client registered it (the server list is authoritative)', () => {
    expect(oauthErrorOf(() => resolveScope([], ['openid', 'retired'], KNOWN, false)).error).toBe('invalid_scope');
  });

  it('does not fall back to the defaults when scope is provided but resolves to nothing the client may have', () => {
    expect(oauthErrorOf(() => resolveScope(['email'], ['openid'], KNOWN, true)).error).toBe('invalid_scope');
  });
});
