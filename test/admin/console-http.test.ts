import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.ts';
import { credentialKey } from '../../src/core/crypto.ts';
import { CONSOLE_SCRIPT_ETAG } from '../../src/console/views/script.ts';
import { bearer, codeGrant, expectTokens, obtainCode, postToken, WEB_APP_BASIC } from '../support/flow-helpers.ts';
import { AdminApi, adminToken, startAdminServer } from '../support/admin.ts';
import { TEST_PASSWORD, type TestServer } from '../support/server.ts';
import { parseForms, UserAgent, type Outcome } from '../support/user-agent.ts';

/**
 * The console and the account page over plain HTTP: cookie flags, CSRF on every form, the strict CSP, the sign-in
 * round trip (state, where to go back to), expiry, and the account page's guards.
 */

/** Signs in to the console as `username` and returns the agent and the page it landed on. */
async function consoleSignIn(server: TestServer, username = 'root', returnTo?: string): Promise<{ agent: UserAgent; landed: Outcome }> {
  const agent = new UserAgent(server.url);
  const login = await agent.start(`/console/login${returnTo === undefined ? '' : `?return=${encodeURIComponent(returnTo)}`}`);
  expect(login.page).toBe('login');
  const landed = await agent.login(login, username, TEST_PASSWORD);
  return { agent, landed };
}

const formOf = (page: Outcome, action: string) => {
  const form = parseForms(page.html ?? '').find((f) => f.action === action);
  if (!form) throw new Error(`no form posting to ${action}`);
  return form;
};

const postForm = (agent: UserAgent, path: string, fields: Record<string, string>) =>
  agent.request(path, { method: 'POST', body: new URLSearchParams(fields), headers: { 'content-type': 'application/x-www-form-urlencoded' } });

