import * as oauth from 'oauth4webapi';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { screenshot, withPage } from '../support/browser.ts';
import { pageErrors } from '../support/browser-flows.ts';
import { startServer, TEST_PASSWORD, type TestServer } from '../support/server.ts';
import { discover } from '../flows/resources/fixtures.ts';
import { EXCHANGER_SECRET, exchanger, idp, insecure, JWT_BEARER, type Idp } from '../flows/token-exchange/fixtures.ts';
import { exchangeAdminConfig, PARTNER } from '../flows/token-exchange/trusted-issuer-fixtures.ts';

/**
 * An administrator adds a trusted issuer in the console in Chromium by pasting its JWK Set; a JWT bearer grant
 * (RFC 7523 §2.1) with an assertion signed by that key then succeeds over HTTP with oauth4webapi, and stops working
 * once the administrator deletes the issuer.
 */

const WIDE = { viewport: { width: 1280, height: 900 } };

describe('console: trusted issuers in Chromium', () => {
  let server: TestServer;
  let partner: Idp;

  beforeEach(async () => {
    partner = await idp();
    server = await startServer(exchangeAdminConfig(await idp()));
  });

  afterEach(async () => {
    await server?.close();
  });

  /** A JWT bearer grant (oauth4webapi's generic token endpoint request) with the partner's assertion about alice. */
  async function bearerGrant(): Promise<oauth.TokenEndpointResponse> {
    const as = await discover(server.url);
    const assertion = await partner.sign({ iss: PARTNER, sub: 'alice', aud: server.url, client_id: 'exchanger' });
    const res = await oauth.genericTokenEndpointRequest(as, exchanger, oauth.ClientSecretBasic(EXCHANGER_SECRET), JWT_BEARER, { assertion }, insecure);
    return oauth.processGenericTokenEndpointResponse(as, exchanger, res);
  }

  it('adds an issuer by pasting its JWK Set; its assertions then get tokens, and after Delete they are invalid_grant', async (ctx) => {
    await expect(bearerGrant()).rejects.toMatchObject({ error: 'invalid_grant' });
    await withPage(
      ctx,
      async (page) => {
        const errors = pageErrors(page, [401, 403, 422]);
        await page.goto(`${server.url}/console`);
        await page.getByLabel('Username').fill('root');
        await page.getByLabel('Password').fill(TEST_PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('heading', { name: 'Applications', level: 1 }).waitFor();

        await page.getByRole('link', { name: 'Trusted issuers' }).click();
        await page.getByRole('heading', { name: 'Trusted issuers', level: 1 }).waitFor();
        // The config file's issuer is listed already.
        expect(await page.getByRole('table').innerText()).toContain('https://idp.example');

        // A private key pasted by mistake is refused, and the page does not show it again.
        const [key] = partner.jwks.keys;
        const secretD = 'jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI';
        await page.getByLabel('Issuer', { exact: true }).fill(PARTNER);
        await page.getByLabel('Public keys (JWK Set)').fill(JSON.stringify({ keys: [{ ...key, d: secretD }] }));
        await page.getByRole('button', { name: 'Add trusted issuer' }).click();
        await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
        expect(await page.locator('#f-jwks-error').innerText()).toContain('private or secret key');
        expect(await page.content()).not.toContain(secretD);
        expect(await page.getByLabel('Issuer', { exact: true }).inputValue()).toBe(PARTNER);

        await page.getByLabel('Name', { exact: true }).fill('Partner IdP');
        await page.getByLabel('Public keys (JWK Set)').fill(JSON.stringify(partner.jwks, null, 2));
        await page.getByLabel('User claim').fill('sub');
        await page.getByLabel('The claim holds').selectOption('username');
        await screenshot(page, 'console-trusted-issuer-add');
        await page.getByRole('button', { name: 'Add trusted issuer' }).click();
        await page.getByText('The trusted issuer was saved.').waitFor();
        expect(await page.getByRole('table').innerText()).toMatch(/Partner IdP\s+https:\/\/partner\.example\s+1 inline/);

        const tokens = await bearerGrant();
        expect(tokens.token_type).toBe('bearer');
        expect(tokens.refresh_token).toBeUndefined();

        await page.getByRole('link', { name: 'Partner IdP' }).click();
        await page.getByRole('heading', { name: 'Partner IdP', level: 1 }).waitFor();
        await screenshot(page, 'console-trusted-issuer-edit');
        await page.getByRole('button', { name: 'Delete trusted issuer' }).click();
        await page.getByText('The trusted issuer was deleted').waitFor();
        expect(errors).toEqual([]);
      },
      WIDE,
    );
    await expect(bearerGrant()).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});
