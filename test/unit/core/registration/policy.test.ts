import { describe, expect, it } from 'vitest';
import { InvalidClientMetadata, InvalidRedirectUri } from '../../../../src/core/errors.ts';
import { checkRedirectUris, grantedScopes, matchesPattern } from '../../../../src/core/registration/policy.ts';

/** The operator's registration policy (core/registration/policy.ts) on its own. */

describe('matchesPattern', () => {
  it.each([
    ['app.example.com', '*.example.com', true],
    ['a.b.example.com', '*.example.com', true],
    ['example.com', '*.example.com', false],
    ['evilexample.com', '*.example.com', false],
    ['example.com.evil.net', '*.example.com', false],
    ['APP.Example.com', '*.example.com', true],
    ['com.example.app', 'com.example.*', true],
    ['com.exampleXapp', 'com.example.*', false],
    ['https', 'https', true],
    ['http', 'https', false],
  ])('%s against %s: %s (the whole value; dots literal)', (value, pattern, expected) => {
    expect(matchesPattern(value, pattern)).toBe(expected);
  });
});

describe('grantedScopes (RFC 7591 §3.2.1: the server may replace requested values)', () => {
  const known = new Set(['openid', 'profile', 'email', 'admin', 'api.read']);
  const policy = { scopes: ['openid', 'profile', 'admin'] };

  it('narrows a request to the policy and the known scopes, never admin', () => {
    expect(grantedScopes(['openid', 'email', 'admin', 'nope'], policy, known)).toEqual(['openid']);
  });
  it('gives the policy\'s scopes (without admin) to a client that asked for none', () => {
    expect(grantedScopes(undefined, policy, known)).toEqual(['openid', 'profile']);
  });
  it('refuses a request of which nothing is left, rather than store the empty list that means any scope', () => {
    expect(() => grantedScopes(['admin'], policy, known)).toThrow(InvalidClientMetadata);
  });
  it('with an empty policy, keeps any known scope but admin', () => {
    expect(grantedScopes(['api.read', 'admin'], { scopes: [] }, known)).toEqual(['api.read']);
  });
});

describe('checkRedirectUris: application_type and the operator\'s patterns', () => {
  const open = { redirectUriSchemes: [], redirectUriHosts: [] };
  it('refuses a web client on a loopback host or a custom scheme, and a native one on localhost', () => {
    expect(() => checkRedirectUris(['https://127.0.0.1/cb'], 'web', open)).toThrow(InvalidRedirectUri);
    expect(() => checkRedirectUris(['com.example.app:/cb'], 'web', open)).toThrow(InvalidRedirectUri);
    expect(() => checkRedirectUris(['http://localhost:8080/cb'], 'native', open)).toThrow(/RFC 8252 §8.3/);
  });
  it('leaves loopback redirect URIs of native apps out of the host patterns', () => {
    expect(() => checkRedirectUris(['http://127.0.0.1/cb'], 'native', { redirectUriSchemes: [], redirectUriHosts: ['*.example.com'] })).not.toThrow();
    expect(() => checkRedirectUris(['https://evil.net/cb'], 'native', { redirectUriSchemes: [], redirectUriHosts: ['*.example.com'] })).toThrow(/evil\.net/);
  });
});
