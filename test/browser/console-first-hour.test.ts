import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot, withPage } from '../support/browser.ts';
import { pageErrors } from '../support/browser-flows.ts';
import { basicAuth, obtainCode, WEB_APP_BASIC } from '../support/flow-helpers.ts';
import { startAdminServer } from '../support/admin.ts';
import { TEST_PASSWORD, type TestServer } from '../support/server.ts';
import { UserAgent } from '../support/user-agent.ts';

/**
 * The console pages of issue 15 in Chromium, at desktop width and at 390 px (a phone): the overview with its charts,
 * the sessions list, and rotating a secret with a grace period. Screenshots go to test-artifacts/screenshots/.
 */

const WIDE = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };


async function signInToConsole(page: Page, server: TestServer): Promise<void> {
  await page.goto(`${server.url}/console/login`);
  await page.getByLabel('Username').fill('root');
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/console\/applications/);
}

/** Screenshots a page at desktop width and at 390 px; at 390 px nothing may stick out sideways. */
async function bothWidths(page: Page, name: string): Promise<void> {
  await page.setViewportSize(WIDE);
  await screenshot(page, `screenshots/${name}`);
  await page.setViewportSize(PHONE);
  expect(await page.evaluate<number>('document.documentElement.scrollWidth'), `${name} at 390 px`).toBeLessThanOrEqual(PHONE.width);
  await screenshot(page, `screenshots/${name}-390`);
  await page.setViewportSize(WIDE);
}

/** At 390 px each table cell of a stacked table shows its column's name before its value (CSS generated content). */
const cellLabels = (page: Page, table: string) =>
  page.evaluate<string[]>(
    `[...document.querySelectorAll(${JSON.stringify(`${table} tbody tr:first-child td`)})].map((td) => getComputedStyle(td, '::before').content)`,
  );

