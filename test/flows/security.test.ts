import { createHash, randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.ts';
import type { ConfigInput } from '../../src/config/schema.ts';
import { startServer, TEST_PASSWORD, TEST_SECRET, type TestServer } from '../support/server.ts';

/**
 * The security baseline of issue 2, over real HTTP with plain fetch: CSRF on every form, interactions bound to the
 * browser that started them, security headers, cookie flags, login and token-endpoint rate limits, no secret in any
 * log line or error, escaped error pages, and no 5xx for a client's mistake.
 */

const REDIRECT_URI = 'https://client.example/callback';

// ---------------------------------------------------------------------------------------------------------------
// A minimal browser over fetch: a cookie jar, no automatic redirects.

interface SetCookie {
  name: string;
  value: string;
  /** Attribute names in lower case; flags map to true. */
  attributes: Map<string, string | true>;
}

function parseSetCookie(header: string): SetCookie {
  const [pair = '', ...attrs] = header.split(';').map((s) => s.trim());
  const eq = pair.indexOf('=');
  const attributes = new Map<string, string | true>();
  for (const a of attrs) {
    const i = a.indexOf('=');
    if (i < 0) attributes.set(a.toLowerCase(), true);
    else attributes.set(a.slice(0, i).toLowerCase(), a.slice(i + 1));
  }
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attributes };
}

const isExpired = (c: SetCookie) => c.attributes.get('max-age') === '0' || /1970/.test(String(c.attributes.get('expires') ?? ''));

class Agent {
  readonly base: string;
  readonly jar = new Map<string, string>();
  /** Every Set-Cookie this agent received, in order. */
  readonly setCookies: SetCookie[] = [];
  /** Every response body this agent read through `text()`, to check nothing secret is echoed. */
  readonly bodies: string[] = [];
  readonly extraHeaders: Record<string, string>;

  constructor(base: string, extraHeaders: Record<string, string> = {}) {
    this.base = base;
    this.extraHeaders = extraHeaders;
  }

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    for (const [k, v] of Object.entries(this.extraHeaders)) if (!headers.has(k)) headers.set(k, v);
    if (this.jar.size > 0 && !headers.has('cookie')) {
      headers.set('cookie', [...this.jar].map(([k, v]) => `${k}=${v}`).join('; '));
    }
    const res = await fetch(new URL(path, this.base), { ...init, headers, redirect: 'manual' });
    for (const h of res.headers.getSetCookie()) {
      const c = parseSetCookie(h);
      this.setCookies.push(c);
      if (isExpired(c)) this.jar.delete(c.name);
      else this.jar.set(c.name, c.value);
    }
    return res;
  }

  get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.fetch(path, { headers });
  }

  postForm(path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    return this.fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(fields).toString(),
    });
  }

  async text(res: Response): Promise<string> {
    const body = await res.text();
    this.bodies.push(body);
    return body;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The authorization flow, step by step.

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(overrides: Partial<ConfigInput> = {}, options: Parameters<typeof startServer>[1] = {}): Promise<TestServer> {
  const server = await startServer(overrides, options);
  servers.push(server);
  return server;
}

function csrfOf(html: string): string {
  const m = /<input type="hidden" name="csrf" value="([^"]+)">/.exec(html);
  if (!m?.[1]) throw new Error(`no csrf field in page:\n${html}`);
  return m[1];
}

interface Pending {
  id: string;
  path: string;
  csrf: string;
  state: string;
  verifier: string;
}

function authorizeQuery(extra: Record<string, string> = {}): { query: string; state: string; verifier: string } {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(12).toString('base64url');
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: 'web-app',
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile',
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...extra,
  }).toString();
  return { query, state, verifier };
}

/** GET /authorize -> 303 /interaction/:id -> the login page with its csrf token. */
async function beginAuthorization(agent: Agent): Promise<Pending> {
  const { query, state, verifier } = authorizeQuery();
  const res = await agent.get(`/oauth2/authorize?${query}`);
  expect(res.status).toBe(303);
  const path = res.headers.get('location') ?? '';
  const m = /^\/interaction\/(lk_ix_[A-Za-z0-9_-]+)$/.exec(path);
  expect(m, `unexpected location ${path}`).not.toBeNull();
  const page = await agent.get(path);
  expect(page.status).toBe(200);
  const html = await agent.text(page);
  expect(html).toContain('Sign in');
  return { id: m?.[1] ?? '', path, csrf: csrfOf(html), state, verifier };
}

const login = (agent: Agent, p: Pending, password: string, extra: Record<string, string> = {}, headers: Record<string, string> = {}) =>
  agent.postForm(`${p.path}/login`, { csrf: p.csrf, username: 'alice', password, ...extra }, headers);

/** Signs in and returns the consent page's csrf token. */
async function signIn(agent: Agent, p: Pending): Promise<string> {
  const res = await login(agent, p, TEST_PASSWORD);
  expect(res.status).toBe(303);
  expect(res.headers.get('location')).toBe(p.path);
  const consent = await agent.get(p.path);
  expect(consent.status).toBe(200);
  const html = await agent.text(consent);
  expect(html).toContain('wants to access your account');
  return csrfOf(html);
}

