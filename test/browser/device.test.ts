import * as oauth from 'oauth4webapi';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { screenshot, withPage } from '../support/browser.ts';
import { pageErrors, signIn } from '../support/browser-flows.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { deviceConfig, discover, poll, startDevice } from '../flows/device/helpers.ts';

/**
 * A person connects a TV in Chromium (RFC 8628 §3.3): they open /device, sign in, type the code the TV shows (in
 * lower case, without the dash, as people do), see which application asks for what with the §5.4 warning, and allow.
 * The TV, polling with oauth4webapi, then gets its tokens. Also with JavaScript off: the page needs none.
 */

describe('/device in Chromium, as a person would use it', () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await startServer(deviceConfig());
  });

  afterEach(async () => {
    await server.close();
  });

  for (const javaScriptEnabled of [true, false]) {
    it(`signs in, takes the typed code, shows the application and its scopes, and Allow gives the device its tokens (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async (ctx) => {
      const as = await discover(server.url);
      const d = await startDevice(as, 'openid profile');
      await withPage(
        ctx,
        async (page) => {
          const errors = pageErrors(page);
          await page.goto(`${server.url}/device`);
          await signIn(page);
          await page.getByRole('heading', { name: 'Connect a device' }).waitFor();
          await page.getByLabel('Code shown on your device').fill(d.user_code.replace('-', '').toLowerCase());
          await page.getByRole('button', { name: 'Continue' }).click();
          await page.getByRole('heading', { name: 'Living Room TV on a device wants to access your account' }).waitFor();
          expect(await page.getByText('Only continue if you started this yourself').isVisible()).toBe(true);
          expect(await page.locator('.lk-scopes').innerText()).toContain('profile');
          if (javaScriptEnabled) await screenshot(page, 'device-consent');
          await page.getByRole('button', { name: 'Allow' }).click();
          await page.getByRole('heading', { name: 'Device connected' }).waitFor();
          expect(errors).toEqual([]);
        },
        { javaScriptEnabled },
      );
      const tokens = (await poll(as, d.device_code)) as oauth.TokenEndpointResponse;
      expect(tokens.access_token).toBeTruthy();
      expect(oauth.getValidatedIdTokenClaims(tokens)?.aud).toBe('tv-app');
    });
  }

  it('Deny tells the device access_denied', async (ctx) => {
    const as = await discover(server.url);
    const d = await startDevice(as);
    await withPage(ctx, async (page) => {
      await page.goto(d.verification_uri_complete ?? '');
      await signIn(page);
      // The link filled the code in; the person confirms it.
      expect(await page.getByLabel('Code shown on your device').inputValue()).toBe(d.user_code);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('button', { name: 'Deny' }).click();
      await page.getByRole('heading', { name: 'Device denied' }).waitFor();
    });
    expect(await poll(as, d.device_code)).toEqual({ error: 'access_denied', status: 400 });
  });
});
