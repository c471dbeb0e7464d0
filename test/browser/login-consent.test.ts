import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot, withPage } from '../support/browser.ts';
import { startServer, testConfig, TEST_PASSWORD, TEST_SECRET, type TestServer } from '../support/server.ts';

/**
 * A person in Chromium: the application sends them to the authorization endpoint, they sign in, read the consent
 * page, click Allow or Deny, and land back on the application's redirect URI (RFC 6749 §4.1.1-§4.1.2).
 */

const SCOPES = [
  { name: 'openid', description: 'Know who you are' },
  { name: 'profile', description: 'See your name and username' },
  { name: 'email', description: 'See your email address' },
];

/** The client's redirect URI: a loopback HTTP server that records every query it receives. */
interface Callback {
  url: string;
  received: URLSearchParams[];
  close(): Promise<void>;
}

async function startCallback(): Promise<Callback> {
  const received: URLSearchParams[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/callback') return void res.writeHead(404).end();
    received.push(url.searchParams);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Client</title><h1>Back at the application</h1>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/callback`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface AuthRequest {
  url: string;
  state: string;
  verifier: string;
}

/** An authorization request with PKCE (RFC 7636 §4.1-4.2, S256) and a fresh state. */
function authorizationRequest(server: TestServer, redirectUri: string): AuthRequest {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const url = new URL(`${server.url}/oauth2/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: 'web-app',
    redirect_uri: redirectUri,
    scope: SCOPES.map((s) => s.name).join(' '),
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  return { url: url.toString(), state, verifier };
}

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** RFC 6749 §4.1.3 with client_secret_basic (§2.3.1) and the PKCE verifier (RFC 7636 §4.5). */
async function exchange(server: TestServer, code: string, redirectUri: string, verifier: string): Promise<Response> {
  return fetch(`${server.url}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: basic('web-app', TEST_SECRET), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier }),
  });
}

/** Console errors (CSP violations show up there) collected while the test runs; the browser's favicon probe aside. */
function consoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !msg.location().url.endsWith('/favicon.ico')) errors.push(`${msg.text()} (${msg.location().url})`);
  });
  page.on('pageerror', (err) => errors.push(err.message));
  return errors;
}

/** The focused element (exactly one, or the locator throws). */
const focusedId = async (page: Page) => (await page.locator(':focus').getAttribute('id')) ?? '';
const focusedText = async (page: Page) => (await page.locator(':focus').innerText()).trim();

describe('login and consent in Chromium, as a person would', () => {
  let server: TestServer;
  let callback: Callback;

  beforeEach(async () => {
    callback = await startCallback();
    const clients = (testConfig().clients ?? []).map((c) => (c.id === 'web-app' ? { ...c, redirectUris: [callback.url] } : c));
    server = await startServer({ clients });
  });

  afterEach(async () => {
    await server.close();
    await callback.close();
  });

  async function signIn(page: Page, password: string): Promise<void> {
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  async function expectConsentPage(page: Page): Promise<void> {
    await page.getByRole('heading', { name: 'Web App wants to access your account' }).waitFor();
    const items = (await page.getByRole('listitem').allInnerTexts()).map((t) => t.replace(/\s+/g, ' '));
    expect(items).toHaveLength(SCOPES.length);
    // Each requested scope once, by its description (the order is the server's).
    for (const scope of SCOPES) expect(items.filter((t) => t.includes(scope.description))).toHaveLength(1);
    await expect(page.getByRole('button', { name: 'Allow' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Deny' }).isVisible()).resolves.toBe(true);
  }

  it('signs in, allows, lands on the redirect URI with code, state and iss, and the code buys tokens (RFC 6749 §4.1.2, RFC 9207 §2)', async (ctx) => {
    const req = authorizationRequest(server, callback.url);
    await withPage(ctx, async (page) => {
      const errors = consoleErrors(page);
      const response = await page.goto(req.url);
      expect(response?.status()).toBe(200);
      // The authorization request is moved to its own page, so a reload does not resend it.
      expect(new URL(page.url()).pathname).toMatch(/^\/interaction\/lk_ix_[A-Za-z0-9_-]+$/);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      expect(await page.locator('main').innerText()).toContain('Sign in to continue to Web App');
      await screenshot(page, 'login');

      await signIn(page, TEST_PASSWORD);
      await expectConsentPage(page);
      expect(await page.locator('main').innerText()).toContain('Signed in as Alice Liddell');
      await screenshot(page, 'consent');

      await page.getByRole('button', { name: 'Allow' }).click();
      await page.waitForURL((u) => u.href.startsWith(callback.url));
      await page.getByRole('heading', { name: 'Back at the application' }).waitFor();
      // No CSP violation or script error on any page of the flow.
      expect(errors).toEqual([]);
    });

    expect(callback.received).toHaveLength(1);
    const query = callback.received[0] as URLSearchParams;
    const code = query.get('code') ?? '';
    expect(code).toMatch(/^lk_ac_[A-Za-z0-9_-]{52}$/);
    expect(query.get('state')).toBe(req.state);
    expect(query.get('iss')).toBe(server.url);
    expect(query.get('error')).toBeNull();

    const res = await exchange(server, code, callback.url, req.verifier);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const tokens = (await res.json()) as Record<string, unknown>;
    expect(tokens['token_type']).toBe('Bearer');
    expect(tokens['access_token']).toMatch(/^lk_at_/);
    expect(tokens['refresh_token']).toMatch(/^lk_rt_/);
    expect(tokens['scope']).toBe('openid profile email');
    expect(tokens['expires_in']).toBe(3600);

    // The token works at the protected resource, for the person who signed in.
    const userinfo = await fetch(`${server.url}/userinfo`, { headers: { authorization: `Bearer ${String(tokens['access_token'])}` } });
    expect(userinfo.status).toBe(200);
    expect(await userinfo.json()).toMatchObject({ preferred_username: 'alice', name: 'Alice Liddell', email: 'alice@example.com' });

    // The code is single-use (RFC 6749 §4.1.2): the browser's code cannot be redeemed twice.
    const replay = await exchange(server, code, callback.url, req.verifier);
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('clicking Deny lands on the redirect URI with error=access_denied, the same state and no code (RFC 6749 §4.1.2.1)', async (ctx) => {
    const req = authorizationRequest(server, callback.url);
    await withPage(ctx, async (page) => {
      const errors = consoleErrors(page);
      await page.goto(req.url);
      await signIn(page, TEST_PASSWORD);
      await expectConsentPage(page);
      await page.getByRole('button', { name: 'Deny' }).click();
      await page.waitForURL((u) => u.href.startsWith(callback.url));
      expect(errors).toEqual([]);
    });
    expect(callback.received).toHaveLength(1);
    const query = callback.received[0] as URLSearchParams;
    expect(query.get('error')).toBe('access_denied');
    expect(query.get('state')).toBe(req.state);
    expect(query.get('iss')).toBe(server.url);
    expect(query.get('code')).toBeNull();
  });

  it('a wrong password shows an alert on the login page, issues nothing, and the person can retry and succeed', async (ctx) => {
    const req = authorizationRequest(server, callback.url);
    await withPage(ctx, async (page) => {
      await page.goto(req.url);
      const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/login')), signIn(page, 'not the password')]);
      expect(response.status()).toBe(401);
      const alert = page.getByRole('alert');
      await alert.waitFor();
      expect(await alert.innerText()).toBe('The username or password is incorrect.');
      // The form is still there, marked invalid and pointing at the message; the password is never echoed back.
      expect(await page.getByLabel('Password').inputValue()).toBe('');
      // The username is kept, so only the password needs retyping.
      expect(await page.getByLabel('Username').inputValue()).toBe('alice');
      expect(await page.getByLabel('Password').getAttribute('aria-invalid')).toBe('true');
      expect(await page.getByLabel('Username').getAttribute('aria-describedby')).toBe('lk-error');
      expect(await page.content()).not.toContain('not the password');
      expect(callback.received).toHaveLength(0);

      await signIn(page, TEST_PASSWORD);
      await expectConsentPage(page);
      await page.getByRole('button', { name: 'Allow' }).click();
      await page.waitForURL((u) => u.href.startsWith(callback.url));
    });
    const query = callback.received[0] as URLSearchParams;
    expect(query.get('code')).toMatch(/^lk_ac_/);
    expect(query.get('state')).toBe(req.state);
    const res = await exchange(server, query.get('code') ?? '', callback.url, req.verifier);
    expect(res.status).toBe(200);
  });

  it('works from the keyboard alone: username focused on load, Tab to password, Tab to Sign in, Enter; Tab to Allow', async (ctx) => {
    const req = authorizationRequest(server, callback.url);
    await withPage(ctx, async (page) => {
      await page.goto(req.url);
      expect(await focusedId(page)).toBe('lk-username');
      await page.keyboard.type('alice');
      await page.keyboard.press('Tab');
      expect(await focusedId(page)).toBe('lk-password');
      await page.keyboard.type(TEST_PASSWORD);
      await page.keyboard.press('Tab');
      expect(await focusedText(page)).toBe('Sign in');
      await page.keyboard.press('Enter');

      await expectConsentPage(page);
      await page.keyboard.press('Tab');
      expect(await focusedText(page)).toBe('Allow');
      await page.keyboard.press('Tab');
      expect(await focusedText(page)).toBe('Deny');
      await page.keyboard.press('Shift+Tab');
      expect(await focusedText(page)).toBe('Allow');
      await page.keyboard.press('Enter');
      await page.waitForURL((u) => u.href.startsWith(callback.url));
    });
    const query = callback.received[0] as URLSearchParams;
    expect(query.get('code')).toMatch(/^lk_ac_/);
    expect(query.get('state')).toBe(req.state);
  });
});
