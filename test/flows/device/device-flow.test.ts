import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, TEST_SECRET, type TestServer } from '../../support/server.ts';
import { UserAgent } from '../../support/user-agent.ts';
import { answer, deviceConfig, discover, DEVICE_GRANT, insecure, none, openDevicePage, otherTv, poll, startDevice, tv } from './helpers.ts';

/**
 * The device authorization grant (RFC 8628) end to end over real HTTP: the device's side with oauth4webapi
 * (deviceAuthorizationRequest, processDeviceAuthorizationResponse, deviceCodeGrantRequest, processDeviceCodeResponse),
 * the person's side with form posts carrying the pages' CSRF token. Then the error section's cases (§3.5).
 */

let server: TestServer;
let as: oauth.AuthorizationServer;

beforeAll(async () => {
  server = await startServer(deviceConfig());
  as = await discover(server.url);
});

afterAll(async () => {
  await server?.close();
});

describe('device authorization grant (RFC 8628)', () => {
  it('advertises device_authorization_endpoint and the grant type in both metadata documents (RFC 8628 §4)', async () => {
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      const doc = (await (await fetch(server.url + path)).json()) as Record<string, unknown>;
      expect(doc['device_authorization_endpoint']).toBe(`${server.url}/oauth2/device_authorization`);
      expect(doc['grant_types_supported']).toContain(DEVICE_GRANT);
    }
  });

  it('answers a device authorization request with the §3.2 members: an 8-letter XXXX-XXXX user code, /device, expires_in, interval', async () => {
    const res = await oauth.deviceAuthorizationRequest(as, tv, none, { scope: 'openid' }, insecure);
    expect(res.headers.get('cache-control')).toContain('no-store');
    const d = await oauth.processDeviceAuthorizationResponse(as, tv, res);
    expect(d.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(d.device_code.length).toBeGreaterThanOrEqual(43);
    expect(d.verification_uri).toBe(`${server.url}/device`);
    expect(d.verification_uri_complete).toBe(`${server.url}/device?user_code=${d.user_code}`);
    expect(d.expires_in).toBe(600);
    expect(d.interval).toBe(5);
  });

  it('issues access, refresh and ID tokens once the person allows, with auth_time, acr and amr of their sign-in (§3.4-3.5)', async () => {
    const d = await startDevice(as);
    expect(await poll(as, d.device_code)).toEqual({ error: 'authorization_pending', status: 400 });
    const done = await answer(server.url, d.user_code, 'allow');
    expect(done.status).toBe(200);
    expect(done.html).toContain('Device connected');
    const tokens = await poll(as, d.device_code);
    expect(tokens).toHaveProperty('access_token');
    const t = tokens as oauth.TokenEndpointResponse;
    expect(t.refresh_token).toBeDefined();
    expect(t.scope).toBe('openid profile');
    const claims = oauth.getValidatedIdTokenClaims(t);
    expect(claims).toMatchObject({ aud: 'tv-app', acr: expect.any(String), amr: ['pwd'] });
    expect(typeof claims?.auth_time).toBe('number');
    // The access token works at UserInfo as alice's.
    const info = await fetch(`${server.url}/userinfo`, { headers: { authorization: `Bearer ${t.access_token}` } });
    expect(((await info.json()) as { name?: string }).name).toBe('Alice Liddell');
  });

  it('accepts the user code in any case, without its dash, and from verification_uri_complete (§6.1, §3.3.1)', async () => {
    const d = await startDevice(as);
    const agent = new UserAgent(server.url);
    const page = await openDevicePage(agent, new URL(d.verification_uri_complete ?? '').pathname + new URL(d.verification_uri_complete ?? '').search);
    // The link fills the code in; the person still confirms it (§5.4).
    expect(page.html).toContain(`value="${d.user_code}"`);
    const consent = await agent.submit(page, { user_code: d.user_code.replace('-', '').toLowerCase() });
    expect(consent.page).toBe('consent');
    expect(consent.html).toContain('Living Room TV');
    expect(consent.html).toContain('Only continue if you started this yourself');
    expect((await agent.consent(consent, 'allow')).html).toContain('Device connected');
    expect(await poll(as, d.device_code)).toHaveProperty('access_token');
  });

  it('answers access_denied after the person denies (§3.5), and keeps answering it', async () => {
    const d = await startDevice(as);
    const done = await answer(server.url, d.user_code, 'deny');
    expect(done.html).toContain('Device denied');
    expect(await poll(as, d.device_code)).toEqual({ error: 'access_denied', status: 400 });
    expect(await poll(as, d.device_code)).toEqual({ error: 'access_denied', status: 400 });
  });

  it('answers slow_down to a poll sooner than the interval, and the interval grows by 5 seconds each time (§3.5)', async () => {
    const d = await startDevice(as);
    // Two polls at once are too fast by any clock: the second is slowed down, and a third one too (now 10 s).
    expect(await poll(as, d.device_code)).toEqual({ error: 'authorization_pending', status: 400 });
    expect(await poll(as, d.device_code)).toEqual({ error: 'slow_down', status: 400 });
    const third = await oauth.deviceCodeGrantRequest(as, tv, none, d.device_code, insecure);
    expect(await third.json()).toEqual({ error: 'slow_down', error_description: 'polled too soon: wait 15 seconds between requests' });
    const row = await server.latchkey.storage.db.selectFrom('device_codes').select('interval').where('user_code_hash', 'is not', null).orderBy('interval', 'desc').executeTakeFirst();
    expect(Number(row?.interval)).toBe(15);
  });

  it('refuses a device code a second time with invalid_grant: it is redeemed once (§3.5, RFC 6749 §5.2)', async () => {
    const d = await startDevice(as);
    await answer(server.url, d.user_code, 'allow');
    expect(await poll(as, d.device_code)).toHaveProperty('access_token');
    expect(await poll(as, d.device_code)).toEqual({ error: 'invalid_grant', status: 400 });
  });

  it("refuses another client's device code with invalid_grant, and leaves it to its own client (RFC 6749 §5.2)", async () => {
    const d = await startDevice(as);
    await answer(server.url, d.user_code, 'allow');
    expect(await poll(as, d.device_code, otherTv)).toEqual({ error: 'invalid_grant', status: 400 });
    expect(await poll(as, d.device_code)).toHaveProperty('access_token');
  });

  it('refuses an unknown device code with invalid_grant', async () => {
    expect(await poll(as, 'lk_dc_not-a-code')).toEqual({ error: 'invalid_grant', status: 400 });
  });

  it('answers expired_token once the device code has expired (§3.5), and the page says so', async () => {
    const d = await startDevice(as);
    await server.latchkey.storage.db.updateTable('device_codes').set({ expires_at: 1 }).where('status', '=', 'pending').where('expires_at', '>', 1).execute();
    expect(await poll(as, d.device_code)).toEqual({ error: 'expired_token', status: 400 });
    const agent = new UserAgent(server.url);
    const page = await openDevicePage(agent, '/device');
    const out = await agent.submit(page, { user_code: d.user_code });
    expect(out.status).toBe(400);
    expect(out.html).toContain('Code expired');
  });

  it('refuses a client without the grant type with unauthorized_client, at both endpoints (RFC 6749 §5.2)', async () => {
    const webApp: oauth.Client = { client_id: 'web-app' };
    const res = await oauth.deviceAuthorizationRequest(as, webApp, oauth.ClientSecretBasic(TEST_SECRET), { scope: 'openid' }, insecure);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'unauthorized_client' });
    expect(await poll(as, 'lk_dc_whatever', webApp, oauth.ClientSecretBasic(TEST_SECRET))).toEqual({ error: 'unauthorized_client', status: 400 });
  });

  it('authenticates a confidential client as the token endpoint does: a wrong secret is invalid_client (§3.1)', async () => {
    const cli: oauth.Client = { client_id: 'cli-tool' };
    const bad = await oauth.deviceAuthorizationRequest(as, cli, oauth.ClientSecretBasic('wrong-secret-0123456789'), {}, insecure);
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ error: 'invalid_client' });
    const d = await startDevice(as, 'openid', cli, oauth.ClientSecretBasic(TEST_SECRET));
    await answer(server.url, d.user_code, 'allow');
    expect(await poll(as, d.device_code, cli, oauth.ClientSecretBasic(TEST_SECRET))).toHaveProperty('access_token');
  });

  it('refuses an unknown scope with invalid_scope, as the authorization endpoint does', async () => {
    const res = await oauth.deviceAuthorizationRequest(as, tv, none, { scope: 'openid no-such-scope' }, insecure);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_scope' });
  });

  it('refuses the admin scope to a person who is not an administrator: the device is told access_denied', async () => {
    const admin = await startServer(deviceConfig({ clients: [{ id: 'tv-app', name: 'Admin TV', type: 'public', grantTypes: [DEVICE_GRANT], responseTypes: [], scopes: ['admin'] }] }));
    try {
      const adminAs = await discover(admin.url);
      const d = await startDevice(adminAs, 'admin');
      const done = await answer(admin.url, d.user_code, 'allow', { username: 'bob' });
      expect(done.html).toContain('Not allowed');
      expect(await poll(adminAs, d.device_code)).toEqual({ error: 'access_denied', status: 400 });
    } finally {
      await admin.close();
    }
  });
});