/** Allows, and returns the parameters the client receives. */
async function allow(agent: Agent, p: Pending, csrf: string): Promise<URLSearchParams> {
  const res = await agent.postForm(`${p.path}/consent`, { csrf, decision: 'allow' });
  expect(res.status).toBe(303);
  const location = new URL(res.headers.get('location') ?? '');
  expect(location.origin + location.pathname).toBe(REDIRECT_URI);
  return location.searchParams;
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

const tokenRequest = (server: TestServer, fields: Record<string, string>, secret = TEST_SECRET) =>
  fetch(`${server.url}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: basic('web-app', secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
  });

const hasSessionCookie = (agent: Agent) => agent.setCookies.some((c) => /lk_session$/.test(c.name) && !isExpired(c));

/** Error page text (an HTML response) for assertions. */
async function errorText(agent: Agent, res: Response): Promise<string> {
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  return agent.text(res);
}

// ---------------------------------------------------------------------------------------------------------------

describe('CSRF tokens on the login, consent and logout forms', () => {
  it('refuses a login POST without a csrf field with 403 and signs nobody in', async () => {
    const server = await start();
    const agent = new Agent(server.url);
    const p = await beginAuthorization(agent);
    const res = await agent.postForm(`${p.path}/login`, { username: 'alice', password: TEST_PASSWORD });
    expect(res.status).toBe(403);
    const html = await errorText(agent, res);
    expect(html).toContain('invalid_request');
    expect(html).toContain('did not come from this site');
    expect(hasSessionCookie(agent)).toBe(false);
    // The interaction is still at the login step: nobody was signed in.
    expect(await agent.text(await agent.get(p.path))).toContain('Sign in to continue to');
  });

  it('refuses a login POST with a wrong csrf value with 403 and signs nobody in', async () => {
    const server = await start();
    const agent = new Agent(server.url);
    const p = await beginAuthorization(agent);
    for (const csrf of ['x', p.csrf.slice(0, -1), `${p.csrf}x`, p.csrf.toUpperCase()]) {
      const res = await login(agent, { ...p, csrf }, TEST_PASSWORD);
      expect(res.status).toBe(403);
      expect(await errorText(agent, res)).toContain('invalid_request');
    }
    expect(hasSessionCookie(agent)).toBe(false);
    // Control: the real token works, so the 403s above were about the token.
    expect((await login(agent, p, TEST_PASSWORD)).status).toBe(303);
    expect(hasSessionCookie(agent)).toBe(true);
  });

  it('refuses a csrf token minted for another browser (another lk_browser cookie) with 403', async () => {
    const server = await start();
    const victim = new Agent(server.url);
    const attacker = new Agent(server.url);
    const p = await beginAuthorization(victim);
    const theirs = await beginAuthorization(attacker);
    expect(theirs.csrf).not.toBe(p.csrf);
    const res = await login(victim, { ...p, csrf: theirs.csrf }, TEST_PASSWORD);
    expect(res.status).toBe(403);
    expect(hasSessionCookie(victim)).toBe(false);
  });

  it('refuses a consent POST without or with a wrong csrf with 403 and issues no code', async () => {
    const server = await start();
    const agent = new Agent(server.url);
    const other = new Agent(server.url);
    const p = await beginAuthorization(agent);
    const csrf = await signIn(agent, p);
    const foreign = (await beginAuthorization(other)).csrf;
    for (const fields of [{ decision: 'allow' }, { decision: 'allow', csrf: 'wrong' }, { decision: 'allow', csrf: foreign }]) {
      const res = await agent.postForm(`${p.path}/consent`, fields);
      expect(res.status).toBe(403);
      expect(res.headers.get('location')).toBeNull();
      expect(await errorText(agent, res)).toContain('invalid_request');
    }
    // The interaction survived the forged posts and the real form still works.
    const params = await allow(agent, p, csrf);
    expect(params.get('code')).toMatch(/^lk_ac_/);
  });

  it('refuses a logout POST without or with a wrong csrf with 403 and keeps the session', async () => {
    const server = await start();
    const agent = new Agent(server.url);
    const p = await beginAuthorization(agent);
    await signIn(agent, p);
    for (const fields of [{}, { csrf: 'wrong' }]) {
      const res = await agent.postForm('/logout', fields);
      expect(res.status).toBe(403);
      expect(await errorText(agent, res)).toContain('invalid_request');
    }
    const page = await agent.text(await agent.get('/logout'));
    expect(page).toContain('Signed in as');
    const res = await agent.postForm('/logout', { csrf: csrfOf(page) });
    expect(res.status).toBe(200);
    expect(await agent.text(res)).toContain('You are signed out');
    expect(agent.jar.has('lk_session')).toBe(false);
  });
});

describe('an interaction is bound to the browser that started it', () => {
  it('shows an error page, not the login form, when another browser opens the interaction URL', async () => {
    const server = await start();
    const owner = new Agent(server.url);
    const p = await beginAuthorization(owner);
    for (const stranger of [new Agent(server.url), new Agent(server.url, { cookie: 'lk_browser=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })]) {
      const res = await stranger.get(p.path);
      expect(res.status).toBe(400);
      const html = await errorText(stranger, res);
      expect(html).toContain('access_denied');
      expect(html).toContain('started in another browser');
      expect(html).not.toContain('name="password"');
    }
  });

  it('refuses a login posted from another browser (with its own valid csrf): error page, no session', async () => {
    const server = await start();
    const owner = new Agent(server.url);
    const stranger = new Agent(server.url);
    const p = await beginAuthorization(owner);
    const strangerCsrf = (await beginAuthorization(stranger)).csrf;
    const res = await login(stranger, { ...p, csrf: strangerCsrf }, TEST_PASSWORD);
    expect(res.status).toBe(400);
    expect(await errorText(stranger, res)).toContain('access_denied');
    expect(hasSessionCookie(stranger)).toBe(false);
    // The owner's interaction is untouched.
    expect(await owner.text(await owner.get(p.path))).toContain('Sign in to continue to');
  });

  it('refuses a consent posted from another signed-in browser: error page and no code for the attacker', async () => {
    const server = await start();
    const owner = new Agent(server.url);
    const stranger = new Agent(server.url);
    const p = await beginAuthorization(owner);
    const ownerCsrf = await signIn(owner, p);
    const q = await beginAuthorization(stranger);
    const strangerCsrf = await signIn(stranger, q);
    const res = await stranger.postForm(`${p.path}/consent`, { csrf: strangerCsrf, decision: 'allow' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await errorText(stranger, res)).toContain('access_denied');
    expect((await allow(owner, p, ownerCsrf)).get('state')).toBe(p.state);
  });
});

describe('security headers', () => {
  const expectPageHeaders = (res: Response) => {
    expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-store');
  };

  it("sends frame-ancestors 'none', X-Frame-Options DENY, nosniff and a referrer policy on the login, consent, logout and error pages", async () => {
    const server = await start();
    const agent = new Agent(server.url);
    const p = await beginAuthorization(agent);
    const loginPage = await agent.get(p.path);
    expectPageHeaders(loginPage);
    expect(loginPage.headers.get('strict-transport-security')).toBeNull();
    await signIn(agent, p);
    expectPageHeaders(await agent.get(p.path));
    expectPageHeaders(await agent.get('/logout'));
    const error = await agent.get('/oauth2/authorize?client_id=nobody');
    expect(error.status).toBe(400);
    expectPageHeaders(error);
    const forged = await agent.postForm('/logout', {});
    expect(forged.status).toBe(403);
    expectPageHeaders(forged);
  });

  it('sends Cache-Control: no-store (and Pragma: no-cache) on every JSON response that carries a token or its details (RFC 6749 §5.1)', async () => {
    const server = await start();
    const agent = new Agent(server.url);
    const p = await beginAuthorization(agent);
    const code = (await allow(agent, p, await signIn(agent, p))).get('code') ?? '';
    const tokenRes = await tokenRequest(server, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: p.verifier });
    expect(tokenRes.status).toBe(200);
    const tokens = (await tokenRes.json()) as { access_token: string; refresh_token: string };
    const responses: [string, Response][] = [
      ['token', tokenRes],
      ['refresh', await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token })],
      ['client_credentials', await tokenRequest(server, { grant_type: 'client_credentials' })],
      ['token error', await tokenRequest(server, { grant_type: 'authorization_code', code: 'nope', code_verifier: p.verifier, redirect_uri: REDIRECT_URI })],
      [
        'introspection',
        await fetch(`${server.url}/oauth2/introspect`, {
          method: 'POST',
          headers: { authorization: basic('web-app', TEST_SECRET), 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ token: tokens.access_token }),
        }),
      ],
      ['userinfo', await fetch(`${server.url}/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } })],
    ];
    for (const [name, res] of responses) {
      expect(res.status, name).toBeLessThan(500);
      expect(res.headers.get('cache-control'), name).toBe('no-store');
      expect(res.headers.get('pragma'), name).toBe('no-cache');
      expect(res.headers.get('x-content-type-options'), name).toBe('nosniff');
      expect(res.headers.get('content-security-policy'), name).toMatch(/frame-ancestors 'none'/);
    }
    // The authorization response carries a code: not cacheable either (here straight from /authorize, as consent is
    // remembered).
    const res = await agent.get(`/oauth2/authorize?${authorizeQuery().query}`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^https:\/\/client\.example\/callback\?code=lk_ac_/);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });
});

