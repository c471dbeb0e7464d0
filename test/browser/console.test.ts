import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot, withPage } from '../support/browser.ts';
import { pageErrors } from '../support/browser-flows.ts';
import { basicAuth } from '../support/flow-helpers.ts';
import { startAdminServer } from '../support/admin.ts';
import { TEST_PASSWORD, type TestServer } from '../support/server.ts';

/**
 * An administrator in Chromium, as a person would use the console: sign in through Latchkey's own login page, create
 * an application, copy its secret, use that application in a full authorization code flow, rotate the secret and see
 * the old one refused, delete the application. Every console page is saved to test-artifacts/ as a screenshot.
 */

const WIDE = { viewport: { width: 1280, height: 900 } };

interface Callback {
  url: string;
  received: URLSearchParams[];
  close(): Promise<void>;
}

/** The new application's redirect URI: a loopback server that records what it receives. */
async function startCallback(): Promise<Callback> {
  const received: URLSearchParams[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    received.push(url.searchParams);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Wiki</title><h1>Back at the wiki</h1>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/callback`, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}


async function signIn(page: Page, username: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const tokenRequest = (server: TestServer, body: Record<string, string>, id: string, secret: string) =>
  fetch(`${server.url}/oauth2/token`, { method: 'POST', headers: { authorization: basicAuth(id, secret) }, body: new URLSearchParams(body) });

describe('the console in Chromium, as an administrator would use it', () => {
  let server: TestServer;
  let callback: Callback;

  beforeEach(async () => {
    callback = await startCallback();
    server = await startAdminServer();
  });

  afterEach(async () => {
    await server.close();
    await callback.close();
  });

  it('signs in, creates an application, copies its secret, runs the code flow with it, rotates the secret, deletes it', async (ctx) => {
    await withPage(
      ctx,
      async (page, context) => {
        await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
        const errors = pageErrors(page, [401, 403, 409, 422]);

        // Signing in: straight to Latchkey's own login page, as /account does.
        await page.goto(`${server.url}/console`);
        await page.getByRole('heading', { name: 'Sign in' }).waitFor();
        expect(await page.locator('main').innerText()).toContain('Latchkey console');
        await signIn(page, 'root');
        // No consent page for Latchkey's own console: straight to the applications.
        await page.waitForURL(`${server.url}/console/applications`);
        await page.getByRole('heading', { name: 'Applications', level: 1 }).waitFor();
        expect(await page.getByText('Signed in as root').isVisible()).toBe(true);
        await screenshot(page, 'console-applications');

        // The create form: a bad redirect URI is flagged as it is typed, with the server's own wording.
        await page.getByRole('link', { name: 'New application' }).click();
        await page.getByRole('heading', { name: 'New application' }).waitFor();
        await page.getByLabel('Name', { exact: true }).fill('Team Wiki');
        const uris = page.getByLabel('Redirect URIs');
        await uris.fill('http://wiki.example/callback#top');
        const liveError = page.locator('#f-redirectUris-error');
        await expect.poll(() => liveError.innerText()).toContain('must not contain a fragment');
        expect(await uris.getAttribute('aria-invalid')).toBe('true');
        await screenshot(page, 'console-application-new-invalid');

        // Submitted anyway, the server refuses it and puts the error next to the field and in a summary that has focus.
        await page.getByRole('button', { name: 'Create application' }).click();
        await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
        expect(await page.evaluate<boolean>("document.activeElement?.classList.contains('lk-error-summary') === true")).toBe(true);
        expect(await liveError.innerText()).toContain('http://wiki.example/callback#top: must not contain a fragment');
        expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('Team Wiki');
        await page.getByRole('link', { name: /Redirect URIs:/ }).click();
        expect(await page.evaluate<string>('document.activeElement?.id')).toBe('f-redirectUris');

        await uris.fill(callback.url);
        await expect.poll(() => liveError.innerText()).toBe('');
        expect(await uris.getAttribute('aria-invalid')).toBeNull();
        await page.locator('#f-scopes').getByLabel('openid').check();
        await page.locator('#f-scopes').getByLabel('profile', { exact: true }).check();
        await screenshot(page, 'console-application-new');
        await page.getByRole('button', { name: 'Create application' }).click();

        // The secret, once, with a Copy button; the address becomes the detail page so a reload does not post again.
        await page.getByRole('heading', { name: 'Client secret' }).waitFor();
        const id = await page.locator('#client-id').inputValue();
        expect(page.url()).toBe(`${server.url}/console/applications/${id}`);
        const secret = await page.locator('#client-secret').inputValue();
        expect(secret).toMatch(/^lk_cs_/);
        await page.getByRole('button', { name: 'Copy Client secret' }).click();
        await expect.poll(() => page.locator('#client-secret-status').innerText()).toBe('Copied to the clipboard.');
        expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(secret);
        await screenshot(page, 'console-application-created');

        // The application in a full authorization code flow with PKCE: the administrator, already signed in, consents.
        const verifier = randomBytes(32).toString('base64url');
        const auth = new URL(`${server.url}/oauth2/authorize`);
        auth.search = new URLSearchParams({
          response_type: 'code',
          client_id: id,
          redirect_uri: callback.url,
          scope: 'openid profile',
          state: 'wiki-state',
          code_challenge: createHash('sha256').update(verifier).digest('base64url'),
          code_challenge_method: 'S256',
        }).toString();
        await page.goto(auth.toString());
        await page.getByRole('heading', { name: 'Team Wiki wants to access your account' }).waitFor();
        await page.getByRole('button', { name: 'Allow' }).click();
        await page.getByRole('heading', { name: 'Back at the wiki' }).waitFor();
        const code = callback.received[0]?.get('code') ?? '';
        expect(callback.received[0]?.get('state')).toBe('wiki-state');
        const exchanged = await tokenRequest(server, { grant_type: 'authorization_code', code, redirect_uri: callback.url, code_verifier: verifier }, id, secret);
        expect(exchanged.status).toBe(200);
        const tokens = (await exchanged.json()) as { access_token: string; refresh_token: string };
        const me = await fetch(`${server.url}/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
        expect(await me.json()).toMatchObject({ preferred_username: 'root' });

        // Rotate, with a confirmation page; the new secret works, the old one is refused.
        await page.goto(`${server.url}/console/applications/${id}`);
        await page.getByRole('link', { name: 'Rotate secret' }).click();
        await page.getByRole('heading', { name: 'Rotate the secret of Team Wiki?' }).waitFor();
        await screenshot(page, 'console-application-rotate');
        await page.getByRole('button', { name: 'Rotate secret' }).click();
        await page.getByRole('heading', { name: 'New client secret' }).waitFor();
        const rotated = await page.locator('#client-secret').inputValue();
        expect(rotated).not.toBe(secret);
        await page.getByRole('button', { name: 'Copy Client secret' }).click();
        expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(rotated);
        const refused = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, id, secret);
        expect(refused.status).toBe(401);
        expect(((await refused.json()) as { error: string }).error).toBe('invalid_client');
        const refreshed = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, id, rotated);
        expect(refreshed.status).toBe(200);
        const fresh = (await refreshed.json()) as { access_token: string };

        // Delete, with a confirmation page; everything it was issued stops working.
        await page.getByRole('link', { name: 'Delete application' }).click();
        await page.getByRole('heading', { name: 'Delete Team Wiki?' }).waitFor();
        await screenshot(page, 'console-application-delete');
        await page.getByRole('button', { name: 'Delete application' }).click();
        await page.getByText('The application was deleted').waitFor();
        expect(await page.locator('main').innerText()).not.toContain('Team Wiki');
        const after = await fetch(`${server.url}/userinfo`, { headers: { authorization: `Bearer ${fresh.access_token}` } });
        expect(after.status).toBe(401);
        expect(errors).toEqual([]);
      },
      WIDE,
    );
  });

  it('shows every console page without layout or script errors (screenshots in test-artifacts/)', async (ctx) => {
    await withPage(
      ctx,
      async (page) => {
        const errors = pageErrors(page, [401, 403, 409, 422]);
        await page.goto(`${server.url}/console/login`);
        await signIn(page, 'root');
        await page.waitForURL(`${server.url}/console/applications`);

        await page.getByRole('link', { name: 'Users' }).click();
        await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
        expect(await page.getByRole('link', { name: 'Users' }).getAttribute('aria-current')).toBe('page');
        await screenshot(page, 'console-users');

        await page.getByRole('link', { name: 'New user' }).click();
        await page.getByLabel('Username').fill('bob');
        await page.getByLabel('Email (optional)').fill('not-an-email');
        await page.getByRole('button', { name: 'Create user' }).click();
        await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
        expect(await page.locator('#f-email-error').innerText()).toContain('email address');
        await screenshot(page, 'console-user-new-invalid');
        await page.getByLabel('Email (optional)').fill('bob@example.com');
        await page.getByRole('button', { name: 'Create user' }).click();
        await page.getByRole('heading', { name: 'Password', exact: true }).waitFor();
        expect(await page.locator('#generated-password').inputValue()).toMatch(/^[A-Za-z0-9_-]{16}$/);
        await screenshot(page, 'console-user');

        await page.getByRole('button', { name: 'Disable account' }).click();
        await page.getByText('The account is disabled').waitFor();
        expect(await page.getByRole('heading', { level: 1 }).innerText()).toContain('disabled');
        await page.getByRole('button', { name: 'Enable account' }).click();
        await page.getByText('The account is enabled again').waitFor();

        await page.getByRole('link', { name: 'Scopes' }).click();
        await page.getByLabel('Name', { exact: true }).fill('calendar.read');
        await page.getByLabel('Description').fill('Read your calendar');
        await page.getByRole('button', { name: 'Add scope' }).click();
        await page.getByText('The scope was saved.').waitFor();
        expect(await page.locator('table').innerText()).toContain('Read your calendar');
        await screenshot(page, 'console-scopes');
        await page.getByRole('link', { name: 'Edit calendar.read' }).click();
        await page.getByLabel('Description').fill('See your calendar');
        await page.getByRole('button', { name: 'Save changes' }).click();
        await page.getByText('The scope was saved.').waitFor();
        expect(await page.locator('table').innerText()).toContain('See your calendar');
        await page.getByRole('link', { name: 'Edit calendar.read' }).click();
        await screenshot(page, 'console-scope-edit');

        await page.getByRole('link', { name: 'Token settings' }).click();
        await page.getByLabel('Access token lifetime').fill('0');
        await page.getByRole('button', { name: 'Save settings' }).click();
        await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
        expect(await page.locator('#f-accessTokenTtl-error').innerText()).toContain('at least 1');
        await page.getByLabel('Access token lifetime').fill('900');
        await page.getByRole('button', { name: 'Save settings' }).click();
        await page.getByText('Your changes were saved.').waitFor();
        expect(server.latchkey.deps.config.tokens.accessTokenTtl).toBe(900);
        await screenshot(page, 'console-settings');

        await page.getByRole('link', { name: 'Grants' }).click();
        await page.getByRole('heading', { name: 'Grants', level: 1 }).waitFor();
        await screenshot(page, 'console-grants');

        await page.getByRole('link', { name: 'Sessions' }).click();
        await page.getByRole('heading', { name: 'Sessions', level: 1 }).waitFor();
        expect(await page.locator('table').innerText()).toContain('root');
        await screenshot(page, 'console-sessions');

        await page.getByRole('link', { name: 'Audit log' }).click();
        await page.getByLabel('Event').selectOption('settings.updated');
        await page.getByRole('button', { name: 'Filter' }).click();
        await page.waitForURL(/type=settings\.updated/);
        const rows = await page.locator('tbody tr').allInnerTexts();
        expect(rows).toHaveLength(1);
        expect(rows[0]).toContain('accessTokenTtl');
        await page.getByLabel('Event').selectOption('');
        await page.getByRole('button', { name: 'Filter' }).click();
        await page.waitForURL(/\/console\/audit\?/);
        await screenshot(page, 'console-audit');

        // A phone-sized window: the navigation wraps and tables scroll within their panel, never the page.
        await page.setViewportSize({ width: 390, height: 844 });
        await page.goto(`${server.url}/console/applications`);
        expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
        await screenshot(page, 'console-applications-narrow');
        await page.goto(`${server.url}/console/applications/new`);
        await screenshot(page, 'console-application-new-narrow');
        expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
        await page.setViewportSize(WIDE.viewport);

        // Signing out revokes the console's token.
        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.getByRole('heading', { name: 'You have signed out of the console' }).waitFor();
        await screenshot(page, 'console-signed-out');
        // Back to the console: straight through sign-in, silent while the SSO session lasts (Latchkey itself was not
        // signed out of), as on /account.
        const back = await page.goto(`${server.url}/console/users`);
        expect(back?.status()).toBe(200);
        expect(page.url()).toBe(`${server.url}/console/users`);
        expect(errors).toEqual([]);
      },
      WIDE,
    );
  });

  it('refuses a person who is not an administrator, after the ordinary sign-in', async (ctx) => {
    await withPage(ctx, async (page) => {
      await page.goto(`${server.url}/console/login`);
      await signIn(page, 'alice');
      await page.getByRole('heading', { name: 'Not an administrator' }).waitFor();
      expect(page.url()).toContain('/console/callback');
      await screenshot(page, 'console-not-admin');
      // Straight through sign-in again, and refused again.
      const res = await page.goto(`${server.url}/console/applications`);
      expect(res?.status()).toBe(403);
      await page.getByRole('heading', { name: 'Not an administrator' }).waitFor();
    });
  });

  it('works without JavaScript: create an application and read its secret; no Copy button appears', async (ctx) => {
    await withPage(
      ctx,
      async (page) => {
        await page.goto(`${server.url}/console/login`);
        await signIn(page, 'root');
        await page.waitForURL(`${server.url}/console/applications`);
        await page.goto(`${server.url}/console/applications/new`);
        await page.getByLabel('Name', { exact: true }).fill('No-JS app');
        await page.getByLabel('Redirect URIs').fill('https://nojs.example/cb');
        await page.getByRole('button', { name: 'Create application' }).click();
        await page.getByRole('heading', { name: 'Client secret' }).waitFor();
        expect(await page.locator('#client-secret').inputValue()).toMatch(/^lk_cs_/);
        expect(await page.getByRole('button', { name: /Copy/ }).count()).toBe(0);
        // Without the script the address stays on the form's target; the page still says what happened.
        expect(page.url()).toBe(`${server.url}/console/applications`);
      },
      { ...WIDE, javaScriptEnabled: false },
    );
  });
});
