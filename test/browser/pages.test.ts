import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { FakeClock } from '../../src/core/clock.ts';
import { screenshot, withPage } from '../support/browser.ts';
import { adminConfig } from '../support/admin.ts';
import { pkcePair, WEB_REDIRECT } from '../support/flow-helpers.ts';
import { startServer, TEST_PASSWORD, type TestServer } from '../support/server.ts';

/**
 * The pages a person lands on (issue 15), in Chromium: the error pages' "Start again" path, the console going straight
 * to the login page (also from a link on another site, without a sign-in loop), the HTML 404 page and the demo
 * callback's Copy button. Each changed page is saved at desktop (1280 px) and phone (390 px) widths.
 */

const clock = new FakeClock(Math.floor(Date.now() / 1000));
let server: TestServer;
let demo: TestServer;

beforeAll(async () => {
  server = await startServer(adminConfig(), { clock });
  demo = await startServer({ demo: true, clients: [], users: [] });
});

afterAll(async () => {
  await server?.close();
  await demo?.close();
});

/** Saves the page at both widths, as test-artifacts/screenshots/<name>-desktop.png and -phone.png. */
async function shoot(page: Page, name: string): Promise<void> {
  for (const [width, suffix] of [[1280, 'desktop'], [390, 'phone']] as const) {
    await page.setViewportSize({ width, height: 900 });
    await screenshot(page, `screenshots/${name}-${suffix}`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function signIn(page: Page, username: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

function authorizeUrl(state: string): string {
  const url = new URL(`${server.url}/oauth2/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: 'web-app',
    redirect_uri: WEB_REDIRECT,
    scope: 'openid profile',
    state,
    code_challenge: pkcePair().challenge,
    code_challenge_method: 'S256',
    prompt: 'consent',
  }).toString();
  return url.toString();
}

/** The client's redirect URI does not exist in tests: answer it in the browser and report what it received. */
async function catchRedirect(page: Page): Promise<() => URL | undefined> {
  let received: URL | undefined;
  await page.route(`${WEB_REDIRECT}**`, async (route) => {
    received = new URL(route.request().url());
    await route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Web App</title><h1>Back at Web App</h1>' });
  });
  return () => received;
}

describe('error pages in Chromium', () => {
  it('an expired sign-in: Start again leads back to the login page and on to the application, state intact', async (ctx) => {
    await withPage(ctx, async (page) => {
      const received = await catchRedirect(page);
      await page.goto(authorizeUrl('browser-state'));
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      clock.advance(601);
      const expired = await page.reload();
      expect(expired?.status()).toBe(400);
      await page.getByRole('heading', { name: 'Your sign-in has expired' }).waitFor();
      await shoot(page, 'error-sign-in-expired');
      await page.getByRole('link', { name: 'Start again' }).click();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await signIn(page, 'alice');
      await page.getByRole('button', { name: 'Allow' }).click();
      await page.getByRole('heading', { name: 'Back at Web App' }).waitFor();
      expect(received()?.searchParams.get('state')).toBe('browser-state');
      expect(received()?.searchParams.get('code')).toMatch(/^lk_ac_/);
    });
  });

  it('a login form sent after the sign-in expired comes back with the username filled in', async (ctx) => {
    await withPage(ctx, async (page) => {
      await page.goto(authorizeUrl('slow'));
      await page.getByLabel('Username').fill('alice');
      await page.getByLabel('Password').fill(TEST_PASSWORD);
      clock.advance(601);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('Enter your password again').waitFor();
      expect(await page.getByLabel('Username').inputValue()).toBe('alice');
      expect(await page.getByLabel('Password').inputValue()).toBe('');
      await shoot(page, 'login-after-expiry');
      await page.getByLabel('Password').fill(TEST_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Allow' }).waitFor();
    });
  });

  it('an authorization request with a bad redirect_uri: the page shows it escaped and offers the way back', async (ctx) => {
    await withPage(ctx, async (page) => {
      const dialogs: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      const url = new URL(authorizeUrl('x'));
      url.searchParams.set('redirect_uri', 'https://evil.example/cb?<script>alert(1)</script>');
      const res = await page.goto(url.toString());
      expect(res?.status()).toBe(400);
      await page.getByRole('heading', { name: 'This sign-in link does not work' }).waitFor();
      expect(await page.locator('main').innerText()).toContain('https://evil.example/cb?<script>alert(1)</script>');
      expect(await page.getByRole('link', { name: 'Go to Web App' }).getAttribute('href')).toBe('https://client.example/');
      expect(dialogs).toEqual([]);
      await shoot(page, 'error-invalid-request');
      await page.emulateMedia({ colorScheme: 'dark' });
      await screenshot(page, 'screenshots/error-invalid-request-dark-desktop');
    });
  });

  it('an unknown path: a browser gets the HTML 404 page', async (ctx) => {
    await withPage(ctx, async (page) => {
      const res = await page.goto(`${server.url}/no/such/page`);
      expect(res?.status()).toBe(404);
      await page.getByRole('heading', { name: 'Page not found' }).waitFor();
      await shoot(page, 'error-not-found');
    });
  });
});

describe('the console sign-in landing in Chromium', () => {
  it('goes straight to the login page, as /account does, and back to the console page asked for', async (ctx) => {
    await withPage(ctx, async (page) => {
      await page.goto(`${server.url}/console/users`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      expect(page.url()).toContain('/interaction/');
      await signIn(page, 'root');
      await page.waitForURL(`${server.url}/console/users`);
      await page.getByText('Signed in as').waitFor();
    });
  });

  it('a link from another site reaches the console without a sign-in loop, and the second time without signing in', async (ctx) => {
    // Another site: localhost is not the same site as 127.0.0.1, where Latchkey listens.
    const target = `${server.url}/console/scopes`;
    const other: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><title>Wiki</title><a href="${target}">Open the console</a>`);
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const otherUrl = `http://localhost:${(other.address() as { port: number }).port}/`;
    try {
      await withPage(ctx, async (page) => {
        await page.goto(otherUrl);
        await page.getByRole('link', { name: 'Open the console' }).click();
        await page.getByRole('heading', { name: 'Sign in' }).waitFor();
        await signIn(page, 'root');
        await page.waitForURL(target);
        await page.getByText('Signed in as').waitFor();

        await page.goto(otherUrl);
        await page.getByRole('link', { name: 'Open the console' }).click();
        await page.waitForURL(target);
        await page.getByText('Signed in as').waitFor();
      });
    } finally {
      await new Promise<void>((r) => other.close(() => r()));
    }
  });
});

describe('the demo callback page in Chromium', () => {
  it('shows the whole command, copies it exactly with the Copy button, and says how long the code has left', async (ctx) => {
    await withPage(ctx, async (page, context) => {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: demo.url });
      const d = demo.latchkey.demo;
      if (!d) throw new Error('no demo');
      await page.goto(d.authorizationUrl);
      await page.getByLabel('Username').fill(d.username);
      await page.getByLabel('Password').fill(d.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Allow' }).click();
      await page.getByRole('heading', { name: 'Authorization code received' }).waitFor();
      await page.getByText(/This code expires in \d+ seconds?/).waitFor();
      const command = page.locator('#lk-command');
      // Not cut off: the command wraps inside its box instead of scrolling out of sight.
      expect(await command.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
      await page.getByRole('button', { name: 'Copy' }).click();
      await page.getByText('Copied to the clipboard.').waitFor();
      expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(await command.innerText());
      await shoot(page, 'demo-callback');
      await page.emulateMedia({ colorScheme: 'dark' });
      await screenshot(page, 'screenshots/demo-callback-dark-desktop');
      await page.emulateMedia({ colorScheme: 'light' });
      await page.setViewportSize({ width: 390, height: 900 });
      expect(await command.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    });
  });
});
