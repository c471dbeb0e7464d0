import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { screenshot, withPage } from '../support/browser.ts';
import { authorizeWebApp, pageErrors } from '../support/browser-flows.ts';
import { startServer, type TestServer } from '../support/server.ts';

/**
 * A person edits their own OpenID Connect claims on /account in Chromium, on a phone-sized screen (390 px): the
 * form fits, a bad value is named beside its field, and what they save is what an application then reads from
 * /userinfo (OpenID Connect Core §5.3, by scope per §5.4).
 */

const PHONE = { viewport: { width: 390, height: 844 } };

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
        await authorizeWebApp(page, server, 'openid');
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

        const { access_token } = await authorizeWebApp(page, server, 'openid profile address');
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
