import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationView, applicationWithSecret } from '../../src/admin/schemas.ts';
import { basicAuth, codeGrant, expectJsonError, expectTokens, obtainCode, post, postToken, WEB_APP_BASIC } from '../support/flow-helpers.ts';
import { AdminApi, adminToken, expectApiError, expectFieldError, startAdminServer } from '../support/admin.ts';
import type { TestServer } from '../support/server.ts';
import { UserAgent } from '../support/user-agent.ts';
import { JWT_API, jwtParts, resourcesConfig } from '../flows/resources/fixtures.ts';

/**
 * An application's token exchange policy (RFC 8693 §5: the server decides by policy) through the admin API: created,
 * read, changed and removed as the application's `tokenExchange`, and in force at the token endpoint at once.
 */

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS = 'urn:ietf:params:oauth:token-type:access_token';
const DEFAULTS = { resources: [], scopes: [], impersonation: false, delegation: false, otherClientsTokens: false, refreshTokens: false };

let server: TestServer;
let api: AdminApi;
/** alice's access token from web-app (scope notes.read): the subject token, another client's. */
let subject: string;

beforeAll(async () => {
  const { scopes } = resourcesConfig();
  server = await startAdminServer({ resources: [{ id: JWT_API, name: 'Notes API', scopes: ['notes.read'], accessTokenFormat: 'jwt' }], scopes, registration: { mode: 'open', perHour: 0 } });
  api = new AdminApi(server, await adminToken(server));
  const code = await obtainCode(new UserAgent(server.url), { scope: 'notes.read' });
  subject = (await expectTokens(await postToken(server, codeGrant(code), { authorization: WEB_APP_BASIC }))).access_token;
});

afterAll(async () => {
  await server?.close();
});

async function create(body: Record<string, unknown>) {
  const res = await api.post('/applications', { responseTypes: [], ...body });
  expect(res.status, res.text).toBe(201);
  return applicationWithSecret.parse(res.body);
}

const exchange = (id: string, secret: string) =>
  postToken(server, { grant_type: EXCHANGE, subject_token: subject, subject_token_type: ACCESS, resource: JWT_API, scope: 'notes.read' }, { authorization: basicAuth(id, secret) });