describe('issue 15 console pages in Chromium', () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await startAdminServer();
  });

  afterEach(async () => {
    await server.close();
  });

  it('the overview comes first in the navigation and charts the activity without script, readable at 390 px', async (ctx) => {
    // Some activity: alice signs in and gets tokens; a wrong password.
    const alice = new UserAgent(server.url);
    await obtainCode(alice);
    await fetch(`${server.url}/oauth2/token`, { method: 'POST', headers: { authorization: WEB_APP_BASIC }, body: new URLSearchParams({ grant_type: 'client_credentials' }) });
    await withPage(
      ctx,
      async (page) => {
        const errors = pageErrors(page, [401, 403, 409, 422]);
        await signInToConsole(page, server);
        const nav = await page.getByRole('navigation').getByRole('link').allInnerTexts();
        expect(nav[0]).toBe('Overview');
        await page.getByRole('link', { name: 'Overview' }).click();
        await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
        const tokens = page.locator('[data-metric="client_credentials"]');
        expect(await tokens.locator('[data-total="24h"]').innerText()).toBe('1');
        // Every chart is an image with a name (its title) that a screen reader announces.
        const charts = page.getByRole('img');
        // A pair of charts (24 hours, 7 days) per grant type, the device_code, token-exchange and jwt-bearer grants
        // included, and per sign-in series.
        expect(await charts.count()).toBe(22);
        expect(await page.getByRole('img', { name: 'Sign-ins, each hour of the last 24 hours (UTC)', exact: true }).count()).toBe(1);
        await bothWidths(page, 'console-overview');
        expect(errors).toEqual([]);
      },
      { viewport: WIDE },
    );
  });

  it('the overview works with JavaScript off', async (ctx) => {
    await withPage(
      ctx,
      async (page) => {
        await signInToConsole(page, server);
        await page.goto(`${server.url}/console/overview`);
        expect(await page.getByRole('img', { name: /Authorization code, each day/ }).count()).toBe(1);
      },
      { viewport: WIDE, javaScriptEnabled: false },
    );
  });

  it('the sessions page shows who, through which application, from where, in which browser, and marks this session; stacked at 390 px', async (ctx) => {
    const alice = new UserAgent(server.url);
    await obtainCode(alice);
    await withPage(
      ctx,
      async (page) => {
        const errors = pageErrors(page, [401, 403, 409, 422]);
        await signInToConsole(page, server);
        await page.getByRole('link', { name: 'Sessions' }).click();
        await page.getByRole('heading', { name: 'Sessions', level: 1 }).waitFor();
        const mine = page.getByRole('row', { name: /This session/ });
        const text = await mine.innerText();
        expect(text).toContain('root');
        expect(text).toContain('Chrome on Linux');
        expect(text).toMatch(/127\.0\.0\.1/);
        const hers = page.getByRole('row', { name: /alice/ });
        expect(await hers.innerText()).toContain('Web App');
        await bothWidths(page, 'console-sessions');
        await page.setViewportSize(PHONE);
        expect(await cellLabels(page, '.lk-table')).toEqual(['"User"', '"Signed in through"', '"Address"', '"Browser"', '"Signed in"', '"Last used"', 'none']);
        await page.setViewportSize(WIDE);
        // Ending alice's session signs her out.
        await hers.getByRole('button', { name: /End the session of alice/ }).click();
        await page.getByText('The session has ended.').waitFor();
        expect((await alice.request('/account')).status).toBe(303);
        expect(errors).toEqual([]);
      },
      { viewport: WIDE },
    );
  });

  it('rotates a secret with a one-hour grace: the old secret still works, the new one at once, and the page says until when', async (ctx) => {
    await withPage(
      ctx,
      async (page) => {
        const errors = pageErrors(page, [401, 403, 409, 422]);
        await signInToConsole(page, server);
        await page.goto(`${server.url}/console/applications/web-app`);
        await page.getByRole('link', { name: 'Rotate secret' }).click();
        await page.getByRole('heading', { name: 'Rotate the secret of Web App?' }).waitFor();
        expect(await page.getByLabel('Stop it at once').isChecked()).toBe(true);
        await bothWidths(page, 'console-rotate-grace');
        await page.getByLabel('1 hour').check();
        await page.getByRole('button', { name: 'Rotate secret' }).click();
        await page.getByRole('heading', { name: 'New client secret' }).waitFor();
        expect(await page.locator('.lk-secret').innerText()).toMatch(/The old secret keeps working until \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
        expect(await page.locator('.lk-dl').innerText()).toMatch(/Previous secret\s+Still works until/);
        const fresh = await page.locator('#client-secret').inputValue();
        const cc = (authorization: string) => fetch(`${server.url}/oauth2/token`, { method: 'POST', headers: { authorization }, body: new URLSearchParams({ grant_type: 'client_credentials' }) });
        expect((await cc(WEB_APP_BASIC)).status).toBe(200);
        expect((await cc(basicAuth('web-app', fresh))).status).toBe(200);
        await bothWidths(page, 'console-rotated-grace');
        // The audit log at 390 px: stacked rows with their labels.
        await page.goto(`${server.url}/console/audit`);
        await bothWidths(page, 'console-audit');
        await page.setViewportSize(PHONE);
        expect(await cellLabels(page, '.lk-table')).toEqual(['"Time"', '"Event"', '"Actor"', '"Details"', '"Address"']);
        await page.goto(`${server.url}/console/applications`);
        await bothWidths(page, 'console-applications');
        expect(errors).toEqual([]);
      },
      { viewport: WIDE },
    );
  });

  it('every other console list stacks its rows at 390 px, each value labelled, nothing wider than the screen', async (ctx) => {
    // A grant to list: alice authorizes Web App.
    const alice = new UserAgent(server.url);
    const code = await obtainCode(alice);
    await fetch(`${server.url}/oauth2/token`, { method: 'POST', headers: { authorization: WEB_APP_BASIC }, body: new URLSearchParams({ grant_type: 'authorization_code', code: code.code, code_verifier: code.verifier, redirect_uri: code.redirectUri }) });
    await withPage(
      ctx,
      async (page) => {
        const errors = pageErrors(page, [401, 403, 409, 422]);
        await signInToConsole(page, server);
        for (const [path, name] of [['/console/users', 'console-users'], ['/console/scopes', 'console-scopes'], ['/console/grants', 'console-grants'], ['/console/keys', 'console-keys']] as const) {
          await page.goto(`${server.url}${path}`);
          await bothWidths(page, name);
          await page.setViewportSize(PHONE);
          const labels = await cellLabels(page, '.lk-table');
          expect(labels.length, path).toBeGreaterThan(0);
          // Every cell but the actions cell shows its column's name.
          expect(labels.filter((l) => l !== 'none').every((l) => l.length > 2), `${path}: ${labels.join(' ')}`).toBe(true);
          await page.setViewportSize(WIDE);
        }
        expect(errors).toEqual([]);
      },
      { viewport: WIDE },
    );
  });
});
