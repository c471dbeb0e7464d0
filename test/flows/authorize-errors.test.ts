import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pkcePair, WEB_REDIRECT } from '../support/flow-helpers.ts';
import { startServer, testConfig, TEST_PASSWORD, type TestServer } from '../support/server.ts';
import { authorizeAsUser, authorizeUrl } from '../support/user-agent.ts';

/**
 * The authorization endpoint's errors (RFC 6749 §4.1.2.1): an invalid client or redirect URI gets an error page and
 * never a redirect; every other error goes back to the client with error, error_description, state and iss (RFC 9207).
 */

let server: TestServer;
const { challenge } = pkcePair();
const STATE = 'xyz-state-123';

/** A native app (public client) registered with a loopback redirect URI: the any-port rule of RFC 8252 §7.3 is for it. */
const NATIVE_APP = { id: 'native-app', name: 'Native App', type: 'public' as const, redirectUris: ['http://127.0.0.1/cb'] };
/** A confidential web client on a loopback port: exact matching (RFC 9700 §4.1.3), no port exception. */
const LOOPBACK_WEB = { id: 'loopback-web', name: 'Loopback Web', secret: 'loopback-web-secret-0123', redirectUris: ['http://127.0.0.1:47399/cb'] };

beforeAll(async () => {
  server = await startServer({ clients: [...(testConfig().clients ?? []), NATIVE_APP, LOOPBACK_WEB] });
});

afterAll(async () => {
  await server?.close();
});

type Params = Record<string, string | undefined>;

const valid = (overrides: Params = {}): Params => ({
  response_type: 'code',
  client_id: 'web-app',
  redirect_uri: WEB_REDIRECT,
  scope: 'openid profile',
  state: STATE,
  code_challenge: challenge,
  code_challenge_method: 'S256',
  ...overrides,
});

const authorize = (s: TestServer, params: Params) => fetch(authorizeUrl(s, params), { redirect: 'manual' });
const authorizeRaw = (s: TestServer, query: string) => fetch(new URL(`/oauth2/authorize?${query}`, s.url), { redirect: 'manual' });

/** An HTML error page with the error code, and no way back to the client. */
async function expectErrorPage(res: Response, error: string): Promise<void> {
  const html = await res.text();
  expect({ status: res.status, location: res.headers.get('location') }).toEqual({ status: 400, location: null });
  expect(res.headers.get('content-type') ?? '').toMatch(/^text\/html/);
  expect(res.headers.get('cache-control') ?? '').toContain('no-store');
  expect(html).toContain(`<code>${error}</code>`);
  expect(html).not.toMatch(/code=lk_/);
}

/** A 303 back to `redirectUri` with error, error_description, state and iss, and no code. */
function expectErrorRedirect(
  res: Response,
  s: TestServer,
  error: string,
  redirectUri = WEB_REDIRECT,
  state: string | null = STATE,
  mode: 'query' | 'fragment' = 'query',
): URLSearchParams {
  const location = res.headers.get('location');
  expect({ status: res.status, hasLocation: location !== null }).toEqual({ status: 303, hasLocation: true });
  const url = new URL(location ?? '');
  expect(url.origin + url.pathname).toBe(redirectUri);
  const params = mode === 'query' ? url.searchParams : new URLSearchParams(url.hash.slice(1));
  if (mode === 'fragment') expect(url.search).toBe('');
  expect(params.get('error')).toBe(error);
  expect(params.get('error_description')).toBeTruthy();
  expect(params.get('state')).toBe(state);
  expect(params.get('iss')).toBe(s.url);
  expect(params.get('code')).toBeNull();
  return params;
}