describe('cookies', () => {
  const expectFlags = (c: SetCookie | undefined, secure: boolean) => {
    expect(c).toBeDefined();
    expect(c?.attributes.get('httponly')).toBe(true);
    expect(String(c?.attributes.get('samesite')).toLowerCase()).toBe('lax');
    expect(c?.attributes.get('path')).toBe('/');
    expect(c?.attributes.has('domain')).toBe(false);
    expect(c?.attributes.get('secure') === true).toBe(secure);
  };

  it('are HttpOnly and SameSite=Lax, without Secure or the __Host- prefix, under an http issuer', async () => {
    const server = await start();
    const agent = new Agent(server.url);
    const p = await beginAuthorization(agent);
    await signIn(agent, p);
    const names = agent.setCookies.map((c) => c.name);
    expect(names).toContain('lk_browser');
    expect(names).toContain('lk_session');
    expect(names.some((n) => n.startsWith('__Host-'))).toBe(false);
    expectFlags(agent.setCookies.find((c) => c.name === 'lk_browser'), false);
    expectFlags(agent.setCookies.find((c) => c.name === 'lk_session'), false);
  });

  it('carry Secure and the __Host- prefix under an https issuer, and pages send HSTS', async () => {
    const server = await start({ issuer: 'https://auth.example' });
    const agent = new Agent(server.url);
    const p = await beginAuthorization(agent);
    const csrf = await signIn(agent, p);
    const names = agent.setCookies.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['__Host-lk_browser', '__Host-lk_session']));
    expect(names).not.toContain('lk_browser');
    expect(names).not.toContain('lk_session');
    for (const c of agent.setCookies) expectFlags(c, true);
    const params = await allow(agent, p, csrf);
    expect(params.get('iss')).toBe('https://auth.example');
    expect((await agent.get('/logout')).headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
  });

  it('under an https issuer, ignores a cookie without the __Host- prefix (it could have been planted by a sibling host)', async () => {
    const server = await start({ issuer: 'https://auth.example' });
    const owner = new Agent(server.url);
    const p = await beginAuthorization(owner);
    const browser = owner.jar.get('__Host-lk_browser') ?? '';
    expect(browser).not.toBe('');
    const planted = new Agent(server.url, { cookie: `lk_browser=${browser}` });
    const res = await planted.get(p.path);
    expect(res.status).toBe(400);
    expect(await errorText(planted, res)).toContain('access_denied');
  });
});

