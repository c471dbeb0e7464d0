import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withPage } from '../support/browser.ts';
import { pageErrors, signIn, WEB_APP_REDIRECT } from '../support/browser-flows.ts';
import { pkcePair } from '../support/flow-helpers.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { apiRequest, discover, insecure, JWT_API, OPAQUE_API, resourcesConfig, webApp, webAuth } from '../flows/resources/fixtures.ts';

/**
 * A person in Chromium authorizes an application for two APIs (RFC 8707): the consent page names both, they click
 * Allow, and the code buys an RFC 9068 JWT access token for one of them.
 */

let server: TestServer;
let as: oauth.AuthorizationServer;

beforeAll(async () => {
  server = await startServer(resourcesConfig());
  as = await discover(server.url);
});

afterAll(async () => {
  await server?.close();
});

describe('consent for APIs in Chromium', () => {
  it('names the APIs on the consent page; Allow leads to a JWT access token for the API asked for', async (ctx) => {
    await withPage(ctx, async (page) => {
      const errors = pageErrors(page);
      const { verifier, challenge } = pkcePair();
      const url = new URL(`${server.url}/oauth2/authorize`);
      url.search = new URLSearchParams({ response_type: 'code', client_id: 'web-app', redirect_uri: WEB_APP_REDIRECT, scope: 'notes.read calendar.read', state: 'st', code_challenge: challenge, code_challenge_method: 'S256' }).toString();
      url.searchParams.append('resource', JWT_API);
      url.searchParams.append('resource', OPAQUE_API);
      let callback: URL | undefined;
      await page.route(`${WEB_APP_REDIRECT}**`, async (route) => {
        callback = new URL(route.request().url());
        await route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Web App</title><h1>Back at Web App</h1>' });
      });
      await page.goto(url.toString());
      await signIn(page);
      const apis = page.locator('ul.lk-resources li');
      await apis.first().waitFor();
      expect(await apis.allInnerTexts()).toEqual([`Notes API ${JWT_API}`, `Calendar API ${OPAQUE_API}`]);
      await page.getByRole('button', { name: 'Allow' }).click();
      await page.getByRole('heading', { name: 'Back at Web App' }).waitFor();
      const params = oauth.validateAuthResponse(as, webApp, callback ?? new URL(WEB_APP_REDIRECT), 'st');
      const res = await oauth.authorizationCodeGrantRequest(as, webApp, webAuth, params, WEB_APP_REDIRECT, verifier, { ...insecure, additionalParameters: { resource: JWT_API } });
      const tokens = await oauth.processAuthorizationCodeResponse(as, webApp, res);
      const claims = await oauth.validateJwtAccessToken(as, apiRequest(tokens.access_token), JWT_API, insecure);
      expect(claims.scope).toBe('notes.read');
      expect(errors).toEqual([]);
    });
  });
});
