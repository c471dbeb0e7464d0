import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { screenshot, withPage } from '../support/browser.ts';
import { authorizeWebApp, pageErrors, signIn, WEB_APP_REDIRECT } from '../support/browser-flows.ts';
import { obtainCode, WEB_APP_BASIC } from '../support/flow-helpers.ts';
import { startServer, TEST_PASSWORD, type TestServer } from '../support/server.ts';
import { UserAgent } from '../support/user-agent.ts';

/**
 * A person on /account in Chromium: they see the applications they have authorized, revoke one and its tokens stop
 * working; they change their password; they sign out of every session.
 */

const userinfo = (server: TestServer, token: string) => fetch(`${server.url}/userinfo`, { headers: { authorization: `Bearer ${token}` } });

describe('/account in Chromium, as a person would use it', () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await startServer();
  });

  afterEach(async () => {
    await server.close();
  });

  it('lists an authorized application with its scopes; Revoke withdraws consent and its tokens stop working', async (ctx) => {
    await withPage(
      ctx,
      async (page) => {
        const errors = pageErrors(page, [401, 403, 422, 429]);
        const tokens = await authorizeWebApp(page, server);
        expect((await userinfo(server, tokens.access_token)).status).toBe(200);

        // Already signed in (the SSO session): straight to the page.
        await page.goto(`${server.url}/account`);
        await page.getByRole('heading', { name: 'Your account' }).waitFor();
        const row = page.getByRole('table', { name: 'Applications you have authorized' }).getByRole('row', { name: /Web App/ });
        const text = await row.innerText();
        expect(text).toContain('See your name and username');
        expect(text).toContain('See your email address');
        // Latchkey's own account page is not listed as an application.
        expect(await page.getByRole('table', { name: 'Applications you have authorized' }).locator('tbody tr').count()).toBe(1);
        await screenshot(page, 'account');

        await row.getByRole('button', { name: 'Revoke access for Web App' }).click();
        await page.getByText('Access was revoked').waitFor();
        expect(await page.getByText('You have not authorized any application.').isVisible()).toBe(true);
        await screenshot(page, 'account-revoked');

        expect((await userinfo(server, tokens.access_token)).status).toBe(401);
        const refresh = await fetch(`${server.url}/oauth2/token`, {
          method: 'POST',
          headers: { authorization: WEB_APP_BASIC },
          body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }),
        });
        expect(refresh.status).toBe(400);
        expect(((await refresh.json()) as { error: string }).error).toBe('invalid_grant');

        // The consent is gone too: the next authorization asks again.
        await page.goto(`${server.url}/oauth2/authorize?${new URLSearchParams({ response_type: 'code', client_id: 'web-app', redirect_uri: WEB_APP_REDIRECT, scope: 'openid', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' }).toString()}`);
        await page.getByRole('button', { name: 'Allow' }).waitFor();
        expect(errors).toEqual([]);
      },
      { viewport: { width: 1100, height: 800 } },
    );
  });

  it('lists the person\'s sessions with browser, application, address and times, marks this one, and ends another; stacked at 390 px', async (ctx) => {
    // alice is also signed in elsewhere (a script with fetch: its user agent is "node").
    const elsewhere = new UserAgent(server.url);
    await obtainCode(elsewhere);
    await withPage(
      ctx,
      async (page) => {
        const errors = pageErrors(page, [401, 403, 422, 429]);
        await authorizeWebApp(page, server);
        await page.goto(`${server.url}/account`);
        await page.getByRole('heading', { name: 'Your account' }).waitFor();
        const sessions = page.getByRole('table', { name: 'Your sessions' });
        const mine = sessions.getByRole('row', { name: /This session/ });
        const text = await mine.innerText();
        expect(text).toContain('Chrome on Linux');
        expect(text).toContain('Web App');
        expect(text).toContain('127.0.0.1');
        expect(await sessions.locator('tbody tr').count()).toBe(2);
        await screenshot(page, 'screenshots/account-sessions');
        await page.setViewportSize({ width: 390, height: 844 });
        expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
        const labels = await page.evaluate<string[]>(`[...document.querySelectorAll('table')[1].querySelectorAll('tbody tr:first-child td')].map((td) => getComputedStyle(td, '::before').content)`);
        expect(labels).toEqual(['"Browser"', '"Signed in through"', '"Address"', '"Signed in"', '"Last used"', 'none']);
        await screenshot(page, 'screenshots/account-sessions-390');
        await page.setViewportSize({ width: 1100, height: 800 });

        const other = sessions.getByRole('row', { name: /node/ });
        await other.getByRole('button', { name: /End the session of node/ }).click();
        await page.getByText('The session has ended').waitFor();
        expect(await page.getByRole('table', { name: 'Your sessions' }).locator('tbody tr').count()).toBe(1);
        expect((await elsewhere.request('/account')).status).toBe(303);
        await screenshot(page, 'screenshots/account-session-ended');
        expect(errors).toEqual([]);
      },
      { viewport: { width: 1100, height: 800 } },
    );
  });

  it('signs in through the ordinary login page when there is no session, and comes back to /account', async (ctx) => {
    await withPage(ctx, async (page) => {
      await page.goto(`${server.url}/account`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      expect(new URL(page.url()).pathname).toMatch(/^\/interaction\//);
      await signIn(page);
      await page.waitForURL(`${server.url}/account`);
      await page.getByRole('heading', { name: 'Your account' }).waitFor();
      expect(await page.getByText('Signed in as Alice Liddell').isVisible()).toBe(true);
    });
  });

  it('changes the password: a wrong current one is named next to its field; then the old password no longer signs in', async (ctx) => {
    await withPage(ctx, async (page) => {
      const errors = pageErrors(page, [401, 403, 422, 429]);
      await page.goto(`${server.url}/account`);
      await signIn(page);
      await page.getByRole('heading', { name: 'Your account' }).waitFor();

      await page.getByLabel('Current password').fill('not my password');
      await page.getByLabel('New password', { exact: true }).fill('a brand new password');
      await page.getByLabel('Confirm the new password').fill('a brand new password');
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
      expect(await page.locator('#f-currentPassword-error').innerText()).toBe('this is not your current password');
      expect(await page.getByLabel('Current password').getAttribute('aria-invalid')).toBe('true');
      await screenshot(page, 'account-password-invalid');

      await page.getByLabel('Current password').fill(TEST_PASSWORD);
      await page.getByLabel('New password', { exact: true }).fill('a brand new password');
      await page.getByLabel('Confirm the new password').fill('a brand new password');
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.getByText('Your password was changed').waitFor();

      // This browser stays signed in; a new sign-in needs the new password.
      await page.getByRole('button', { name: 'Sign out of all sessions' }).click();
      await page.getByRole('heading', { name: 'You are signed out everywhere' }).waitFor();
      await page.goto(`${server.url}/account`);
      await signIn(page, TEST_PASSWORD);
      await page.getByRole('alert').waitFor();
      expect(await page.getByRole('alert').innerText()).toBe('The username or password is incorrect.');
      await signIn(page, 'a brand new password');
      await page.waitForURL(`${server.url}/account`);
      expect(errors).toEqual([]);
    });
  });
});
