import * as oauth from 'oauth4webapi';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot, withPage } from '../support/browser.ts';
import { pageErrors } from '../support/browser-flows.ts';
import { codeGrant, expectTokens, obtainCode, postToken, WEB_APP_BASIC } from '../support/flow-helpers.ts';
import { startAdminServer } from '../support/admin.ts';
import { TEST_PASSWORD, type TestServer } from '../support/server.ts';
import { UserAgent } from '../support/user-agent.ts';
import { discover, insecure } from '../flows/resources/fixtures.ts';

/**
 * An administrator in Chromium gives an application a token exchange policy in the console (RFC 8693 §5: the server
 * decides by policy), and the application then trades a person's access token at the token endpoint with oauth4webapi;
 * turned off in the console, the next exchange is refused with unauthorized_client (§2.2.2).
 */

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS = 'urn:ietf:params:oauth:token-type:access_token';
const API = 'https://orders.example/';

let server: TestServer;
/** alice's access token from web-app (scope orders.read): another application's token, the subject. */
let subject: string;

beforeAll(async () => {
  server = await startAdminServer({
    scopes: [{ name: 'orders.read', description: 'Read your orders' }],
    resources: [{ id: API, name: 'Orders API', scopes: ['orders.read'] }],
  });
  const code = await obtainCode(new UserAgent(server.url), { scope: 'orders.read' });
  subject = (await expectTokens(await postToken(server, codeGrant(code), { authorization: WEB_APP_BASIC }))).access_token;
});

afterAll(async () => {
  await server?.close();
});

async function exchange(secret: string): Promise<oauth.TokenEndpointResponse> {
  const as = await discover(server.url);
  const client: oauth.Client = { client_id: 'orders-gateway' };
  const res = await oauth.genericTokenEndpointRequest(as, client, oauth.ClientSecretBasic(secret), EXCHANGE, { subject_token: subject, subject_token_type: ACCESS, resource: API }, insecure);
  return oauth.processGenericTokenEndpointResponse(as, client, res);
}

const checkbox = (page: Page, group: string, name: string) => page.locator(`#f-${group}`).getByRole('checkbox', { name, exact: true });

describe('the console in Chromium: an application\'s token exchange policy', () => {
  it('a person turns a policy on for a new application, the exchange works with oauth4webapi; turned off, it is refused with unauthorized_client', async (ctx) => {
    await withPage(ctx, async (page) => {
      const errors = pageErrors(page, [401, 403, 422]);
      await page.goto(`${server.url}/console`);
      await page.getByLabel('Username').fill('root');
      await page.getByLabel('Password').fill(TEST_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Applications', level: 1 }).waitFor();
      await page.getByRole('link', { name: 'New application' }).click();

      await page.getByLabel('Name', { exact: true }).fill('Orders gateway');
      await page.getByLabel('Client ID (optional)').fill('orders-gateway');
      await checkbox(page, 'grantTypes', 'Authorization code').uncheck();
      await checkbox(page, 'grantTypes', 'Refresh token').uncheck();
      await checkbox(page, 'grantTypes', 'Token exchange').check();
      await checkbox(page, 'tokenExchangeEnabled', 'Allow this application to exchange tokens, as chosen below').check();
      await checkbox(page, 'tokenExchangeAllows', 'Impersonation').check();
      await checkbox(page, 'tokenExchangeAllows', 'Other applications\' tokens').check();
      await checkbox(page, 'tokenExchangeResources', 'Orders API').check();
      await checkbox(page, 'tokenExchangeScopes', 'orders.read').check();
      // No token type ticked: the server refuses the form and says so at the field.
      await page.getByRole('button', { name: 'Create application' }).click();
      await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
      expect(await page.locator('#f-tokenExchangeSubjectTypes-error').innerText()).toBe('at least one subject token type');
      await screenshot(page, 'console-token-exchange-refused');
      // The refused form came back as it was sent; the person ticks a token type and creates the application.
      expect(await checkbox(page, 'tokenExchangeScopes', 'orders.read').isChecked()).toBe(true);
      await checkbox(page, 'tokenExchangeSubjectTypes', 'Access tokens').check();
      await page.getByRole('button', { name: 'Create application' }).click();
      await page.getByRole('heading', { name: 'Orders gateway', level: 1 }).waitFor();
      const secret = await page.locator('#client-secret').inputValue();
      expect(secret).toMatch(/^lk_cs_/);
      await screenshot(page, 'console-token-exchange-created');

      const tokens = await exchange(secret);
      expect(tokens).toMatchObject({ issued_token_type: ACCESS, scope: 'orders.read' });

      // Turned off: the policy is removed; the person saves, and the exchange is refused (deny by default).
      await checkbox(page, 'tokenExchangeEnabled', 'Allow this application to exchange tokens, as chosen below').uncheck();
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.getByRole('status').filter({ hasText: 'Your changes were saved.' }).waitFor();
      await expect(exchange(secret)).rejects.toMatchObject({ error: 'unauthorized_client', status: 400 });
      expect(await checkbox(page, 'tokenExchangeEnabled', 'Allow this application to exchange tokens, as chosen below').isChecked()).toBe(false);
      expect(errors).toEqual([]);
    }, { viewport: { width: 1280, height: 900 } });
  });
});