describe('login throttling with backoff', () => {
  it('after 5 wrong passwords for alice, the 6th attempt, even with the right password, gets 429 "Try again"; after the lock expires it works', async () => {
    const clock = new FakeClock();
    const server = await start({}, { clock });
    const agent = new Agent(server.url);
    const p = await beginAuthorization(agent);
    for (let i = 1; i <= 5; i++) {
      const res = await login(agent, p, `wrong password ${i}`);
      expect(res.status, `attempt ${i}`).toBe(401);
      expect(await agent.text(res)).toContain('The username or password is incorrect.');
    }
    const locked = await login(agent, p, TEST_PASSWORD);
    expect(locked.status).toBe(429);
    const html = await agent.text(locked);
    expect(html).toMatch(/role="alert">Too many failed attempts\. Try again in 1 second\.</);
    expect(hasSessionCookie(agent)).toBe(false);

    clock.advance(1);
    expect((await login(agent, p, TEST_PASSWORD)).status).toBe(303);
    expect(hasSessionCookie(agent)).toBe(true);
  });

  it('doubles the lock after each further failure (exponential backoff) and a success resets the account counter', async () => {
    const clock = new FakeClock();
    const server = await start({}, { clock });
    const agent = new Agent(server.url);
    const p = await beginAuthorization(agent);
    for (let i = 1; i <= 5; i++) expect((await login(agent, p, 'wrong password')).status).toBe(401);
    clock.advance(1);
    expect((await login(agent, p, 'wrong password')).status).toBe(401);
    const locked = await login(agent, p, TEST_PASSWORD);
    expect(locked.status).toBe(429);
    expect(await agent.text(locked)).toContain('Try again in 2 seconds.');
    clock.advance(1);
    expect((await login(agent, p, TEST_PASSWORD)).status).toBe(429);
    clock.advance(1);
    expect((await login(agent, p, TEST_PASSWORD)).status).toBe(303);

    // After a success the account starts afresh: five more free failures.
    const again = new Agent(server.url);
    const q = await beginAuthorization(again);
    for (let i = 1; i <= 5; i++) expect((await login(again, q, 'wrong password')).status).toBe(401);
    expect((await login(again, q, TEST_PASSWORD)).status).toBe(429);
  });

  it('locks the account whatever the address and the letter case of the username, while another account is unaffected', async () => {
    const clock = new FakeClock();
    const server = await start({ trustProxy: true, users: [
      { username: 'alice', password: TEST_PASSWORD, name: 'Alice Liddell', email: 'alice@example.com' },
      { username: 'bob', password: TEST_PASSWORD },
    ] }, { clock });
    const agent = new Agent(server.url);
    const p = await beginAuthorization(agent);
    // Five failures spread over five addresses still lock alice (the account limit).
    for (let i = 1; i <= 5; i++) {
      expect((await login(agent, p, 'wrong password', {}, { 'x-forwarded-for': `198.51.100.${i}` })).status).toBe(401);
    }
    const fresh = { 'x-forwarded-for': '203.0.113.99' };
    expect((await login(agent, p, TEST_PASSWORD, {}, fresh)).status).toBe(429);
    expect((await login(agent, p, TEST_PASSWORD, { username: 'ALICE' }, fresh)).status).toBe(429);
    expect((await login(agent, p, TEST_PASSWORD, { username: 'bob' }, fresh)).status).toBe(303);
  });

  it('limits failures per address too (default 20, here 3): the next attempt from that address gets 429 for any account, other addresses do not', async () => {
    const clock = new FakeClock();
    const server = await start({ trustProxy: true, rateLimit: { loginFreeFailuresPerAddress: 3 } }, { clock });
    const agent = new Agent(server.url);
    const p = await beginAuthorization(agent);
    const attacker = { 'x-forwarded-for': '203.0.113.7' };
    // Password spraying: one try per (unknown) account, so no account limit is reached.
    for (const username of ['mallory', 'trent', 'victor']) {
      expect((await login(agent, p, 'password1', { username }, attacker)).status).toBe(401);
    }
    const blocked = await login(agent, p, TEST_PASSWORD, {}, attacker);
    expect(blocked.status).toBe(429);
    expect(await agent.text(blocked)).toContain('Try again in');
    expect(hasSessionCookie(agent)).toBe(false);
    // alice herself, from her own address, is not locked out by the attacker.
    expect((await login(agent, p, TEST_PASSWORD, {}, { 'x-forwarded-for': '198.51.100.20' })).status).toBe(303);
  });

  it('without trustProxy, ignores X-Forwarded-For, so an attacker cannot escape the address limit by forging it', async () => {
    const clock = new FakeClock();
    const server = await start({ rateLimit: { loginFreeFailuresPerAddress: 2, loginFreeFailures: 100 } }, { clock });
    const agent = new Agent(server.url);
    const p = await beginAuthorization(agent);
    expect((await login(agent, p, 'x-password', { username: 'u1' }, { 'x-forwarded-for': '192.0.2.1' })).status).toBe(401);
    expect((await login(agent, p, 'x-password', { username: 'u2' }, { 'x-forwarded-for': '192.0.2.2' })).status).toBe(401);
    expect((await login(agent, p, TEST_PASSWORD, {}, { 'x-forwarded-for': '192.0.2.3' })).status).toBe(429);
  });
});

describe('token endpoint rate limit', () => {
  it('answers the 4th request in a minute with 429, a JSON error and Retry-After when tokenPerMinute is 3', async () => {
    const server = await start({ rateLimit: { tokenPerMinute: 3 } });
    for (let i = 1; i <= 3; i++) {
      const res = await tokenRequest(server, { grant_type: 'client_credentials' });
      expect(res.status, `request ${i}`).toBe(200);
    }
    const res = await tokenRequest(server, { grant_type: 'client_credentials' });
    expect(res.status).toBe(429);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await res.json()) as { error: string; error_description: string };
    expect(body.error).toBe('temporarily_unavailable');
    expect(typeof body.error_description).toBe('string');
    // A client that fails authentication is counted too: the limit is per address, before any work is done.
    const bad = await tokenRequest(server, { grant_type: 'client_credentials' }, 'wrong-secret-wrong-secret');
    expect(bad.status).toBe(429);
  });

  it('does not limit the token endpoint when tokenPerMinute is 0', async () => {
    const server = await start({ rateLimit: { tokenPerMinute: 0 } });
    for (let i = 1; i <= 8; i++) expect((await tokenRequest(server, { grant_type: 'client_credentials' })).status).toBe(200);
  });
});

