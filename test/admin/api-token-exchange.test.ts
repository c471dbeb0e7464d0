import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminApi, adminToken, startAdminServer } from '../support/admin.ts';
import type { TestServer } from '../support/server.ts';

/** The token exchange configuration (RFC 8693, RFC 7523) as the admin API shows it: read-only, from the config file. */

let server: TestServer;
let api: AdminApi;

beforeAll(async () => {
  server = await startAdminServer({
    tokenExchange: {
      trustedIssuers: [{ issuer: 'https://idp.example', jwksUri: 'https://idp.example/jwks', userClaim: 'preferred_username' }],
      policies: [{ client: 'web-app', subjectTokenTypes: ['access_token', 'jwt'], delegation: true }],
    },
  });
  api = new AdminApi(server, await adminToken(server));
});

afterAll(async () => {
  await server?.close();
});

describe('admin API: token exchange', () => {
  it('GET /token-exchange shows the trusted issuers and the per-client policies with their deny-by-default values', async () => {
    const res = await api.get('/token-exchange');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      source: 'config',
      trustedIssuers: [{ issuer: 'https://idp.example', jwksUri: 'https://idp.example/jwks', inlineKeys: 0, userClaim: 'preferred_username', userBy: 'username' }],
      policies: [{ client: 'web-app', subjectTokenTypes: ['access_token', 'jwt'], resources: [], scopes: [], impersonation: false, delegation: true, otherClientsTokens: false, refreshTokens: false }],
    });
  });

  it('is described in the OpenAPI document under its own tag', async () => {
    const doc = (await api.get('/openapi.json')).body as { paths: Record<string, Record<string, { tags: string[] }>> };
    expect(doc.paths['/token-exchange']?.['get']?.tags).toEqual(['Token exchange']);
  });
});