describe('errors shown on a page, never redirected (RFC 6749 §4.1.2.1)', () => {
  it('shows an error page for an unknown client_id', async () => {
    await expectErrorPage(await authorize(server, valid({ client_id: 'no-such-client' })), 'invalid_request');
  });

  it('shows an error page for a missing client_id', async () => {
    await expectErrorPage(await authorize(server, valid({ client_id: undefined })), 'invalid_request');
  });

  it('shows an error page when redirect_uri is omitted and the client has several registered (RFC 6749 §3.1.2.3)', async () => {
    await expectErrorPage(await authorize(server, valid({ redirect_uri: undefined })), 'invalid_request');
  });

  const tampered: [string, string][] = [
    ['an extra path segment', 'https://client.example/callback/extra'],
    ['a suffix', 'https://client.example/callbackx'],
    ['a trailing slash', 'https://client.example/callback/'],
    ['another port on a non-loopback host', 'https://client.example:8443/callback'],
    ['userinfo before another host', 'https://client.example@evil.example/callback'],
    ['another host', 'https://evil.example/callback'],
    ['a subdomain', 'https://evil.client.example/callback'],
    ['another scheme', 'http://client.example/callback'],
    ['an added query', 'https://client.example/callback?next=https://evil.example'],
    ['path traversal', 'https://client.example/callback/../evil'],
    ['an encoded path', 'https://client.example/%63allback'],
    ['a fragment', 'https://client.example/callback#frag'],
    ['different case in the host', 'https://CLIENT.example/callback'],
    ['an explicit default port', 'https://client.example:443/callback'],
    ['localhost for a 127.0.0.1 registration', 'http://localhost/cb'],
    ['another path on a loopback host', 'http://127.0.0.1:5555/other'],
    ['https on a loopback registration', 'https://127.0.0.1/cb'],
    ['a javascript: URI', 'javascript:alert(1)//https://client.example/callback'],
  ];
  for (const [what, uri] of tampered) {
    it(`refuses a redirect URI with ${what}, without redirecting (RFC 9700 §4.1.3 exact match)`, async () => {
      await expectErrorPage(await authorize(server, valid({ redirect_uri: uri })), 'invalid_request');
    });
  }

  it('shows a page, not a redirect, when the client is invalid even if other parameters are wrong too', async () => {
    await expectErrorPage(await authorize(server, valid({ client_id: 'no-such-client', response_type: 'token', scope: 'nope' })), 'invalid_request');
    await expectErrorPage(await authorize(server, valid({ redirect_uri: 'https://evil.example/cb', response_type: undefined })), 'invalid_request');
  });
});

