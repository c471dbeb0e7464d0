import { describe, it, expect } from 'vitest';
import { redirectUriMatches, redirectUriProblem, resolveRedirectUri } from '../../../src/core/redirect-uri.ts';

describe('redirectUriMatches: exact string comparison (RFC 9700 §4.1.3, RFC 6749 §3.1.2.3)', () => {
  it('matches an identical URI', () => {
    expect(redirectUriMatches('https://client.example/callback', 'https://client.example/callback')).toBe(true);
  });

  it.each([
    ['a different path', 'https://client.example/callback2'],
    ['a trailing slash', 'https://client.example/callback/'],
    ['an added query', 'https://client.example/callback?next=/admin'],
    ['a different host case', 'https://CLIENT.example/callback'],
    ['a different path case', 'https://client.example/Callback'],
    ['an explicit default port', 'https://client.example:443/callback'],
    ['a dot segment', 'https://client.example/x/../callback'],
    ['a subdomain', 'https://evil.client.example/callback'],
    ['a suffix on the host', 'https://client.example.evil/callback'],
    ['http instead of https', 'http://client.example/callback'],
    ['user information', 'https://client.example@evil.example/callback'],
    ['a percent-encoded path', 'https://client.example/%63allback'],
    ['a fragment', 'https://client.example/callback#x'],
  ])('refuses %s', (_what, requested) => {
    expect(redirectUriMatches(requested, 'https://client.example/callback')).toBe(false);
  });

  it('refuses a different port on a non-loopback host', () => {
    expect(redirectUriMatches('https://client.example:8443/callback', 'https://client.example/callback')).toBe(false);
  });
});

const NATIVE = { anyLoopbackPort: true };

describe('redirectUriMatches: loopback IP redirect URIs of native apps may use any port (RFC 8252 §7.3)', () => {
  it.each([
    ['127.0.0.1 with a port, registered without', 'http://127.0.0.1:51234/cb', 'http://127.0.0.1/cb'],
    ['127.0.0.1 with another port than registered', 'http://127.0.0.1:8080/cb', 'http://127.0.0.1:3000/cb'],
    ['127.0.0.1 without a port, registered with one', 'http://127.0.0.1/cb', 'http://127.0.0.1:3000/cb'],
    ['[::1] with a port', 'http://[::1]:60000/cb', 'http://[::1]/cb'],
    ['127.0.0.1 with the same query', 'http://127.0.0.1:4000/cb?x=1', 'http://127.0.0.1/cb?x=1'],
    ['127.0.0.1 with no path', 'http://127.0.0.1:4000', 'http://127.0.0.1'],
  ])('accepts %s', (_what, requested, registered) => {
    expect(redirectUriMatches(requested, registered, NATIVE)).toBe(true);
  });

  it.each([
    ['localhost (RFC 8252 §8.3: not a loopback IP literal)', 'http://localhost:51234/cb', 'http://localhost/cb'],
    ['another host', 'http://client.example:8080/cb', 'http://client.example/cb'],
    ['another loopback address than 127.0.0.1', 'http://127.0.0.2:8080/cb', 'http://127.0.0.2/cb'],
    ['127.0.0.1 requested for a registered [::1]', 'http://127.0.0.1:8080/cb', 'http://[::1]/cb'],
    ['a different path', 'http://127.0.0.1:8080/other', 'http://127.0.0.1/cb'],
    ['a path with a trailing slash', 'http://127.0.0.1:8080/cb/', 'http://127.0.0.1/cb'],
    ['a different query', 'http://127.0.0.1:8080/cb?x=2', 'http://127.0.0.1/cb?x=1'],
    ['an added query', 'http://127.0.0.1:8080/cb?x=1', 'http://127.0.0.1/cb'],
    ['https on a registered http loopback URI', 'https://127.0.0.1:8080/cb', 'http://127.0.0.1/cb'],
    ['a fragment', 'http://127.0.0.1:8080/cb#x', 'http://127.0.0.1/cb'],
    ['user information before the loopback host', 'http://127.0.0.1@evil.example:8080/cb', 'http://127.0.0.1/cb'],
  ])('refuses %s', (_what, requested, registered) => {
    expect(redirectUriMatches(requested, registered, NATIVE)).toBe(false);
  });
});

describe('redirectUriMatches: loopback redirect URIs of other clients match exactly (RFC 9700 §4.1.3)', () => {
  it.each([
    ['another port than registered', 'http://127.0.0.1:47398/cb', 'http://127.0.0.1:47399/cb'],
    ['a port, registered without', 'http://127.0.0.1:51234/cb', 'http://127.0.0.1/cb'],
    ['no port, registered with one', 'http://127.0.0.1/cb', 'http://127.0.0.1:47399/cb'],
    ['[::1] with another port', 'http://[::1]:60000/cb', 'http://[::1]:60001/cb'],
  ])('refuses %s', (_what, requested, registered) => {
    expect(redirectUriMatches(requested, registered)).toBe(false);
    expect(redirectUriMatches(requested, registered, { anyLoopbackPort: false })).toBe(false);
  });

  it('accepts the exact registered loopback URI', () => {
    expect(redirectUriMatches('http://127.0.0.1:47399/cb', 'http://127.0.0.1:47399/cb')).toBe(true);
  });
});

