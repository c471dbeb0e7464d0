import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourceDeletion, resourceList, resourceView } from '../../src/admin/resources.ts';
import { basicAuth, post, postToken, WEB_APP_BASIC } from '../support/flow-helpers.ts';
import { AdminApi, adminToken, expectApiError, expectFieldError, startAdminServer } from '../support/admin.ts';
import type { TestServer } from '../support/server.ts';

/** The admin API's resources (/admin/api/v1/resources): the same operations as `latchkey resources`, audited. */

const API = 'https://notes.example/api';
const path = (id: string) => `/resources/${encodeURIComponent(id)}`;

describe('admin API: resources (RFC 8707)', () => {
  let server: TestServer;
  let api: AdminApi;

  beforeAll(async () => {
    server = await startAdminServer({
      clients: [
        { id: 'web-app', name: 'Web App', secret: 'test-secret-0123456789abcdef', redirectUris: ['https://client.example/callback'], grantTypes: ['client_credentials'] },
        { id: 'notes-api', name: 'Notes API introspection', secret: 'api-secret-0123456789abcdef', grantTypes: ['client_credentials'] },
        { id: 'admin-cli', name: 'Admin CLI', type: 'public', redirectUris: ['http://127.0.0.1/cb'], scopes: ['admin', 'openid', 'profile'], grantTypes: ['authorization_code', 'refresh_token'] },
      ],
    });
    api = new AdminApi(server, await adminToken(server));
  });

  afterAll(async () => {
    await server.close();
  });

  it('creates a resource (its new scopes with it), reads it back, lists it, and audits the creation', async () => {
    const res = await api.post('/resources', { id: API, name: 'Notes', scopes: ['notes.read'], accessTokenFormat: 'jwt', introspectionClientId: 'notes-api' });
    expect(res.status).toBe(201);
    expect(resourceView.parse(res.body)).toMatchObject({ id: API, name: 'Notes', scopes: ['notes.read'], accessTokenFormat: 'jwt', accessTokenTtl: null, introspectionClientId: 'notes-api', declaredInConfig: false });
    expect(resourceView.parse((await api.get(path(API))).body).name).toBe('Notes');
    expect(resourceList.parse((await api.get('/resources')).body).items.map((r) => r.id)).toEqual([API]);
    expect(JSON.stringify((await api.get('/scopes')).body)).toContain('notes.read');
    expect(JSON.stringify((await api.get('/audit-events?type=resource.created')).body)).toContain(API);
    // And it works: a client_credentials token for it, introspected by its client with aud.
    const token = (await (await postToken(server, { grant_type: 'client_credentials', resource: API }, { authorization: WEB_APP_BASIC })).json()) as { access_token: string; scope: string };
    expect(token.scope).toBe('notes.read');
    const answer = (await (await post(server, '/oauth2/introspect', { token: token.access_token }, { authorization: basicAuth('notes-api', 'api-secret-0123456789abcdef') })).json()) as Record<string, unknown>;
    expect(answer).toMatchObject({ active: true, aud: API });
  });

  it('updates only the fields sent; null clears the lifetime', async () => {
    await api.post('/resources', { id: 'urn:example:calendar', name: 'Calendar', accessTokenTtl: 120 });
    const res = await api.patch(path('urn:example:calendar'), { name: 'Calendar v2', accessTokenTtl: null });
    expect(res.status).toBe(200);
    expect(resourceView.parse(res.body)).toMatchObject({ name: 'Calendar v2', accessTokenTtl: null, accessTokenFormat: 'opaque' });
  });

  it('answers 422 naming the field: a fragment in the identifier (RFC 8707 §2), a relative one, a user scope, a scope another resource has, an unknown introspection client', async () => {
    expect(expectFieldError(await api.post('/resources', { id: 'https://x.example/#f', name: 'X' }), 'id')).toMatch(/fragment/);
    expectFieldError(await api.post('/resources', { id: '/relative', name: 'X' }), 'id');
    expectFieldError(await api.post('/resources', { id: 'https://x.example/', name: 'X', scopes: ['openid'] }), 'scopes');
    expect(expectFieldError(await api.post('/resources', { id: 'https://x.example/', name: 'X', scopes: ['notes.read'] }), 'scopes')).toMatch(/at most one resource/);
    expectFieldError(await api.post('/resources', { id: 'https://x.example/', name: 'X', introspectionClientId: 'nobody' }), 'introspectionClientId');
    expectFieldError(await api.post('/resources', { id: 'https://x.example/', name: 'X', accessTokenFormat: 'paseto' }), 'accessTokenFormat');
    expectApiError(await api.get(path('https://x.example/')), 404, 'not_found');
  });

  it('answers 409 conflict for an identifier already registered', async () => {
    await api.post('/resources', { id: 'urn:example:dup', name: 'Dup' });
    expectApiError(await api.post('/resources', { id: 'urn:example:dup', name: 'Dup' }), 409, 'conflict');
  });

  it('deletes a resource, revoking its tokens; a second delete is 404', async () => {
    await api.post('/resources', { id: 'urn:example:gone', name: 'Gone', scopes: ['gone.read'] });
    const token = (await (await postToken(server, { grant_type: 'client_credentials', resource: 'urn:example:gone' }, { authorization: WEB_APP_BASIC })).json()) as { access_token: string };
    const res = await api.delete(path('urn:example:gone'));
    expect(res.status).toBe(200);
    expect(resourceDeletion.parse(res.body).revokedTokens).toBe(1);
    const answer = (await (await post(server, '/oauth2/introspect', { token: token.access_token }, { authorization: WEB_APP_BASIC })).json()) as Record<string, unknown>;
    expect(answer).toEqual({ active: false });
    expectApiError(await api.delete(path('urn:example:gone')), 404, 'not_found');
  });

  it('refuses with 409 to delete a resource a token exchange policy lists, naming the application; deletes it once the policy no longer does', async () => {
    const id = 'urn:example:exchanged';
    expect((await api.post('/resources', { id, name: 'Exchanged' })).status).toBe(201);
    const gateway = { id: 'gateway', name: 'Gateway', grantTypes: ['urn:ietf:params:oauth:grant-type:token-exchange'], tokenExchange: { subjectTokenTypes: ['access_token'], resources: [id], impersonation: true } };
    expect((await api.post('/applications', gateway)).status).toBe(201);
    const refused = await api.delete(path(id));
    expectApiError(refused, 409, 'conflict');
    expect((refused.body as { error_description: string }).error_description).toContain('gateway');
    expect((await api.patch('/applications/gateway', { tokenExchange: null })).status).toBe(200);
    expect((await api.delete(path(id))).status).toBe(200);
  });

  it('is described in the OpenAPI document under the Resources tag', async () => {
    const doc = (await api.get('/openapi.json')).body as { paths: Record<string, Record<string, { tags: string[] }>> };
    expect(doc.paths['/resources/{id}']?.['patch']?.tags).toEqual(['Resources']);
    expect(Object.keys(doc.paths['/resources'] ?? {}).sort()).toEqual(['get', 'post']);
  });
});

describe('admin API with a default resource (resourceTokens.defaultResource)', () => {
  let server: TestServer;
  let api: AdminApi;

  beforeAll(async () => {
    server = await startAdminServer({
      resources: [{ id: 'urn:example:default', name: 'Default API', scopes: ['default.read'] }],
      resourceTokens: { defaultResource: 'urn:example:default' },
    });
    // The admin token is asked for without resource: the default must not take it away from the admin API.
    api = new AdminApi(server, await adminToken(server));
  });

  afterAll(async () => {
    await server.close();
  });

  it('still answers the admin API, and refuses to delete the default resource with 409 conflict', async () => {
    expect(resourceList.parse((await api.get('/resources')).body).items.map((r) => r.id)).toEqual(['urn:example:default']);
    expectApiError(await api.delete(path('urn:example:default')), 409, 'conflict');
  });
});
