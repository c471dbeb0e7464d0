import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationView, applicationWithSecret } from '../../../src/admin/schemas.ts';
import { AdminApi, adminToken, expectFieldError, startAdminServer } from '../../support/admin.ts';
import type { TestServer } from '../../support/server.ts';
import { assertion, clientCredentials, clientKey, type ClientKey } from './support.ts';

/**
 * Registering a private_key_jwt application through the admin API (OpenAPI: applications): no secret is made or shown,
 * the keys round-trip, a key change takes effect, and metadata that cannot work is refused under its field.
 */

let server: TestServer;
let api: AdminApi;
let key: ClientKey;
let next: ClientKey;

beforeAll(async () => {
  [key, next] = await Promise.all([clientKey('ES256'), clientKey('RS256')]);
  server = await startAdminServer({ cacheTtlMs: 0 });
  api = new AdminApi(server, await adminToken(server));
});

afterAll(async () => {
  await server?.close();
});

const base = { grantTypes: ['client_credentials'], responseTypes: [] as string[] };

describe('private_key_jwt applications in the admin API', () => {
  it('creates one with inline jwks: no client secret, the method and keys in the view, and it authenticates', async () => {
    const res = await api.post('/applications', { id: 'api-jwt', name: 'API JWT', ...base, tokenEndpointAuthMethod: 'private_key_jwt', tokenEndpointAuthSigningAlg: 'ES256', jwks: { keys: [key.publicJwk] } });
    expect(res.status, res.text).toBe(201);
    const created = applicationWithSecret.parse(res.body);
    expect(created.clientSecret).toBeUndefined();
    expect(created.application).toMatchObject({ tokenEndpointAuthMethod: 'private_key_jwt', tokenEndpointAuthSigningAlg: 'ES256', jwks: { keys: [key.publicJwk] }, jwksUri: null, hasSecret: false });
    expect((await clientCredentials(server, await assertion(key, 'api-jwt', server.url))).status).toBe(200);
  });

  it('replaces the keys on PATCH: the new key works, the old one is refused with invalid_client', async () => {
    const res = await api.patch('/applications/api-jwt', { tokenEndpointAuthSigningAlg: null, jwks: { keys: [next.publicJwk] } });
    expect(res.status, res.text).toBe(200);
    expect(applicationView.parse(res.body)).toMatchObject({ tokenEndpointAuthSigningAlg: null, jwks: { keys: [next.publicJwk] } });
    expect((await clientCredentials(server, await assertion(next, 'api-jwt', server.url))).status).toBe(200);
    expect((await clientCredentials(server, await assertion(key, 'api-jwt', server.url))).status).toBe(401);
  });

  it('shows a secret client as client_secret_basic with no keys', async () => {
    const res = await api.post('/applications', { name: 'Secret app', ...base });
    expect(applicationWithSecret.parse(res.body).application).toMatchObject({ tokenEndpointAuthMethod: 'client_secret_basic', jwks: null, jwksUri: null });
  });

  it('refuses client_secret_jwt for a public application and with keys, naming the field', async () => {
    const message = expectFieldError(await api.post('/applications', { name: 'HMAC', type: 'public', redirectUris: ['https://hmac.example/cb'], tokenEndpointAuthMethod: 'client_secret_jwt' }), 'tokenEndpointAuthMethod');
    expect(message).toMatch(/confidential/);
    expectFieldError(await api.post('/applications', { name: 'HMAC keys', ...base, tokenEndpointAuthMethod: 'client_secret_jwt', jwks: { keys: [key.publicJwk] } }), 'jwks');
  });

  it('refuses a private key in jwks, both jwks and jwksUri, none of them, an http jwksUri and HS256', async () => {
    const { d: _d, ...pub } = { ...key.publicJwk, d: 'private-part' };
    expectFieldError(await api.post('/applications', { name: 'Private', ...base, tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [{ ...pub, d: 'private-part' }] } }), 'jwks');
    expectFieldError(await api.post('/applications', { name: 'Both', ...base, tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [pub] }, jwksUri: 'https://keys.example/jwks.json' }), 'jwks');
    expectFieldError(await api.post('/applications', { name: 'Neither', ...base, tokenEndpointAuthMethod: 'private_key_jwt' }), 'jwks');
    expectFieldError(await api.post('/applications', { name: 'Plain', ...base, tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: 'http://keys.example/jwks.json' }), 'jwksUri');
    expectFieldError(await api.post('/applications', { name: 'HS', ...base, tokenEndpointAuthMethod: 'private_key_jwt', tokenEndpointAuthSigningAlg: 'HS256', jwks: { keys: [pub] } }), 'tokenEndpointAuthSigningAlg');
  });

  it('refuses keys on a secret application', async () => {
    expectFieldError(await api.post('/applications', { name: 'Keys but secret', ...base, jwks: { keys: [key.publicJwk] } }), 'jwks');
  });
});
