import * as oauth from 'oauth4webapi';
import { describe, expect, it } from 'vitest';
import { screenshot, withPage } from '../support/browser.ts';
import { signIn } from '../support/browser-flows.ts';
import { TEST_SECRET } from '../support/server.ts';
import { codeRequest, insecure, startParWorld, WEB_REDIRECT } from '../flows/par/par-setup.ts';

/**
 * A pushed authorization request (RFC 9126) clicked through in Chromium: the client pushes its request, the browser
 * carries only client_id and request_uri, the person signs in and allows on the real pages, and the code buys tokens.
 * Opening the same URL again shows the error page (the request_uri is used once, §4).
 */
describe('a pushed authorization request in Chromium (RFC 9126)', () => {
  it('signs in and allows through a request_uri; the same link opened again shows invalid_request_uri', async (ctx) => {
    const w = await startParWorld({ pushedAuthorizationRequests: { required: true } });
    const webApp: oauth.Client = { client_id: 'web-app' };
    const auth = oauth.ClientSecretBasic(TEST_SECRET);
    try {
      // RFC 9126 §5: the server-wide requirement is advertised truthfully.
      expect(w.as.require_pushed_authorization_requests).toBe(true);
      await withPage(ctx, async (page) => {
        const { params, verifier, state } = await codeRequest('web-app', WEB_REDIRECT, { scope: 'openid profile' });
        const pushed = await oauth.processPushedAuthorizationResponse(w.as, webApp, await oauth.pushedAuthorizationRequest(w.as, webApp, auth, params, insecure));
        const url = new URL('/oauth2/authorize', w.server.url);
        url.search = new URLSearchParams({ client_id: 'web-app', request_uri: pushed.request_uri }).toString();
        let callback: URL | undefined;
        await page.route(`${WEB_REDIRECT}**`, async (route) => {
          callback = new URL(route.request().url());
          await route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Web App</title><h1>Back at Web App</h1>' });
        });
        await page.goto(url.href);
        await signIn(page);
        await page.getByRole('button', { name: 'Allow' }).click();
        await page.getByRole('heading', { name: 'Back at Web App' }).waitFor();
        await page.unroute(`${WEB_REDIRECT}**`);
        const params2 = oauth.validateAuthResponse(w.as, webApp, callback as URL, state);
        const res = await oauth.authorizationCodeGrantRequest(w.as, webApp, auth, params2, WEB_REDIRECT, verifier, insecure);
        expect((await oauth.processAuthorizationCodeResponse(w.as, webApp, res, { expectedNonce: oauth.expectNoNonce })).access_token).toBeTruthy();

        const again = await page.goto(url.href);
        expect(again?.status()).toBe(400);
        await expect(page.locator('code', { hasText: 'invalid_request_uri' }).first().textContent()).resolves.toBe('invalid_request_uri');
        await screenshot(page, 'par-request-uri-used');
      });
    } finally {
      await w.server.close();
    }
  });
});
