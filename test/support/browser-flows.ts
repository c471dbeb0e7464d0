import { createHash, randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { WEB_APP_BASIC } from './flow-helpers.ts';
import { TEST_PASSWORD, type TestServer } from './server.ts';

/** Web App's registered redirect URI (test/support/server.ts): it does not exist, so the browser is stopped there. */
export const WEB_APP_REDIRECT = 'https://client.example/callback';

/**
 * Collects the page's script errors and console errors (CSP violations show up there), except those a test causes on
 * purpose: the missing favicon, the client's redirect URI (it does not exist), and failed loads with the statuses the
 * test's refusals answer with.
 */
export function pageErrors(page: Page, expectedStatuses: readonly number[] = [401, 403, 422]): string[] {
  const expected = new RegExp(`^Failed to load resource: the server responded with a status of (${expectedStatuses.join('|')})`);
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error' || msg.location().url.endsWith('/favicon.ico')) return;
    if (msg.location().url.startsWith(WEB_APP_REDIRECT)) return;
    if (expected.test(msg.text())) return;
    errors.push(`${msg.text()} (${msg.location().url})`);
  });
  page.on('pageerror', (err) => errors.push(err.message));
  return errors;
}

/** Fills alice's credentials into the sign-in page and submits them. */
export async function signIn(page: Page, password = TEST_PASSWORD): Promise<void> {
  await page.getByLabel('Username').fill('alice');
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/**
 * alice authorizes Web App in the browser (signing in when the page asks), with PKCE; the code, caught on its way to
 * the client, buys tokens at the token endpoint.
 */
export async function authorizeWebApp(page: Page, server: TestServer, scope = 'openid profile email'): Promise<{ access_token: string; refresh_token: string }> {
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(`${server.url}/oauth2/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: 'web-app',
    redirect_uri: WEB_APP_REDIRECT,
    scope,
    state: 'st',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  let code = '';
  await page.route(`${WEB_APP_REDIRECT}**`, async (route) => {
    code = new URL(route.request().url()).searchParams.get('code') ?? '';
    await route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Web App</title><h1>Back at Web App</h1>' });
  });
  await page.goto(url.toString());
  if (await page.getByLabel('Username').isVisible()) await signIn(page);
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.getByRole('heading', { name: 'Back at Web App' }).waitFor();
  await page.unroute(`${WEB_APP_REDIRECT}**`);
  const res = await fetch(`${server.url}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: WEB_APP_BASIC },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: WEB_APP_REDIRECT, code_verifier: verifier }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { access_token: string; refresh_token: string };
}