describe('no secret in logs, error messages or error pages', () => {
  it('logs at debug level none of: the password, the client secret, any code, access or refresh token, verifier or session cookie', async () => {
    let logText = '';
    const logStream = new PassThrough();
    logStream.on('data', (chunk: Buffer) => {
      logText += chunk.toString('utf8');
    });
    const server = await start({ logLevel: 'debug' }, { logStream });
    const agent = new Agent(server.url);
    const wrongPassword = 'Wr0ng-Pa55word-that-must-not-be-logged';
    const wrongSecret = 'wrong-client-secret-must-not-be-logged';
    const secrets: string[] = [TEST_PASSWORD, TEST_SECRET, wrongPassword, wrongSecret];
    const responses: string[] = [];
    const json = async (res: Response) => {
      const text = await res.text();
      // Error bodies must not echo a secret; success bodies carry the tokens they issue, by design.
      if (res.status >= 400) responses.push(text);
      return JSON.parse(text === '' ? '{}' : text) as Record<string, string>;
    };

    const p = await beginAuthorization(agent);
    secrets.push(p.verifier);
    // A failed login (the password ends up in a log line if anything logs the body).
    const failed = await login(agent, p, wrongPassword);
    expect(failed.status).toBe(401);
    const csrf = await signIn(agent, p);
    const session = agent.jar.get('lk_session') ?? '';
    expect(session).toMatch(/^lk_ss_/);
    secrets.push(session);
    const code = (await allow(agent, p, csrf)).get('code') ?? '';
    secrets.push(code);

    // A wrong client secret, in Basic and in the body.
    const exchange = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: p.verifier };
    const wrongBasic = await tokenRequest(server, exchange, wrongSecret);
    expect(wrongBasic.status).toBe(401);
    expect((await json(wrongBasic))['error']).toBe('invalid_client');
    const wrongPost = await fetch(`${server.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...exchange, client_id: 'web-app', client_secret: wrongSecret }),
    });
    expect(wrongPost.status).toBe(401);
    await json(wrongPost);

    const tokens = await json(await tokenRequest(server, exchange));
    const access = tokens['access_token'] ?? '';
    const refresh = tokens['refresh_token'] ?? '';
    expect(access).toMatch(/^lk_at_/);
    secrets.push(access, refresh);

    // A token in the query string of /userinfo (refused by default, but the URL is logged).
    const inQuery = await fetch(`${server.url}/userinfo?access_token=${encodeURIComponent(access)}`);
    expect(inQuery.status).toBe(400);
    await json(inQuery);
    // An invalid bearer token in the header.
    const bogusBearer = `lk_at_${randomBytes(32).toString('base64url')}`;
    secrets.push(bogusBearer);
    const invalid = await fetch(`${server.url}/userinfo`, { headers: { authorization: `Bearer ${bogusBearer}` } });
    expect(invalid.status).toBe(401);
    expect(invalid.headers.get('www-authenticate') ?? '').not.toContain(bogusBearer);
    await json(invalid);

    // A refresh (rotation), then a code replay (which revokes the grant).
    const refreshed = await json(await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: refresh }));
    expect(refreshed['access_token']).toMatch(/^lk_at_/);
    secrets.push(refreshed['access_token'] ?? '', refreshed['refresh_token'] ?? '');
    const replay = await tokenRequest(server, exchange);
    expect(replay.status).toBe(400);
    expect((await json(replay))['error']).toBe('invalid_grant');
    // The spent refresh token replayed, introspected and revoked.
    const reuse = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: refresh });
    expect(reuse.status).toBe(400);
    await json(reuse);
    const introspection = await fetch(`${server.url}/oauth2/introspect`, {
      method: 'POST',
      headers: { authorization: basic('web-app', TEST_SECRET), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: refresh }),
    });
    expect(introspection.status).toBe(200);
    await json(introspection);
    // Secrets where a parameter does not belong: in the query string of the token endpoint and of /authorize.
    const queryToken = await fetch(`${server.url}/oauth2/token?client_secret=${encodeURIComponent(TEST_SECRET)}&code=${encodeURIComponent(code)}`, {
      method: 'POST',
      headers: { authorization: basic('web-app', TEST_SECRET), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(queryToken.status).toBeLessThan(500);
    responses.push(await queryToken.text());
    const authErr = await agent.get(`/oauth2/authorize?client_id=nobody&password=${encodeURIComponent(TEST_PASSWORD)}&code=${encodeURIComponent(code)}`);
    expect(authErr.status).toBe(400);
    await agent.text(authErr);

    await new Promise((resolve) => setImmediate(resolve));
    // The capture works: the log has the events, and the redacted query.
    expect(logText).toContain('"event":"login_failed"');
    expect(logText).toContain('access_token=[redacted]');
    expect(logText).toContain('invalid_client');
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8);
      expect(logText.includes(secret), `log contains a secret (${secret.slice(0, 6)}…)`).toBe(false);
      expect(logText.includes(encodeURIComponent(secret)), `log contains an encoded secret (${secret.slice(0, 6)}…)`).toBe(false);
      for (const body of [...responses, ...agent.bodies]) {
        expect(body.includes(secret), `a response echoed a secret (${secret.slice(0, 6)}…)`).toBe(false);
      }
    }
  });
});

describe('error pages escape what the attacker sent', () => {
  it('renders a client_id of <script>alert(1)</script> escaped or not at all, never as markup', async () => {
    const server = await start();
    const agent = new Agent(server.url);
    const xss = '<script>alert(1)</script>';
    const urls = [
      `/oauth2/authorize?response_type=code&client_id=${encodeURIComponent(xss)}`,
      `/oauth2/authorize?response_type=code&client_id=web-app&redirect_uri=${encodeURIComponent(`https://evil.example/${xss}`)}`,
      `/oauth2/authorize?${encodeURIComponent(xss)}=1&${encodeURIComponent(xss)}=2`,
      `/interaction/${encodeURIComponent(xss)}`,
      `/demo/callback?code=${encodeURIComponent(xss)}&state=${encodeURIComponent(xss)}`,
      `/demo/callback?error=${encodeURIComponent(xss)}&error_description=${encodeURIComponent(xss)}`,
    ];
    for (const url of urls) {
      const res = await agent.get(url);
      expect(res.status, url).toBeLessThan(500);
      const html = await agent.text(res);
      expect(html, url).not.toContain('<script>');
      expect(html, url).not.toContain(xss);
      // Any script the page has must carry the per-response nonce (the CSP blocks the rest).
      expect(res.headers.get('content-security-policy'), url).toMatch(/script-src 'nonce-/);
    }
    // The demo callback shows the values, escaped.
    const shown = await agent.text(await agent.get(urls[4] ?? ''));
    expect(shown).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});

describe('no 5xx for a client mistake', () => {
  const multipart = (fields: string[][]) =>
    `${fields.map(([k, v]) => `--xyz\r\nContent-Disposition: form-data; name="${k ?? ''}"\r\n\r\n${v ?? ''}\r\n`).join('')}--xyz--\r\n`;
  const form = 'application/x-www-form-urlencoded';
  const basicAuth = basic('web-app', TEST_SECRET);
  const cases: { name: string; path: string; init?: RequestInit; status?: number }[] = [
    // Authorization endpoint.
    { name: 'authorize without parameters', path: '/oauth2/authorize', status: 400 },
    { name: 'authorize with client_id twice', path: '/oauth2/authorize?client_id=web-app&client_id=web-app', status: 400 },
    { name: 'authorize with broken percent-encoding', path: '/oauth2/authorize?client_id=%E0%A4%A', status: 400 },
    { name: 'authorize with percent-encoded invalid UTF-8', path: '/oauth2/authorize?client_id=%FF%FE', status: 400 },
    { name: 'authorize with a 10 kB client_id', path: `/oauth2/authorize?client_id=${'a'.repeat(10_000)}`, status: 400 },
    { name: 'authorize with a NUL in client_id', path: '/oauth2/authorize?client_id=web%00app', status: 400 },
    { name: 'authorize with an unknown redirect_uri', path: '/oauth2/authorize?client_id=web-app&redirect_uri=https://evil.example/', status: 400 },
    { name: 'authorize POST with a JSON array', path: '/oauth2/authorize', init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[1,2]' }, status: 400 },
    { name: 'authorize POST as text/plain', path: '/oauth2/authorize', init: { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' }, status: 415 },
    { name: 'authorize with a parameter as an array (JSON)', path: '/oauth2/authorize', init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"client_id":["web-app"]}' }, status: 400 },
    // Token endpoint.
    { name: 'token without a body', path: '/oauth2/token', init: { method: 'POST' }, status: 400 },
    { name: 'token GET', path: '/oauth2/token', status: 404 },
    { name: 'token with an empty form', path: '/oauth2/token', init: { method: 'POST', headers: { 'content-type': form }, body: '' }, status: 400 },
    { name: 'token with invalid JSON', path: '/oauth2/token', init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"grant_type":' }, status: 400 },
    { name: 'token with an empty JSON body', path: '/oauth2/token', init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '' }, status: 400 },
    { name: 'token with JSON null', path: '/oauth2/token', init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'null' }, status: 400 },
    { name: 'token with a nested JSON object', path: '/oauth2/token', init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"grant_type":{"a":1}}' }, status: 400 },
    { name: 'token with __proto__ in JSON', path: '/oauth2/token', init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"__proto__":{"admin":true},"grant_type":"client_credentials"}' }, status: 400 },
    { name: 'token with constructor.prototype in JSON', path: '/oauth2/token', init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"constructor":{"prototype":{"x":1}}}' }, status: 400 },
    { name: 'token with non-UTF-8 bytes', path: '/oauth2/token', init: { method: 'POST', headers: { 'content-type': form }, body: Buffer.from([0x67, 0x72, 0x61, 0x6e, 0x74, 0x3d, 0xff, 0xfe]) }, status: 400 },
    { name: 'token as text/plain', path: '/oauth2/token', init: { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'grant_type=client_credentials' }, status: 415 },
    { name: 'token with an absurd content type', path: '/oauth2/token', init: { method: 'POST', headers: { 'content-type': 'x'.repeat(2000) }, body: 'a=b' }, status: 415 },
    { name: 'token with a 1 MB body', path: '/oauth2/token', init: { method: 'POST', headers: { 'content-type': form }, body: `grant_type=${'a'.repeat(1024 * 1024)}` }, status: 413 },
    { name: 'token with grant_type twice', path: '/oauth2/token', init: { method: 'POST', headers: { 'content-type': form, authorization: basicAuth }, body: 'grant_type=client_credentials&grant_type=client_credentials' }, status: 400 },
    { name: 'token with an unknown grant_type', path: '/oauth2/token', init: { method: 'POST', headers: { 'content-type': form, authorization: basicAuth }, body: 'grant_type=urn:x' }, status: 400 },
    { name: 'token with Basic garbage', path: '/oauth2/token', init: { method: 'POST', headers: { 'content-type': form, authorization: 'Basic !!!' }, body: 'grant_type=client_credentials' }, status: 401 },
    { name: 'token with Basic without a colon', path: '/oauth2/token', init: { method: 'POST', headers: { 'content-type': form, authorization: `Basic ${Buffer.from('web-app').toString('base64')}` }, body: 'grant_type=client_credentials' }, status: 401 },
    { name: 'token with Basic and broken percent-encoding', path: '/oauth2/token', init: { method: 'POST', headers: { 'content-type': form, authorization: `Basic ${Buffer.from('%E0%A4%A:%ZZ').toString('base64')}` }, body: 'grant_type=client_credentials' }, status: 401 },
    { name: 'token with Basic of a colon only', path: '/oauth2/token', init: { method: 'POST', headers: { 'content-type': form, authorization: `Basic ${Buffer.from(':').toString('base64')}` }, body: 'grant_type=client_credentials' }, status: 401 },
    { name: 'token with a 6 kB Authorization header', path: '/oauth2/token', init: { method: 'POST', headers: { 'content-type': form, authorization: `Basic ${'A'.repeat(6000)}` }, body: 'grant_type=client_credentials' }, status: 401 },
    { name: 'token with two client authentication methods', path: '/oauth2/token', init: { method: 'POST', headers: { 'content-type': form, authorization: basicAuth }, body: `grant_type=client_credentials&client_secret=${TEST_SECRET}` }, status: 400 },
    { name: 'token with a 10 kB code', path: '/oauth2/token', init: { method: 'POST', headers: { 'content-type': form, authorization: basicAuth }, body: `grant_type=authorization_code&code=${'c'.repeat(10_000)}&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&code_verifier=${'v'.repeat(50)}` }, status: 400 },
    { name: 'token with a malformed code_verifier', path: '/oauth2/token', init: { method: 'POST', headers: { 'content-type': form, authorization: basicAuth }, body: `grant_type=authorization_code&code=lk_ac_x&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&code_verifier=%00%01` }, status: 400 },
    { name: 'token refresh with an unknown token', path: '/oauth2/token', init: { method: 'POST', headers: { 'content-type': form, authorization: basicAuth }, body: 'grant_type=refresh_token&refresh_token=lk_rt_nope' }, status: 400 },
    { name: 'token with a broken multipart body', path: '/oauth2/token', init: { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=xyz' }, body: '--xyz\r\nContent-Disposition: form-data; name="grant_type"\r\n\r\nclient_credentials' }, status: 400 },
    { name: 'token with a multipart file upload', path: '/oauth2/token', init: { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=xyz', authorization: basicAuth }, body: '--xyz\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--xyz--\r\n' } },
    { name: 'token with multipart and no boundary', path: '/oauth2/token', init: { method: 'POST', headers: { 'content-type': 'multipart/form-data' }, body: 'x' }, status: 400 },
    { name: 'token with grant_type twice in multipart', path: '/oauth2/token', init: { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=xyz', authorization: basicAuth }, body: multipart([['grant_type', 'client_credentials'], ['grant_type', 'client_credentials']]) }, status: 400 },
    { name: 'token with 60 multipart fields', path: '/oauth2/token', init: { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=xyz', authorization: basicAuth }, body: multipart(Array.from({ length: 60 }, (_, i) => [`f${i}`, 'v'])) } },
    { name: 'a well-formed multipart token request (control)', path: '/oauth2/token', init: { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=xyz', authorization: basicAuth }, body: multipart([['grant_type', 'client_credentials']]) }, status: 200 },
    // Revocation and introspection.
    { name: 'revoke without client authentication', path: '/oauth2/revoke', init: { method: 'POST', headers: { 'content-type': form }, body: 'token=x' }, status: 401 },
    { name: 'revoke without a token', path: '/oauth2/revoke', init: { method: 'POST', headers: { 'content-type': form, authorization: basicAuth }, body: '' }, status: 400 },
    { name: 'revoke with invalid JSON', path: '/oauth2/revoke', init: { method: 'POST', headers: { 'content-type': 'application/json', authorization: basicAuth }, body: '{' }, status: 400 },
    { name: 'introspect without client authentication', path: '/oauth2/introspect', init: { method: 'POST', headers: { 'content-type': form }, body: 'token=x' }, status: 401 },
    { name: 'introspect as a public client', path: '/oauth2/introspect', init: { method: 'POST', headers: { 'content-type': form }, body: 'token=x&client_id=spa' }, status: 401 },
    { name: 'introspect without a token', path: '/oauth2/introspect', init: { method: 'POST', headers: { 'content-type': form, authorization: basicAuth }, body: '' }, status: 400 },
    { name: 'introspect with token twice', path: '/oauth2/introspect', init: { method: 'POST', headers: { 'content-type': form, authorization: basicAuth }, body: 'token=a&token=b' }, status: 400 },
    // The protected resource.
    { name: 'userinfo without a token', path: '/userinfo', status: 401 },
    { name: 'userinfo with "Bearer" and nothing else', path: '/userinfo', init: { headers: { authorization: 'Bearer' } }, status: 400 },
    { name: 'userinfo with "Bearer a b"', path: '/userinfo', init: { headers: { authorization: 'Bearer a b' } }, status: 400 },
    { name: 'userinfo with an unknown token', path: '/userinfo', init: { headers: { authorization: 'Bearer lk_at_nope' } }, status: 401 },
    { name: 'userinfo with a 7 kB bearer token', path: '/userinfo', init: { headers: { authorization: `Bearer ${'t'.repeat(7000)}` } }, status: 401 },
    { name: 'userinfo with two token methods', path: '/userinfo', init: { method: 'POST', headers: { authorization: 'Bearer abc', 'content-type': form }, body: 'access_token=abc' }, status: 400 },
    { name: 'userinfo POST with invalid JSON', path: '/userinfo', init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' }, status: 400 },
    { name: 'userinfo with a token in the query string', path: '/userinfo?access_token=abc', status: 400 },
    // Interaction pages.
    { name: 'an unknown interaction', path: '/interaction/lk_ix_unknown', status: 400 },
    { name: 'an interaction id of 5000 characters', path: `/interaction/${'i'.repeat(5000)}`, status: 414 },
    { name: 'an interaction id with percent-encoded junk', path: '/interaction/%00%FF%E0', status: 400 },
    { name: 'login POST to an unknown interaction', path: '/interaction/lk_ix_unknown/login', init: { method: 'POST', headers: { 'content-type': form }, body: 'username=alice&password=x' }, status: 403 },
    { name: 'consent POST to an unknown interaction', path: '/interaction/lk_ix_unknown/consent', init: { method: 'POST', headers: { 'content-type': form }, body: 'decision=allow' }, status: 403 },
    { name: 'login POST with fields twice', path: '/interaction/lk_ix_unknown/login', init: { method: 'POST', headers: { 'content-type': form }, body: 'csrf=a&csrf=b' }, status: 400 },
    { name: 'login POST as JSON with a nested object', path: '/interaction/lk_ix_unknown/login', init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"csrf":{"$ne":null}}' }, status: 400 },
    { name: 'logout POST with an invalid body', path: '/logout', init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[' }, status: 400 },
    // Console and account (issue 10, defect 8): malformed percent-encoding is the client's mistake, a 400 page.
    { name: 'console login with broken percent-encoding', path: '/console/login?x=%zz', status: 400 },
    { name: 'console callback with broken percent-encoding', path: '/console/callback?x=%zz', status: 400 },
    { name: 'account callback with broken percent-encoding', path: '/account/callback?x=%zz', status: 400 },
    { name: 'console login with percent-encoded invalid UTF-8', path: '/console/login?return=%FF%FE', status: 400 },
    { name: 'console POST with csrf=%zz', path: '/console/applications', init: { method: 'POST', headers: { 'content-type': form }, body: 'csrf=%zz' }, status: 400 },
    { name: 'account POST with csrf=%zz', path: '/account/password', init: { method: 'POST', headers: { 'content-type': form }, body: 'csrf=%zz' }, status: 400 },
    { name: 'admin API query with broken percent-encoding', path: '/admin/api/v1/applications?x=%zz', init: { headers: { authorization: 'Bearer lk_at_nope' } }, status: 401 },
    // Parsing limits (issue 10, defect 1): the first duplicate ends the parse; more than 500 parameters are refused.
    { name: 'token with 32 000 bare duplicates (a&a&…)', path: '/oauth2/token', init: { method: 'POST', headers: { 'content-type': form }, body: 'a&'.repeat(32_000) }, status: 400 },
    { name: 'token with 501 parameters', path: '/oauth2/token', init: { method: 'POST', headers: { 'content-type': form, authorization: basicAuth }, body: Array.from({ length: 501 }, (_, i) => `k${i}=v`).join('&') }, status: 400 },
    { name: 'authorize POST with 32 000 bare duplicates', path: '/oauth2/authorize', init: { method: 'POST', headers: { 'content-type': form }, body: 'a&'.repeat(32_000) }, status: 400 },
    { name: 'authorize with 501 query parameters', path: `/oauth2/authorize?${Array.from({ length: 501 }, (_, i) => `k${i}`).join('&')}`, status: 400 },
    { name: 'admin API before authentication with 32 000 bare duplicates', path: '/admin/api/v1/applications', init: { method: 'POST', headers: { 'content-type': form }, body: 'a&'.repeat(32_000) }, status: 400 },
    { name: 'console POST with 32 000 bare duplicates', path: '/console/applications', init: { method: 'POST', headers: { 'content-type': form }, body: 'a&'.repeat(32_000) }, status: 400 },
    // Bogus cookies and absurd headers.
    { name: 'a bogus lk_browser cookie', path: '/interaction/lk_ix_unknown', init: { headers: { cookie: 'lk_browser=<script>' } }, status: 400 },
    { name: 'a cookie with broken percent-encoding', path: '/interaction/lk_ix_unknown', init: { headers: { cookie: 'lk_browser=%E0%A4%A; lk_session=%ZZ' } }, status: 400 },
    { name: 'a bogus session cookie on /authorize', path: `/oauth2/authorize?${authorizeQuery().query}`, init: { headers: { cookie: 'lk_session=lk_ss_forged; lk_browser=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } }, status: 303 },
    { name: 'a bogus session cookie on /logout', path: '/logout', init: { headers: { cookie: `lk_session=${'s'.repeat(3000)}` } }, status: 200 },
    { name: 'a cookie header of 6 kB junk', path: '/logout', init: { headers: { cookie: ';=;'.repeat(2000) } }, status: 200 },
    { name: 'a forged X-Forwarded-For with garbage', path: '/oauth2/authorize?client_id=x', init: { headers: { 'x-forwarded-for': '<<<, ::ffff:999.1.1.1, ' } }, status: 400 },
    { name: 'an unknown path', path: '/nope', status: 404 },
    { name: 'an unknown method on the token path', path: '/oauth2/token', init: { method: 'PUT' }, status: 404 },
  ];

  it('answers every malformed request in the table with a 4xx (or its documented non-error status) and keeps serving', async () => {
    const server = await start();
    const failures: string[] = [];
    for (const c of cases) {
      let status: number;
      try {
        const res = await fetch(`${server.url}${c.path}`, { redirect: 'manual', ...c.init });
        status = res.status;
        await res.arrayBuffer();
      } catch (err) {
        failures.push(`${c.name}: request failed (${String(err)})`);
        continue;
      }
      if (c.status !== undefined ? status !== c.status : status < 400 || status >= 500) {
        failures.push(`${c.name}: got ${status}, expected ${c.status ?? '4xx'}`);
      }
    }
    expect(failures).toEqual([]);
    const alive = await fetch(`${server.url}/.well-known/oauth-authorization-server`);
    expect(alive.status).toBe(200);
  });
});