describe('resolveRedirectUri (RFC 6749 §3.1.2.3)', () => {
  const registered = ['https://client.example/callback', 'http://127.0.0.1/cb'];

  it('returns the requested URI when it matches a registered one', () => {
    expect(resolveRedirectUri('https://client.example/callback', registered)).toBe('https://client.example/callback');
  });

  it('returns the requested loopback URI of a native app with its port, not the registered one', () => {
    expect(resolveRedirectUri('http://127.0.0.1:9999/cb', registered, NATIVE)).toBe('http://127.0.0.1:9999/cb');
  });

  it('refuses another loopback port for a client that is not a native app', () => {
    expect(resolveRedirectUri('http://127.0.0.1:9999/cb', registered)).toBeUndefined();
  });

  it('uses the single registered URI when redirect_uri is omitted', () => {
    expect(resolveRedirectUri(undefined, ['https://client.example/callback'])).toBe('https://client.example/callback');
  });

  it('refuses an omitted redirect_uri when several are registered', () => {
    expect(resolveRedirectUri(undefined, registered)).toBeUndefined();
  });

  it('refuses an omitted redirect_uri when none is registered', () => {
    expect(resolveRedirectUri(undefined, [])).toBeUndefined();
  });

  it('refuses a requested URI that matches none of the registered ones', () => {
    expect(resolveRedirectUri('https://attacker.example/callback', registered)).toBeUndefined();
  });

  it('refuses any requested URI when none is registered', () => {
    expect(resolveRedirectUri('https://client.example/callback', [])).toBeUndefined();
  });
});

describe('redirectUriProblem: registration rules (RFC 6749 §3.1.2, RFC 8252 §7, §8.3)', () => {
  const ISSUER = { issuer: 'https://auth.example' };

  it.each([
    'https://client.example/callback',
    'https://client.example/callback?tenant=1',
    'https://client.example:8443/callback',
    'http://127.0.0.1/cb',
    'http://127.0.0.1:47399/cb',
    'http://[::1]:8080/cb',
    'com.example.app:/oauth2redirect',
    'com.example.app:/oauth2redirect/example-provider',
  ])('accepts %s', (uri) => {
    expect(redirectUriProblem(uri, ISSUER)).toBeUndefined();
  });

  it.each([
    ['a relative URI', '/callback', /absolute/],
    ['a URI with a fragment (RFC 6749 §3.1.2)', 'https://client.example/callback#frag', /fragment/],
    ['a URI with an empty fragment', 'https://client.example/callback#', /fragment/],
    ['user information', 'https://user:pw@client.example/callback', /user information/],
    ['user information on a loopback host', 'http://user@127.0.0.1/cb', /user information/],
    ['http on a public host', 'http://client.example/callback', /http is allowed only for loopback addresses; use https/],
    ['http on localhost (RFC 8252 §8.3)', 'http://localhost:3000/cb', /127\.0\.0\.1.*instead of localhost.*RFC 8252 §8\.3/],
    ['http on localhost without a port', 'http://localhost/cb', /localhost/],
    ['http on another loopback address than 127.0.0.1', 'http://127.0.0.2/cb', /loopback/],
    ['a javascript: URI', 'javascript:alert(1)', /the javascript: scheme is not allowed/],
    ['a data: URI', 'data:text/html,hi', /the data: scheme is not allowed/],
    ['a vbscript: URI', 'vbscript:msgbox', /scheme is not allowed/],
    ['a file: URI', 'file:///etc/passwd', /the file: scheme is not allowed/],
    ['a blob: URI', 'blob:https://client.example/1', /scheme is not allowed/],
    ['a private-use scheme without a dot (RFC 8252 §7.1)', 'myapp:/cb', /reverse domain/],
    ['an ftp: URI', 'ftp://client.example/cb', /scheme is not allowed/],
    ['https without //', 'https:client.example/cb', /https:\/\//],
    ['a space', 'https://client.example/call back', /spaces/],
    ['a leading space', ' https://client.example/callback', /spaces/],
  ])('refuses %s', (_what, uri, reason) => {
    expect(redirectUriProblem(uri, ISSUER)).toMatch(reason);
  });

  describe("Latchkey's own pages on an http issuer (the demo callback on a fresh `npm start`)", () => {
    const LOCAL = { issuer: 'http://localhost:3000' };

    it('accepts an http URI on the issuer origin itself', () => {
      expect(redirectUriProblem('http://localhost:3000/demo/callback', LOCAL)).toBeUndefined();
    });

    it.each([
      ['another port on localhost', 'http://localhost:3001/demo/callback'],
      ['localhost without the port', 'http://localhost/demo/callback'],
      ['https is fine but user information is not', 'http://x@localhost:3000/demo/callback'],
      ['a fragment', 'http://localhost:3000/demo/callback#x'],
    ])('still refuses %s', (_what, uri) => {
      expect(redirectUriProblem(uri, LOCAL)).toBeDefined();
    });

    it('does not extend to localhost when the issuer is elsewhere', () => {
      expect(redirectUriProblem('http://localhost:3000/demo/callback', ISSUER)).toMatch(/localhost/);
    });
  });
});
