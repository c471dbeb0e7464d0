import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.ts';
import { withPage } from '../support/browser.ts';
import { pageErrors, signIn } from '../support/browser-flows.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { DEVICE_GRANT, none, tv } from '../flows/device/helpers.ts';
import { apiRequest, discover, insecure, JWT_API, OPAQUE_API, resourcesConfig } from '../flows/resources/fixtures.ts';

/**
 * A person in Chromium connects a TV that asks for two APIs (RFC 8628 with RFC 8707): the /device consent page names
 * both, as the code flow's consent page does, they click Allow, and the TV's token request buys an RFC 9068 JWT
 * access token for one of them.
 */

let server: TestServer;
let as: oauth.AuthorizationServer;

beforeAll(async () => {
  const base = resourcesConfig();
  const config: Partial<ConfigInput> = {
    ...base,
    clients: [...(base.clients ?? []), { id: 'tv-app', name: 'Living Room TV', type: 'public', grantTypes: [DEVICE_GRANT], responseTypes: [] }],
  };
  server = await startServer(config);
  as = await discover(server.url);
});

afterAll(async () => {
  await server?.close();
});

describe('/device consent for APIs in Chromium', () => {
  it('names the APIs the device asks access to; Allow leads to a JWT access token for the API the device names', async (ctx) => {
    const params = new URLSearchParams({ scope: 'notes.read calendar.read' });
    params.append('resource', JWT_API);
    params.append('resource', OPAQUE_API);
    const d = await oauth.processDeviceAuthorizationResponse(as, tv, await oauth.deviceAuthorizationRequest(as, tv, none, params, insecure));
    await withPage(ctx, async (page) => {
      const errors = pageErrors(page);
      await page.goto(d.verification_uri_complete ?? '');
      await signIn(page);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('heading', { name: 'Living Room TV on a device wants to access your account' }).waitFor();
      const apis = page.locator('ul.lk-resources li');
      await apis.first().waitFor();
      expect(await apis.allInnerTexts()).toEqual([`Notes API ${JWT_API}`, `Calendar API ${OPAQUE_API}`]);
      await page.getByRole('button', { name: 'Allow' }).click();
      await page.getByRole('heading', { name: 'Device connected' }).waitFor();
      expect(errors).toEqual([]);
    });
    const res = await oauth.deviceCodeGrantRequest(as, tv, none, d.device_code, { ...insecure, additionalParameters: { resource: JWT_API } });
    const tokens = await oauth.processDeviceCodeResponse(as, tv, res);
    const claims = await oauth.validateJwtAccessToken(as, apiRequest(tokens.access_token), JWT_API, insecure);
    expect(claims.aud).toBe(JWT_API);
    expect(claims.scope).toBe('notes.read');
  });
});