describe('admin API: an application\'s token exchange policy (RFC 8693)', () => {
  it('creates an application with a policy, filling the deny-by-default values, and shows it on every read; without one it is null', async () => {
    const { application } = await create({ name: 'Gateway', id: 'gw-read', grantTypes: [EXCHANGE], tokenExchange: { subjectTokenTypes: ['access_token'], impersonation: true } });
    expect(application.tokenExchange).toEqual({ subjectTokenTypes: ['access_token'], ...DEFAULTS, impersonation: true });
    expect(applicationView.parse((await api.get('/applications/gw-read')).body).tokenExchange).toEqual(application.tokenExchange);
    const plain = await create({ name: 'Plain', grantTypes: ['client_credentials'] });
    expect(plain.application.tokenExchange).toBeNull();
  });

  it('a policy set with PATCH takes effect at the token endpoint at once, and PATCH null gives unauthorized_client again (§2.2.2)', async () => {
    const { clientSecret = '' } = await create({ name: 'Gateway', id: 'gw-live', grantTypes: [EXCHANGE] });
    // The grant type alone is not enough: no policy, no exchange (deny by default).
    await expectJsonError(await exchange('gw-live', clientSecret), 400, 'unauthorized_client');
    const set = await api.patch('/applications/gw-live', { tokenExchange: { subjectTokenTypes: ['access_token'], resources: [JWT_API], impersonation: true, otherClientsTokens: true } });
    expect(set.status, set.text).toBe(200);
    const tokens = await expectTokens(await exchange('gw-live', clientSecret));
    expect(jwtParts(tokens.access_token).payload).toMatchObject({ aud: JWT_API, client_id: 'gw-live', scope: 'notes.read' });
    // Narrowed: other clients' tokens no longer allowed.
    expect((await api.patch('/applications/gw-live', { tokenExchange: { subjectTokenTypes: ['access_token'], resources: [JWT_API], impersonation: true } })).status).toBe(200);
    await expectJsonError(await exchange('gw-live', clientSecret), 400, 'unauthorized_client');
    const cleared = await api.patch('/applications/gw-live', { tokenExchange: null });
    expect(applicationView.parse(cleared.body).tokenExchange).toBeNull();
    await expectJsonError(await exchange('gw-live', clientSecret), 400, 'unauthorized_client');
  });

  it('a PATCH that does not name tokenExchange keeps the policy', async () => {
    await create({ name: 'Gateway', id: 'gw-keep', grantTypes: [EXCHANGE], tokenExchange: { subjectTokenTypes: ['jwt'], delegation: true } });
    const renamed = applicationView.parse((await api.patch('/applications/gw-keep', { name: 'Renamed gateway' })).body);
    expect(renamed.tokenExchange).toEqual({ subjectTokenTypes: ['jwt'], ...DEFAULTS, delegation: true });
  });

  it('an update that leaves the policy alone is not refused for a resource deleted since (as for scopes)', async () => {
    expect((await api.post('/resources', { id: 'https://gone.example/', name: 'Gone API' })).status).toBe(201);
    await create({ name: 'Gateway', id: 'gw-stale', grantTypes: [EXCHANGE], tokenExchange: { subjectTokenTypes: ['access_token'], resources: ['https://gone.example/'] } });
    // The admin API refuses to delete a listed resource (api-resources.test.ts); the database can still lose it.
    expectApiError(await api.delete(`/resources/${encodeURIComponent('https://gone.example/')}`), 409, 'conflict');
    expect(await server.latchkey.deps.repos.resources.delete('https://gone.example/', Math.floor(Date.now() / 1000))).toBeDefined();
    const renamed = await api.patch('/applications/gw-stale', { name: 'Still a gateway' });
    expect(renamed.status, renamed.text).toBe(200);
    // Changing the policy checks it again.
    expectFieldError(await api.patch('/applications/gw-stale', { tokenExchange: { subjectTokenTypes: ['jwt'], resources: ['https://gone.example/'] } }), 'tokenExchange.resources');
  });

  describe('validation: 422 naming the field', () => {
    it('a policy on an application without the token-exchange grant type, on create and when an update drops the grant', async () => {
      expect(expectFieldError(await api.post('/applications', { name: 'No grant', grantTypes: ['client_credentials'], responseTypes: [], tokenExchange: { subjectTokenTypes: ['access_token'] } }), 'tokenExchange')).toContain(EXCHANGE);
      await create({ name: 'Gateway', id: 'gw-drop', grantTypes: [EXCHANGE], tokenExchange: { subjectTokenTypes: ['access_token'] } });
      expect(expectFieldError(await api.patch('/applications/gw-drop', { grantTypes: ['client_credentials'] }), 'tokenExchange')).toContain(EXCHANGE);
    });

    it('a resource that is not registered (RFC 8707 §2)', async () => {
      const res = await api.post('/applications', { name: 'Gateway', grantTypes: [EXCHANGE], responseTypes: [], tokenExchange: { subjectTokenTypes: ['access_token'], resources: ['https://nowhere.example/'] } });
      expect(expectFieldError(res, 'tokenExchange.resources')).toBe('unknown resource https://nowhere.example/: register it first');
    });

    it('an unknown subject token type, a missing one, a member that is not a policy field, and a policy that is not an object', async () => {
      const body = (tokenExchange: unknown) => ({ name: 'Gateway', grantTypes: [EXCHANGE], responseTypes: [], tokenExchange });
      expect(expectFieldError(await api.post('/applications', body({ subjectTokenTypes: ['saml2'] })), 'tokenExchange.subjectTokenTypes')).toContain('use access_token, refresh_token, id_token, jwt');
      expect(expectFieldError(await api.post('/applications', body({ subjectTokenTypes: [] })), 'tokenExchange.subjectTokenTypes')).toBe('at least one subject token type');
      expect(expectFieldError(await api.post('/applications', body({ subjectTokenTypes: ['jwt'], client: 'gw' })), 'tokenExchange.client')).toBe('is not a known field');
      expect(expectFieldError(await api.post('/applications', body({ subjectTokenTypes: ['jwt'], delegation: 'yes' })), 'tokenExchange.delegation')).toBe('true or false');
      expectFieldError(await api.post('/applications', body('on')), 'tokenExchange');
    });
  });

  it('is described in the OpenAPI document on the Application schema', async () => {
    const doc = (await api.get('/openapi.json')).body as { components: { schemas: Record<string, { properties: Record<string, unknown> }> } };
    expect(Object.keys(doc.components.schemas['Application']?.properties ?? {})).toContain('tokenExchange');
  });

  it('dynamic client registration (RFC 7591) neither takes nor shows a policy: it is the operator\'s to give', async () => {
    const res = await post(server, '/register', JSON.stringify({ client_name: 'Self', redirect_uris: ['https://self.example/cb'], token_exchange: { subjectTokenTypes: ['access_token'] }, tokenExchange: { subjectTokenTypes: ['access_token'] } }), { headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(201);
    const info = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(info).filter((k) => /exchange/i.test(k))).toEqual([]);
    expect(applicationView.parse((await api.get(`/applications/${encodeURIComponent(String(info['client_id']))}`)).body).tokenExchange).toBeNull();
  });

  it('refuses a policy whose resources are not a list, with 422 naming the field', async () => {
    expectFieldError(await api.patch('/applications/gw-keep', { tokenExchange: { subjectTokenTypes: ['jwt'], resources: 'all' } }), 'tokenExchange.resources');
  });
});
