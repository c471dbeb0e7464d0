import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_API, adminConfig, adminToken } from '../../support/admin.ts';
import { basicAuth, codeGrant, expectJsonError, expectTokens, introspectActive, obtainCode, postToken } from '../../support/flow-helpers.ts';
import { startServer, TEST_PASSWORD, type TestServer } from '../../support/server.ts';
import { authorizeUrl, UserAgent } from '../../support/user-agent.ts';
import { expectRegistered, expectRegistrationError, manage, register, type Json } from './helpers.ts';

/**
 * RFC 7592 client management at registration_client_uri with the registration access token: read (§2.1), replace
 * (§2.2), delete (§2.3); and the administrator's side: registered clients marked as such, disabled and refused.
 */

let server: TestServer;
let admin: string;

beforeAll(async () => {
  server = await startServer(
    adminConfig({
      registration: { mode: 'open', perHour: 0, grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'], scopes: ['openid', 'profile', 'api.read'] },
      scopes: [{ name: 'api.read', description: 'Read the API' }],
    }),
  );
  admin = await adminToken(server);
});
afterAll(async () => {
  await server?.close();
});

const REDIRECT = 'https://app.example/cb';
const WEB = { redirect_uris: [REDIRECT], client_name: 'Managed App', scope: 'openid profile api.read', grant_types: ['authorization_code', 'refresh_token', 'client_credentials'] };
const registerWeb = async (over: Json = {}) => expectRegistered(await register(server, { ...WEB, ...over }));
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const adminCall = (method: string, path: string) => fetch(new URL(ADMIN_API + path, server.url), { method, headers: { authorization: `Bearer ${admin}` } });

describe('read (RFC 7592 §2.1)', () => {
  it('answers the registered metadata without the registration access token or a new secret', async () => {
    const reg = await registerWeb({ contacts: ['ops@app.example'], client_uri: 'https://app.example' });
    const res = await manage(str(reg['registration_client_uri']), 'GET', str(reg['registration_access_token']));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control') ?? '').toContain('no-store');
    const body = (await res.json()) as Json;
    expect(body).toMatchObject({ client_id: reg['client_id'], client_name: 'Managed App', redirect_uris: WEB.redirect_uris, contacts: ['ops@app.example'], client_uri: 'https://app.example', registration_client_uri: reg['registration_client_uri'] });
    expect(body).not.toHaveProperty('client_secret');
    expect(body).not.toHaveProperty('registration_access_token');
  });

  it('refuses a wrong, missing or another client\'s registration access token with 401 invalid_token', async () => {
    const a = await registerWeb();
    const b = await registerWeb();
    const uri = str(a['registration_client_uri']);
    for (const token of ['lk_rg_wrong', str(b['registration_access_token'])]) {
      const res = await manage(uri, 'GET', token);
      expect(res.headers.get('www-authenticate') ?? '').toMatch(/^Bearer .*invalid_token/);
      await expectRegistrationError(res, 401, 'invalid_token');
    }
    await expectRegistrationError(await manage(uri, 'GET', undefined), 401, 'invalid_token');
  });

  it('answers 401 invalid_token, not 404, for a client that does not exist (RFC 7592 §2: no hint which ids exist)', async () => {
    await expectRegistrationError(await manage(`${server.url}/register/no-such-client`, 'GET', 'lk_rg_x'), 401, 'invalid_token');
  });

  it('refuses the registration endpoint for an operator-created client (web-app has no registration access token)', async () => {
    await expectRegistrationError(await manage(`${server.url}/register/web-app`, 'GET', 'lk_rg_x'), 401, 'invalid_token');
  });
});

describe('update (RFC 7592 §2.2)', () => {
  it('replaces the metadata as a whole: fields left out go back to their defaults', async () => {
    const reg = await registerWeb({ client_uri: 'https://app.example' });
    const res = await manage(str(reg['registration_client_uri']), 'PUT', str(reg['registration_access_token']), {
      client_id: reg['client_id'],
      redirect_uris: ['https://app.example/new-cb'],
      client_name: 'Renamed',
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body).toMatchObject({ client_id: reg['client_id'], client_name: 'Renamed', redirect_uris: ['https://app.example/new-cb'], grant_types: ['authorization_code'] });
    expect(body).not.toHaveProperty('client_uri');
    // §2.2: the secret stays; a new one is not issued unless the server rotates it.
    expect(body).not.toHaveProperty('client_secret');
  });

  it('accepts the current client_secret in the body, and refuses another value (§2.2)', async () => {
    const reg = await registerWeb();
    const uri = str(reg['registration_client_uri']);
    const token = str(reg['registration_access_token']);
    const same = await manage(uri, 'PUT', token, { client_id: reg['client_id'], client_secret: reg['client_secret'], redirect_uris: WEB.redirect_uris });
    expect(same.status).toBe(200);
    await expectRegistrationError(await manage(uri, 'PUT', token, { client_id: reg['client_id'], client_secret: 'lk_cs_other', redirect_uris: WEB.redirect_uris }), 400, 'invalid_client_metadata', 'client_secret');
  });

  it('refuses a body whose client_id does not match with invalid_client_metadata', async () => {
    const reg = await registerWeb();
    const res = await manage(str(reg['registration_client_uri']), 'PUT', str(reg['registration_access_token']), { client_id: 'someone-else', redirect_uris: WEB.redirect_uris });
    await expectRegistrationError(res, 400, 'invalid_client_metadata', 'client_id');
  });

  it('refuses bad metadata as registration does, and leaves the client unchanged', async () => {
    const reg = await registerWeb();
    const uri = str(reg['registration_client_uri']);
    const token = str(reg['registration_access_token']);
    await expectRegistrationError(await manage(uri, 'PUT', token, { client_id: reg['client_id'], redirect_uris: ['http://evil.example/cb'] }), 400, 'invalid_redirect_uri', 'redirect_uris');
    const read = (await (await manage(uri, 'GET', token)).json()) as Json;
    expect(read['redirect_uris']).toEqual(WEB.redirect_uris);
  });
});

describe('delete (RFC 7592 §2.3)', () => {
  it('answers 204, revokes the tokens the client was issued, and the client is gone', async () => {
    const reg = await registerWeb();
    const auth = basicAuth(str(reg['client_id']), str(reg['client_secret']));
    const tokens = await expectTokens(await postToken(server, { grant_type: 'client_credentials', scope: 'api.read' }, { authorization: auth }));
    expect(await introspectActive(server, tokens.access_token, auth)).toBe(true);
    const uri = str(reg['registration_client_uri']);
    const token = str(reg['registration_access_token']);
    const res = await manage(uri, 'DELETE', token);
    expect(res.status).toBe(204);
    expect(await introspectActive(server, tokens.access_token)).toBe(false);
    await expectJsonError(await postToken(server, { grant_type: 'client_credentials' }, { authorization: auth }), 401, 'invalid_client');
    await expectRegistrationError(await manage(uri, 'GET', token), 401, 'invalid_token');
  });
});

describe('administrators see and disable registered clients', () => {
  it('marks a registered client in the admin API, and an operator\'s client not', async () => {
    const reg = await registerWeb();
    const own = (await (await adminCall('GET', '/applications/web-app')).json()) as Json;
    expect(own['origin']).toBe('operator');
    const app = (await (await adminCall('GET', `/applications/${str(reg['client_id'])}`)).json()) as Json;
    expect(app).toMatchObject({ origin: 'dynamic', disabled: false, name: 'Managed App' });
  });

  it('refuses a disabled client at the authorization endpoint, the token endpoint and introspection; enabling restores it', async () => {
    const reg = await registerWeb();
    const id = str(reg['client_id']);
    const auth = basicAuth(id, str(reg['client_secret']));
    const tokens = await expectTokens(await postToken(server, { grant_type: 'client_credentials', scope: 'api.read' }, { authorization: auth }));
    expect((await adminCall('POST', `/applications/${id}/disable`)).status).toBe(200);

    const page = await fetch(authorizeUrl(server, { client_id: id, response_type: 'code', redirect_uri: REDIRECT, code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' }), { redirect: 'manual' });
    expect(page.status).toBe(400);
    expect(page.headers.get('location')).toBeNull();
    await expectJsonError(await postToken(server, { grant_type: 'client_credentials' }, { authorization: auth }), 401, 'invalid_client');
    const introspection = await fetch(new URL('/oauth2/introspect', server.url), { method: 'POST', headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: tokens.access_token }) });
    await expectJsonError(introspection, 401, 'invalid_client');
    // Its tokens are not active for anyone else either while it is disabled.
    expect(await introspectActive(server, tokens.access_token)).toBe(false);

    expect((await adminCall('POST', `/applications/${id}/enable`)).status).toBe(200);
    await expectTokens(await postToken(server, { grant_type: 'client_credentials' }, { authorization: auth }));
  });

  it('tells the person on the consent page that the client registered itself, and its redirect host', async () => {
    const reg = await registerWeb({ client_name: 'Self Registered' });
    const agent = new UserAgent(server.url);
    const url = authorizeUrl(server, { client_id: str(reg['client_id']), response_type: 'code', redirect_uri: REDIRECT, scope: 'openid', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' });
    const login = await agent.start(url);
    const consent = await agent.login(login, 'alice', TEST_PASSWORD);
    expect(consent.page).toBe('consent');
    expect(consent.html).toContain('registered itself');
    expect(consent.html).toContain('app.example');
    // An operator's own client shows no such note.
    const other = new UserAgent(server.url);
    const ownUrl = authorizeUrl(server, { client_id: 'web-app', response_type: 'code', redirect_uri: 'https://client.example/callback', scope: 'openid', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' });
    const ownConsent = await other.login(await other.start(ownUrl), 'root', TEST_PASSWORD);
    expect(ownConsent.page).toBe('consent');
    expect(ownConsent.html).not.toContain('registered itself');
  });

  it('issues tokens to a registered client through the code flow (codeGrant over its registration)', async () => {
    const reg = await registerWeb();
    const agent = new UserAgent(server.url);
    const code = await obtainCode(agent, { clientId: str(reg['client_id']), redirectUri: REDIRECT, scope: 'openid' });
    await expectTokens(await postToken(server, codeGrant(code), { authorization: basicAuth(str(reg['client_id']), str(reg['client_secret'])) }));
  });
});