describe('errors redirected to the client with error, state and iss (RFC 6749 §4.1.2.1, RFC 9207 §2)', () => {
  it('redirects invalid_request for a missing response_type', async () => {
    expectErrorRedirect(await authorize(server, valid({ response_type: undefined })), server, 'invalid_request');
  });

  it('redirects unsupported_response_type for response_type=token when implicit is off, in the fragment', async () => {
    // The error goes where a token response would have gone: the fragment (OAuth 2.0 Multiple Response Types §2.1).
    const res = await authorize(server, valid({ response_type: 'token' }));
    expectErrorRedirect(res, server, 'unsupported_response_type', WEB_REDIRECT, STATE, 'fragment');
  });

  it('redirects unsupported_response_type for response_type=id_token and other unknown types', async () => {
    expectErrorRedirect(await authorize(server, valid({ response_type: 'id_token' })), server, 'unsupported_response_type');
    expectErrorRedirect(await authorize(server, valid({ response_type: 'code token' })), server, 'unsupported_response_type');
  });

  it('redirects invalid_scope for an unknown scope', async () => {
    expectErrorRedirect(await authorize(server, valid({ scope: 'openid admin' })), server, 'invalid_scope');
  });

  it('redirects invalid_scope for a scope with characters outside RFC 6749 §3.3', async () => {
    expectErrorRedirect(await authorize(server, valid({ scope: 'openid "profile"' })), server, 'invalid_scope');
  });

  it('redirects invalid_request for a missing code_challenge (RFC 7636 §4.4.1)', async () => {
    expectErrorRedirect(await authorize(server, valid({ code_challenge: undefined, code_challenge_method: undefined })), server, 'invalid_request');
  });

  it('redirects invalid_request for code_challenge_method=plain (RFC 9700 §2.1.1)', async () => {
    const verifierAsChallenge = 'p'.repeat(43);
    expectErrorRedirect(await authorize(server, valid({ code_challenge: verifierAsChallenge, code_challenge_method: 'plain' })), server, 'invalid_request');
    // A challenge without a method defaults to plain (RFC 7636 §4.3), which is refused too.
    expectErrorRedirect(await authorize(server, valid({ code_challenge: verifierAsChallenge, code_challenge_method: undefined })), server, 'invalid_request');
  });

  it('redirects invalid_request for an unknown code_challenge_method', async () => {
    expectErrorRedirect(await authorize(server, valid({ code_challenge_method: 'S512' })), server, 'invalid_request');
  });

  it('redirects invalid_request for a malformed code_challenge (RFC 7636 §4.2)', async () => {
    for (const bad of ['short', 'x'.repeat(129), `${'a'.repeat(42)}+`, `${'a'.repeat(42)}=`]) {
      expectErrorRedirect(await authorize(server, valid({ code_challenge: bad })), server, 'invalid_request');
    }
  });

  it('redirects invalid_request for an invalid prompt value, and for none combined with another', async () => {
    expectErrorRedirect(await authorize(server, valid({ prompt: 'select_everything' })), server, 'invalid_request');
    expectErrorRedirect(await authorize(server, valid({ prompt: 'none login' })), server, 'invalid_request');
  });

  it('redirects invalid_request for an unknown response_mode', async () => {
    expectErrorRedirect(await authorize(server, valid({ response_mode: 'web_message' })), server, 'invalid_request');
  });

  it('redirects invalid_request without echoing a state longer than 2048 characters', async () => {
    expectErrorRedirect(await authorize(server, valid({ state: 's'.repeat(3000) })), server, 'invalid_request', WEB_REDIRECT, null);
  });

  it('omits state from the error redirect when the request had none', async () => {
    expectErrorRedirect(await authorize(server, valid({ state: undefined, scope: 'nope' })), server, 'invalid_scope', WEB_REDIRECT, null);
  });

  it('delivers the error to the matched loopback redirect URI of a native app with its port (RFC 8252 §7.3)', async () => {
    const loopback = 'http://127.0.0.1:45678/cb';
    expectErrorRedirect(await authorize(server, valid({ client_id: 'native-app', redirect_uri: loopback, scope: 'nope' })), server, 'invalid_scope', loopback);
  });

  it('shows an error page for another port on the loopback redirect URI of a confidential client (RFC 9700 §4.1.3)', async () => {
    await expectErrorPage(await authorize(server, valid({ client_id: 'loopback-web', redirect_uri: 'http://127.0.0.1:47398/cb' })), 'invalid_request');
    await expectErrorPage(await authorize(server, valid({ redirect_uri: 'http://127.0.0.1:45678/cb' })), 'invalid_request');
  });

  it('accepts the exact loopback redirect URI of a confidential client', async () => {
    const exact = 'http://127.0.0.1:47399/cb';
    expectErrorRedirect(await authorize(server, valid({ client_id: 'loopback-web', redirect_uri: exact, scope: 'nope' })), server, 'invalid_scope', exact);
  });
});

describe('malformed query strings (RFC 6749 §3.1)', () => {
  it('refuses a duplicated parameter with invalid_request, never a 5xx', async () => {
    const base = new URLSearchParams(valid() as Record<string, string>).toString();
    for (const dup of ['state=again', 'scope=email', 'client_id=web-app', 'redirect_uri=https%3A%2F%2Fevil.example%2Fcb', 'response_type=code']) {
      const res = await authorizeRaw(server, `${base}&${dup}`);
      expect(res.status).toBeGreaterThanOrEqual(300);
      expect(res.status).toBeLessThan(500);
      const location = res.headers.get('location');
      if (location === null) await expectErrorPage(res, 'invalid_request');
      else expect(new URL(location).searchParams.get('error')).toBe('invalid_request');
      // A duplicated redirect_uri must never send the browser to either value.
      if (dup.startsWith('redirect_uri') || dup.startsWith('client_id')) expect(location).toBeNull();
    }
  });

  it('refuses invalid percent-encoding with a 400 page', async () => {
    await expectErrorPage(await authorizeRaw(server, 'response_type=code&client_id=web-app&state=%FF%FE'), 'invalid_request');
  });

  it('still serves a valid request after the malformed ones', async () => {
    const res = await authorize(server, valid());
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^\/interaction\//);
  });
});

