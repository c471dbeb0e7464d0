import { createHash, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot, withPage } from '../support/browser.ts';
import { WEB_APP_BASIC } from '../support/flow-helpers.ts';
import { startServer, TEST_PASSWORD, type TestServer } from '../support/server.ts';

/**
 * A person edits their own OpenID Connect claims on /account in Chromium, on a phone-sized screen (390 px): the
 * form fits, a bad value is named beside its field, and what they save is what an application then reads from
 * /userinfo (OpenID Connect Core §5.3, by scope per §5.4).
 */

const REDIRECT = 'https://client.example/callback';
const PHONE = { viewport: { width: 390, height: 844 } };

function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error' || msg.location().url.endsWith('/favicon.ico')) return;
    if (msg.location().url.startsWith(REDIRECT)) return;
    if (/^Failed to load resource: the server responded with a status of (401|403|422)/.test(msg.text())) return;
    errors.push(`${msg.text()} (${msg.location().url})`);
  });
  page.on('pageerror', (err) => errors.push(err.message));
  return errors;
}

/** alice signs in and allows Web App the given scopes; the code (caught on its way to the client) buys tokens. */
async function tokensFor(page: Page, server: TestServer, scope: string): Promise<{ access_token: string }> {
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(`${server.url}/oauth2/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code', client_id: 'web-app', redirect_uri: REDIRECT, scope, state: 'st',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
  }).toString();
  let code = '';
  await page.route(`${REDIRECT}**`, async (route) => {
    code = new URL(route.request().url()).searchParams.get('code') ?? '';
    await route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Web App</title><h1>Back at Web App</h1>' });
  });
  await page.goto(url.toString());
  if (await page.getByLabel('Username').isVisible()) {
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.getByRole('heading', { name: 'Back at Web App' }).waitFor();
  await page.unroute(`${REDIRECT}**`);
  const res = await fetch(`${server.url}/oauth2/token`, {
    method: 'POST', headers: { authorization: WEB_APP_BASIC },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { access_token: string };
}

describe('/account profile in Chromium at 390 px', () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await startServer();
  });

  afterEach(async () => {
    await server.close();
  });

  it('edits their own claims: a bad time zone is named beside the field, the saved claims reach /userinfo', async (ctx) => {
    await withPage(
      ctx,
      async (page) => {
        const errors = pageErrors(page);
        await tokensFor(page, server, 'openid');
        await page.goto(`${server.url}/account`);
        await page.getByRole('heading', { name: 'Your profile' }).waitFor();
        expect(await page.getByLabel('Full name').inputValue()).toBe('Alice Liddell');
        expect(await page.getByLabel(/verified/i).count()).toBe(0);

        await page.getByLabel('Given name').fill('Alice');
        await page.getByLabel('Nickname').fill('al');
        await page.getByLabel('Picture').fill('https://alice.example/alice.png');
        await page.getByLabel('Time zone').fill('Wonderland/Rabbit_Hole');
        await page.getByLabel('City').fill('Oxford');
        await page.getByLabel('Country').fill('United Kingdom');
        await page.getByRole('button', { name: 'Save profile' }).click();
        await expect.poll(() => page.locator('#f-claim-zoneinfo-error').innerText()).toBe('a time zone name such as Europe/Paris');
        // What was typed is still there to correct.
        expect(await page.getByLabel('Given name').inputValue()).toBe('Alice');
        expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
        await screenshot(page, 'screenshots/account-profile-invalid-390');

        await page.getByLabel('Time zone').fill('Europe/London');
        await page.getByRole('button', { name: 'Save profile' }).click();
        await page.getByText('Your profile was saved.').waitFor();
        expect(await page.getByLabel('Time zone').inputValue()).toBe('Europe/London');
        expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
        await screenshot(page, 'screenshots/account-profile-390');

        const { access_token } = await tokensFor(page, server, 'openid profile address');
        const info = (await (await fetch(`${server.url}/userinfo`, { headers: { authorization: `Bearer ${access_token}` } })).json()) as Record<string, unknown>;
        expect(info).toMatchObject({
          given_name: 'Alice', nickname: 'al', picture: 'https://alice.example/alice.png', zoneinfo: 'Europe/London',
          preferred_username: 'alice', address: { locality: 'Oxford', country: 'United Kingdom' },
        });
        expect(info['updated_at']).toBeTypeOf('number');
        expect(errors).toEqual([]);
      },
      PHONE,
    );
  });
});