describe('console over HTTP', () => {
  let server: TestServer;
  const clock = new FakeClock(Math.floor(Date.now() / 1000));

  beforeEach(async () => {
    server = await startAdminServer({}, { clock });
  });

  afterEach(async () => {
    await server.close();
  });

  it('keeps its token in an HttpOnly, SameSite=Strict cookie and lands on the applications page', async () => {
    const agent = new UserAgent(server.url);
    const login = await agent.start('/console/login');
    const form = parseForms(login.html ?? '')[0];
    const res = await agent.request(form?.action ?? '', { method: 'POST', body: new URLSearchParams({ ...form?.fields, username: 'root', password: TEST_PASSWORD }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    // Login -> interaction -> (no consent for the console) -> callback.
    let next = res;
    const cookies: string[] = [];
    for (let i = 0; i < 5 && next.status === 303; i++) {
      cookies.push(...next.headers.getSetCookie());
      next = await agent.request(next.headers.get('location') ?? '');
    }
    const session = cookies.find((c) => c.startsWith('lk_console='));
    expect(session).toBeDefined();
    expect(session).toMatch(/; HttpOnly/i);
    expect(session).toMatch(/; SameSite=Strict/i);
    expect(session).toMatch(/; Path=\/console/i);
    expect(session).toMatch(/; Max-Age=86400/i);
    expect(session).toMatch(/^lk_console=lk_at_/);
    expect(next.status).toBe(200);
    const html = await next.text();
    expect(html).toContain('<h1>Applications</h1>');
  });

  it('sends a strict CSP with a nonce, form-action self and no inline handlers', async () => {
    const { agent } = await consoleSignIn(server);
    const res = await agent.request('/console/applications/new');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/^default-src 'none'; style-src 'nonce-[A-Za-z0-9+/=]+'; script-src 'nonce-[A-Za-z0-9+/=]+';/);
    expect(csp).toContain("form-action 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).toMatch(/<script src="\/console\/assets\/console\.js" nonce="[^"]+" defer><\/script>/);
  });

  it('serves its script from Latchkey itself, cacheable, with an ETag', async () => {
    const res = await fetch(`${server.url}/console/assets/console.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(res.headers.get('etag')).toBe(CONSOLE_SCRIPT_ETAG);
    expect(await res.text()).toContain('redirect-uris');
    const again = await fetch(`${server.url}/console/assets/console.js`, { headers: { 'if-none-match': CONSOLE_SCRIPT_ETAG } });
    expect(again.status).toBe(304);
  });

  it('refuses every form without the CSRF token, or with another session\'s, and changes nothing (403)', async () => {
    const { agent, landed } = await consoleSignIn(server);
    expect(landed.html).toContain('<h1>Applications</h1>');
    const csrf = formOf(landed, '/console/logout').fields['csrf'] ?? '';
    const { landed: other } = await consoleSignIn(server);
    const foreign = formOf(other, '/console/logout').fields['csrf'] ?? '';
    expect(foreign).not.toBe(csrf);
    for (const fields of [{}, { csrf: foreign }, { csrf: 'x' }]) {
      const res = await postForm(agent, '/console/applications', { ...fields, name: 'Sneaky', redirectUris: 'https://sneaky.example/cb' });
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('The form has expired');
    }
    const res = await postForm(agent, '/console/applications/web-app/delete', { csrf: foreign });
    expect(res.status).toBe(403);
    const api = new AdminApi(server, await adminToken(server));
    expect((await api.get('/applications?q=sneaky')).body).toEqual({ items: [], nextCursor: null });
    expect((await api.get('/applications/web-app')).status).toBe(200);
    // With the right token the same form works.
    const ok = await postForm(agent, '/console/applications', { csrf, name: 'Sneaky', redirectUris: 'https://sneaky.example/cb', grantTypes: 'authorization_code', responseTypes: 'code' });
    expect(ok.status).toBe(201);
  });

  it('answers malformed percent-encoding in a signed-in form or query with a 400 page, never a 500 (issue 10, defect 8)', async () => {
    const { agent } = await consoleSignIn(server);
    for (const [path, init] of [
      ['/console/applications', { method: 'POST', body: 'csrf=%zz&name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }],
      ['/console/logout', { method: 'POST', body: 'csrf=%E0%A4%A', headers: { 'content-type': 'application/x-www-form-urlencoded' } }],
      ['/console/applications?q=%zz', {}],
      ['/console/users?q=%FF', {}],
    ] as const) {
      const res = await agent.request(path, init);
      const html = await res.text();
      expect({ path, status: res.status, type: res.headers.get('content-type') }).toEqual({ path, status: 400, type: 'text/html; charset=utf-8' });
      expect(html).toContain('invalid_request');
      expect(html).not.toMatch(/ at .*\.ts:\d+/);
    }
  });

  it('shows form errors next to their fields with 422, keeping what was typed', async () => {
    const { agent, landed } = await consoleSignIn(server);
    const csrf = formOf(landed, '/console/logout').fields['csrf'] ?? '';
    const res = await postForm(agent, '/console/applications', { csrf, name: 'Bad <app>', redirectUris: 'https://ok.example/cb\nhttp://not-loopback.example/cb', accessTokenTtl: 'soon' });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toMatch(/<p class="lk-field-error" id="f-redirectUris-error" aria-live="polite">http:\/\/not-loopback.example\/cb: http is allowed only for loopback addresses; use https<\/p>/);
    expect(html).toContain('aria-describedby="f-redirectUris-hint f-redirectUris-error" aria-invalid="true"');
    expect(html).toContain('<p class="lk-field-error" id="f-accessTokenTtl-error">enter a whole number of seconds from 1 to 315360000, or never</p>');
    // What was typed comes back, escaped.
    expect(html).toContain('value="Bad &lt;app&gt;"');
    expect(html).toContain('value="soon"');
    expect(html).not.toContain('Bad <app>');
  });

  it('shows why a file: or http://localhost redirect URI is refused, next to the field (RFC 8252 §7, §8.3)', async () => {
    const { agent, landed } = await consoleSignIn(server);
    const csrf = formOf(landed, '/console/logout').fields['csrf'] ?? '';
    const res = await postForm(agent, '/console/applications', { csrf, name: 'Local', redirectUris: 'file:///etc/passwd\nhttp://localhost:8080/cb', grantTypes: 'authorization_code', responseTypes: 'code' });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toMatch(/id="f-redirectUris-error" aria-live="polite">file:\/\/\/etc\/passwd: the file: scheme is not allowed[^<]*; http:\/\/localhost:8080\/cb: use http:\/\/127\.0\.0\.1 or http:\/\/\[::1\][^<]*<\/p>/);
  });

  it('goes back only to a console page after signing in, never to another site', async () => {
    for (const [returnTo, expected] of [
      ['/console/users', '/console/users'],
      ['https://evil.example/console', '/console/applications'],
      ['//evil.example/console', '/console/applications'],
      ['/console/../account', '/console/applications'],
      ['/consoleevil', '/console/applications'],
    ] as const) {
      const agent = new UserAgent(server.url);
      let res = await agent.request(`/console/login?return=${encodeURIComponent(returnTo)}`);
      const login = await agent.follow(res);
      const form = parseForms(login.html ?? '')[0];
      res = await agent.request(form?.action ?? '', { method: 'POST', body: new URLSearchParams({ ...form?.fields, username: 'root', password: TEST_PASSWORD }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      let last = '';
      for (let i = 0; i < 5 && res.status === 303; i++) {
        last = res.headers.get('location') ?? '';
        res = await agent.request(last);
      }
      expect(last, returnTo).toBe(expected);
    }
  });

  it('refuses a callback whose state does not match, and a replayed callback (no session cookie)', async () => {
    const agent = new UserAgent(server.url);
    const start = await agent.request('/console/login');
    const authorize = new URL(start.headers.get('location') ?? '', server.url);
    const state = authorize.searchParams.get('state') ?? '';
    const forged = await agent.request(`/console/callback?code=lk_ac_x&state=${encodeURIComponent(`${state}x`)}`);
    expect(forged.status).toBe(400);
    expect(forged.headers.getSetCookie().some((c) => c.startsWith('lk_console='))).toBe(false);
    expect(await forged.text()).toContain('This sign-in has expired or was started in another browser');
    // The sign-in cookie is gone after any callback: the genuine state no longer works either.
    expect((await agent.request(`/console/callback?code=lk_ac_x&state=${encodeURIComponent(state)}`)).status).toBe(400);
  });

  it('without a session, a GET goes straight to sign in as /account does; from another site it first reloads from this origin; an expired session too', async () => {
    const anonymous = await fetch(`${server.url}/console/users`, { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe('/console/login?return=%2Fconsole%2Fusers');
    // A SameSite=Strict cookie is withheld on a navigation from another site: reload from here (no loop) first.
    const crossSite = await fetch(`${server.url}/console/users`, { redirect: 'manual', headers: { 'sec-fetch-site': 'cross-site' } });
    expect(crossSite.status).toBe(200);
    expect(await crossSite.text()).toContain('<meta http-equiv="refresh" content="0; url=/console/users">');

    const { agent, landed } = await consoleSignIn(server);
    const csrf = formOf(landed, '/console/logout').fields['csrf'] ?? '';
    clock.advance(3601);
    const expired = await agent.request('/console/users?q=a');
    expect(expired.status).toBe(303);
    expect(expired.headers.get('location')).toBe('/console/login?return=%2Fconsole%2Fusers%3Fq%3Da');
    const post = await postForm(agent, '/console/scopes', { csrf, name: 'x', description: 'y' });
    expect([401]).toContain(post.status);
  });

  it('signing out revokes the console token', async () => {
    const { agent, landed } = await consoleSignIn(server);
    const token = agent.cookies.get('lk_console') ?? '';
    expect((await new AdminApi(server, token).get('/applications')).status).toBe(200);
    const csrf = formOf(landed, '/console/logout').fields['csrf'] ?? '';
    const res = await postForm(agent, '/console/logout', { csrf });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console/signed-out');
    expect((await new AdminApi(server, token).get('/applications')).status).toBe(401);
  });

  it('a non-administrator is refused by the authorization server itself (access_denied), and gets no console cookie', async () => {
    const { agent, landed } = await consoleSignIn(server, 'alice');
    expect(landed.status).toBe(403);
    expect(landed.html).toContain('Only administrators can use the console');
    expect(agent.cookies.has('lk_console')).toBe(false);
  });

  it("lists every session with user, application, address, browser, sign-in and last use, marks the administrator's own, and never shows a cookie value", async () => {
    const alice = new UserAgent(server.url);
    await obtainCode(alice);
    const { agent } = await consoleSignIn(server);
    const page = await agent.start('/console/sessions');
    expect(page.status).toBe(200);
    const html = page.html ?? '';
    for (const label of ['User', 'Signed in through', 'Address', 'Browser', 'Signed in', 'Last used']) expect(html).toContain(`<th scope="col">${label}</th>`);
    expect(html).toContain('>alice</a>');
    expect(html).toContain('Web App');
    expect(html).toMatch(/data-label="Browser"><span title="node">node<\/span>/);
    // root signed in through the console: that row is "this session", and only that one.
    expect(html.match(/This session/g)).toHaveLength(1);
    for (const value of [alice.cookies.get('lk_session'), agent.cookies.get('lk_session'), agent.cookies.get('lk_console')]) {
      expect(value).toBeTruthy();
      expect(html).not.toContain(value);
    }
  });

  it('rotates a secret with a grace period chosen on the form: the page shows the new secret and until when the old one works, and both authenticate', async () => {
    const { agent } = await consoleSignIn(server);
    const confirm = await agent.start('/console/applications/web-app/rotate');
    expect(confirm.status).toBe(200);
    const form = formOf(confirm, '/console/applications/web-app/rotate');
    expect(confirm.html).toContain('name="graceSeconds"');
    const res = await postForm(agent, form.action, { ...form.fields, graceSeconds: '3600' });
    expect(res.status).toBe(200);
    const html = await res.text();
    const fresh = /id="client-secret" value="(lk_cs_[^"]+)"/.exec(html)?.[1] ?? '';
    expect(fresh).not.toBe('');
    const until = new Date((clock.now() + 3600) * 1000).toISOString();
    expect(html).toContain(`<time datetime="${until}">`);
    expect(html).toContain('The old secret keeps working until');
    await expectTokens(await postToken(server, { grant_type: 'client_credentials' }, { authorization: WEB_APP_BASIC }));
    await expectTokens(await postToken(server, { grant_type: 'client_credentials' }, { authorization: `Basic ${Buffer.from(`web-app:${fresh}`).toString('base64')}` }));
    // The application's page keeps showing the expiry while the grace lasts.
    expect((await agent.start('/console/applications/web-app')).html).toContain('<dt>Previous secret</dt><dd>Still works until');
  });

  it('refuses a grace period that is not one of the offered or a whole number of seconds (422) and changes nothing', async () => {
    const { agent } = await consoleSignIn(server);
    const form = formOf(await agent.start('/console/applications/web-app/rotate'), '/console/applications/web-app/rotate');
    const res = await postForm(agent, form.action, { ...form.fields, graceSeconds: 'forever' });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('aria-invalid="true"');
    await expectTokens(await postToken(server, { grant_type: 'client_credentials' }, { authorization: WEB_APP_BASIC }));
  });

  it('the overview charts the last 24 hours and 7 days from the token counts and the audit log, as inline SVG with text figures, no script', async () => {
    // Activity: one code flow (a sign-in and a code exchange), a refresh, a failed sign-in, a replayed code.
    const alice = new UserAgent(server.url);
    const code = await obtainCode(alice);
    const tokens = await expectTokens(await postToken(server, codeGrant(code), { authorization: WEB_APP_BASIC }));
    await expectTokens(await postToken(server, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token ?? '' }, { authorization: WEB_APP_BASIC }));
    await postToken(server, codeGrant(code), { authorization: WEB_APP_BASIC });
    const failing = new UserAgent(server.url);
    const login = await failing.start('/console/login');
    await failing.login(login, 'alice', 'not the password');
    const { agent } = await consoleSignIn(server);
    const page = await agent.start('/console/overview');
    expect(page.status).toBe(200);
    const html = page.html ?? '';
    // First in the navigation.
    expect(html.indexOf('href="/console/overview"')).toBeLessThan(html.indexOf('href="/console/applications"'));
    expect(html).toContain('aria-current="page">Overview');
    // Each chart is an image with a title and a description, and its figures are in the text beside it.
    expect(html).toMatch(/<svg[^>]*role="img"[^>]*aria-labelledby="[^"]+"/);
    expect(html).toContain('<title id=');
    expect(html).toContain('<desc id=');
    const figure = (label: string) => new RegExp(`data-metric="${label}"[^]*?data-total="24h">(\\d+)<`).exec(html)?.[1];
    expect(figure('authorization_code')).toBe('1');
    expect(figure('refresh_token')).toBe('1');
    // alice's sign-in and root's console sign-in; alice's failed attempt; the replayed code.
    expect(figure('login.succeeded')).toBe('2');
    expect(figure('login.failed')).toBe('1');
    expect(figure('code.replayed')).toBe('1');
    expect(figure('refresh_token.reused')).toBe('0');
    expect(html).not.toMatch(/<script(?![^>]*src="\/console\/assets\/console\.js")/);
  });

  it('uses __Host- cookies marked Secure when the issuer is https', async () => {
    const https = await startAdminServer({ issuer: 'https://auth.example' });
    try {
      const agent = new UserAgent(https.url);
      const res = await agent.request('/console/login');
      const cookie = res.headers.getSetCookie().find((c) => c.includes('lk_console_signin=')) ?? '';
      expect(cookie).toMatch(/^__Host-lk_console_signin=/);
      expect(cookie).toMatch(/; Secure/i);
      expect(cookie).toMatch(/; Path=\//i);
      expect(cookie).toMatch(/; HttpOnly/i);
    } finally {
      await https.close();
    }
  });
});

describe('/account over HTTP', () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await startAdminServer();
  });

  afterEach(async () => {
    await server.close();
  });

  /** alice signed in (SSO session) after authorizing web-app; returns her agent, tokens and the /account page. */
  async function aliceWithApp() {
    const agent = new UserAgent(server.url);
    const tokens = await expectTokens(await postToken(server, codeGrant(await obtainCode(agent)), { authorization: WEB_APP_BASIC }));
    const page = await agent.start('/account');
    expect(page.status).toBe(200);
    return { agent, tokens, page };
  }

  it('without a session, signs in as Latchkey\'s own account client (PKCE, no scope)', async () => {
    const res = await fetch(`${server.url}/account`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    const url = new URL(res.headers.get('location') ?? '', server.url);
    expect(url.pathname).toBe('/oauth2/authorize');
    expect(url.searchParams.get('client_id')).toBe('latchkey-account');
    expect(url.searchParams.get('redirect_uri')).toBe(`${server.url}/account/callback`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.has('scope')).toBe(false);
  });

  it("skips consent only for what the built-in clients are registered for: a crafted request for more gets the consent page", async () => {
    const agent = new UserAgent(server.url);
    await obtainCode(agent);
    const crafted = await agent.start(`/oauth2/authorize?${new URLSearchParams({ response_type: 'code', client_id: 'latchkey-account', redirect_uri: `${server.url}/account/callback`, scope: 'email', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' }).toString()}`);
    expect(crafted.page).toBe('consent');
    // Asking for nothing, as the account page does, goes straight through (and the callback needs its own state).
    const plain = await agent.request(`/oauth2/authorize?${new URLSearchParams({ response_type: 'code', client_id: 'latchkey-account', redirect_uri: `${server.url}/account/callback`, code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' }).toString()}`);
    expect(plain.status).toBe(303);
    expect(plain.headers.get('location')).toMatch(/\/account\/callback\?code=lk_ac_/);
  });

  it('refuses Revoke without the CSRF token (403) and keeps the tokens; with it, revokes them', async () => {
    const { agent, tokens, page } = await aliceWithApp();
    const form = formOf(page, '/account/applications/web-app/revoke');
    expect((await postForm(agent, '/account/applications/web-app/revoke', {})).status).toBe(403);
    expect((await postForm(agent, '/account/applications/web-app/revoke', { csrf: 'forged' })).status).toBe(403);
    expect((await bearer(server, tokens.access_token)).status).toBe(200);
    const ok = await postForm(agent, '/account/applications/web-app/revoke', form.fields);
    expect(ok.status).toBe(303);
    expect((await bearer(server, tokens.access_token)).status).toBe(401);
    const api = new AdminApi(server, await adminToken(server));
    const events = (await api.get('/audit-events?type=consent.revoked')).body as { items: { clientId: string; details: Record<string, unknown> }[] };
    expect(events.items[0]).toMatchObject({ clientId: 'web-app', details: { by: 'user' } });
  });

  it('answers a signed-in POST with csrf=%zz, and a callback with broken percent-encoding, with a 400 page (issue 10, defect 8)', async () => {
    const { agent } = await aliceWithApp();
    for (const path of ['/account/password', '/account/sign-out-everywhere', '/account/applications/web-app/revoke']) {
      const res = await agent.request(path, { method: 'POST', body: 'csrf=%zz', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect({ path, status: res.status, type: res.headers.get('content-type') }).toEqual({ path, status: 400, type: 'text/html; charset=utf-8' });
      expect(await res.text()).toContain('invalid_request');
    }
    const callback = await agent.request('/account/callback?code=%zz&state=x');
    expect({ status: callback.status, type: callback.headers.get('content-type') }).toEqual({ status: 400, type: 'text/html; charset=utf-8' });
    // Still signed in: nothing was changed by the refused forms.
    expect((await agent.request('/account')).status).toBe(200);
  });

  it('a POST without a session is refused (401), never redirected', async () => {
    const res = await postForm(new UserAgent(server.url), '/account/password', { currentPassword: 'x', newPassword: 'y' });
    expect(res.status).toBe(401);
  });

  it('password change: names each bad field (422); too many wrong current passwords are throttled (429)', async () => {
    const { agent, page } = await aliceWithApp();
    const csrf = formOf(page, '/account/password').fields['csrf'] ?? '';
    const mismatch = await postForm(agent, '/account/password', { csrf, currentPassword: TEST_PASSWORD, newPassword: 'long enough 1', confirmPassword: 'long enough 2' });
    expect(mismatch.status).toBe(422);
    expect(await mismatch.text()).toContain('<p class="lk-field-error" id="f-confirmPassword-error">the two new passwords differ</p>');
    const short = await postForm(agent, '/account/password', { csrf, currentPassword: TEST_PASSWORD, newPassword: 'short', confirmPassword: 'short' });
    expect(await short.text()).toContain('<p class="lk-field-error" id="f-newPassword-error">use at least 8 characters</p>');
    let last = 0;
    for (let i = 0; i < 7; i++) last = (await postForm(agent, '/account/password', { csrf, currentPassword: `wrong-${i}`, newPassword: 'long enough 1', confirmPassword: 'long enough 1' })).status;
    expect(last).toBe(429);
  });

  it("lists the person's own sessions with browser, application, address and times, marks this one, and never shows a cookie value", async () => {
    const { agent } = await aliceWithApp();
    const other = new UserAgent(server.url);
    await obtainCode(other);
    // Two sessions of alice (this browser and the other), each with its End button.
    const fresh = await agent.start('/account');
    const rows = (fresh.html ?? '').slice((fresh.html ?? '').indexOf('id="sessions-heading"'));
    expect(rows.match(/action="\/account\/sessions\/[^"]+\/end"/g)).toHaveLength(2);
    expect(rows).toContain('This session');
    // fetch's user agent is "node"; the sign-in went through web-app, from the loopback address.
    expect(rows).toContain('data-label="Browser">node');
    expect(rows).toContain('Web App');
    expect(rows).toMatch(/127\.0\.0\.1|::1/);
    const cookie = agent.cookies.get('lk_session') ?? '';
    expect(cookie).not.toBe('');
    expect(fresh.html).not.toContain(cookie);
  });

  it("ends one of the person's sessions: that browser is signed out, this one stays; refused without CSRF (403) and for a session that is not theirs (404)", async () => {
    const { agent } = await aliceWithApp();
    const other = new UserAgent(server.url);
    await obtainCode(other);
    const page = await agent.start('/account');
    const forms = parseForms(page.html ?? '').filter((f) => /^\/account\/sessions\/[^/]+\/end$/.test(f.action));
    expect(forms).toHaveLength(2);
    // A session's id is the stored key of its cookie (never the cookie itself).
    const thisId = encodeURIComponent(credentialKey(agent.cookies.get('lk_session') ?? ''));
    const otherForm = forms.find((f) => f.action !== `/account/sessions/${thisId}/end`);
    expect(forms.filter((f) => f.action === `/account/sessions/${thisId}/end`)).toHaveLength(1);
    if (!otherForm) throw new Error('expected the other browser\'s session');
    expect((await postForm(agent, otherForm.action, {})).status).toBe(403);
    expect((await other.request('/account')).status).toBe(200);
    // Somebody else's session id (or a made-up one) is not found, and nothing ends.
    const root = new UserAgent(server.url);
    await root.login(await root.start('/console/login'), 'root', TEST_PASSWORD);
    const rootPage = await root.start('/account');
    const rootCsrf = formOf(rootPage, '/account/password').fields['csrf'] ?? '';
    const refused = await postForm(root, otherForm.action, { csrf: rootCsrf });
    expect(refused.status).toBe(404);
    expect((await other.request('/account')).status).toBe(200);
    const ended = await postForm(agent, otherForm.action, otherForm.fields);
    expect(ended.status).toBe(303);
    expect(ended.headers.get('location')).toBe('/account?notice=session-ended');
    expect((await other.request('/account')).status).toBe(303);
    expect((await agent.request('/account')).status).toBe(200);
  });

  it('records a session\'s last use at most once a minute: an authorization request after 2 minutes moves it, one after 30 seconds does not', async () => {
    await server.close();
    const clock = new FakeClock(1_800_000_000);
    server = await startAdminServer({}, { clock });
    const agent = new UserAgent(server.url);
    await obtainCode(agent);
    const key = credentialKey(agent.cookies.get('lk_session') ?? '');
    const lastUsed = async () => (await server.latchkey.deps.repos.sessions.findActive(key, clock.now()))?.lastUsedAt;
    expect(await lastUsed()).toBe(1_800_000_000);
    clock.advance(120);
    await obtainCode(agent);
    expect(await lastUsed()).toBe(1_800_000_120);
    clock.advance(30);
    await obtainCode(agent);
    expect(await lastUsed()).toBe(1_800_000_120);
  });

  it('sign out everywhere ends every session of the person, other browsers included', async () => {
    const { agent, page } = await aliceWithApp();
    const other = new UserAgent(server.url);
    await obtainCode(other);
    expect((await other.start('/account')).status).toBe(200);
    const res = await postForm(agent, '/account/sign-out-everywhere', formOf(page, '/account/sign-out-everywhere').fields);
    expect(res.status).toBe(200);
    expect((await other.request('/account')).status).toBe(303);
    expect((await agent.request('/account')).status).toBe(303);
  });
});