describe('implicit grant, when enabled (RFC 6749 §4.2)', () => {
  let implicit: TestServer;
  const IMPLICIT_REDIRECT = 'https://implicit.example/cb';

  beforeAll(async () => {
    implicit = await startServer({
      features: { implicit: true },
      clients: [
        ...(testConfig().clients ?? []),
        { id: 'implicit-app', name: 'Implicit App', type: 'public', redirectUris: [IMPLICIT_REDIRECT], responseTypes: ['code', 'token'] },
      ],
    });
  });
  afterAll(async () => {
    await implicit?.close();
  });

  const tokenRequest = (overrides: Params = {}): Params => ({
    response_type: 'token',
    client_id: 'implicit-app',
    redirect_uri: IMPLICIT_REDIRECT,
    scope: 'profile',
    state: STATE,
    ...overrides,
  });

  it('returns the access token in the fragment with token_type, expires_in and state, and no refresh_token', async () => {
    const out = await authorizeAsUser(implicit, authorizeUrl(implicit, tokenRequest()), { username: 'alice', password: TEST_PASSWORD, decision: 'allow' });
    const location = out.location;
    expect(location?.origin).toBe('https://implicit.example');
    expect(location?.search).toBe('');
    const fragment = new URLSearchParams(location?.hash.slice(1));
    expect(fragment.get('access_token')).toBeTruthy();
    expect(fragment.get('token_type')).toBe('Bearer');
    expect(Number(fragment.get('expires_in'))).toBeGreaterThan(0);
    expect(fragment.get('state')).toBe(STATE);
    expect(fragment.get('iss')).toBe(implicit.url);
    expect(fragment.has('refresh_token')).toBe(false);
    expect(fragment.has('code')).toBe(false);

    const info = await fetch(new URL('/userinfo', implicit.url), { headers: { authorization: `Bearer ${fragment.get('access_token') ?? ''}` } });
    expect(info.status).toBe(200);
    expect(((await info.json()) as { preferred_username: string }).preferred_username).toBe('alice');
  });

  it('refuses response_mode=query with response_type=token (tokens never go in a query string)', async () => {
    const res = await authorize(implicit, tokenRequest({ response_mode: 'query' }));
    const location = new URL(res.headers.get('location') ?? 'about:blank');
    expect(res.status).toBe(303);
    const params = new URLSearchParams(location.search || location.hash.slice(1));
    expect(params.get('error')).toBe('invalid_request');
    expect(params.get('state')).toBe(STATE);
    expect(params.has('access_token')).toBe(false);
  });

  it('sends implicit errors in the fragment (RFC 6749 §4.2.2.1)', async () => {
    const res = await authorize(implicit, tokenRequest({ scope: 'nope' }));
    const location = new URL(res.headers.get('location') ?? 'about:blank');
    expect(location.search).toBe('');
    expect(new URLSearchParams(location.hash.slice(1)).get('error')).toBe('invalid_scope');
  });

  it('refuses response_type=token with unauthorized_client for a client not allowed it', async () => {
    const res = await authorize(implicit, valid({ response_type: 'token', code_challenge: undefined, code_challenge_method: undefined }));
    const location = new URL(res.headers.get('location') ?? 'about:blank');
    expect(location.origin + location.pathname).toBe(WEB_REDIRECT);
    const params = new URLSearchParams(location.hash.slice(1));
    expect(params.get('error')).toBe('unauthorized_client');
    expect(params.get('state')).toBe(STATE);
    expect(params.get('iss')).toBe(implicit.url);
  });

  it('advertises token in response_types_supported only when enabled (RFC 8414 §2)', async () => {
    const on = (await (await fetch(new URL('/.well-known/oauth-authorization-server', implicit.url))).json()) as { response_types_supported: string[] };
    const off = (await (await fetch(new URL('/.well-known/oauth-authorization-server', server.url))).json()) as { response_types_supported: string[] };
    // With the OpenID Connect implicit and hybrid types (Core §3.2, §3.3).
    expect(on.response_types_supported).toEqual(['code', 'token', 'id_token', 'id_token token', 'code id_token', 'code token', 'code id_token token']);
    expect(off.response_types_supported).toEqual(['code']);
  });
});
