import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminApi, adminConfig, adminToken } from '../../support/admin.ts';
import { basicAuth, expectJsonError, postToken } from '../../support/flow-helpers.ts';
import { startServer, testConfig, type TestServer } from '../../support/server.ts';
import { proof, proofKey } from './proofs.ts';

/**
 * A client that must use DPoP (RFC 9449 §5.2 `dpop_bound_access_tokens`): declared in the configuration file or set
 * through the admin API, it gets no token without a proof (invalid_dpop_proof), and a DPoP-bound one with.
 */

const SECRET = 'bound-secret-0123456789abcdef';
let server: TestServer;
let api: AdminApi;

beforeAll(async () => {
  const base = adminConfig();
  server = await startServer({
    ...base,
    clients: [...(base.clients ?? testConfig().clients ?? []), { id: 'bound', name: 'Bound', secret: SECRET, grantTypes: ['client_credentials'], dpopBoundAccessTokens: true }],
  });
  api = new AdminApi(server, await adminToken(server));
});

afterAll(async () => {
  await server?.close();
});

const grant = async (id: string, secret: string, withProof: boolean) =>
  postToken(server, { grant_type: 'client_credentials' }, {
    authorization: basicAuth(id, secret),
    headers: withProof ? { dpop: await proof(await proofKey(), { htm: 'POST', htu: `${server.url}/oauth2/token` }) } : {},
  });

describe('a client that must use DPoP (RFC 9449 §5.2)', () => {
  it('refuses a token request without a proof with invalid_dpop_proof 400, and binds the token with one (configuration file)', async () => {
    await expectJsonError(await grant('bound', SECRET, false), 400, 'invalid_dpop_proof');
    const res = await grant('bound', SECRET, true);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { token_type: string }).token_type).toBe('DPoP');
  });

  it('is set and shown through the admin API, and takes effect at once', async () => {
    const created = await api.call('POST', '/applications', { name: 'Later bound', grantTypes: ['client_credentials'], responseTypes: [] });
    expect(created.status).toBe(201);
    const { application, clientSecret } = created.body as { application: { id: string; dpopBoundAccessTokens: boolean }; clientSecret: string };
    expect(application.dpopBoundAccessTokens).toBe(false);
    expect((await grant(application.id, clientSecret, false)).status).toBe(200);
    const patched = await api.call('PATCH', `/applications/${application.id}`, { dpopBoundAccessTokens: true });
    expect(patched.status).toBe(200);
    expect((patched.body as { dpopBoundAccessTokens: boolean }).dpopBoundAccessTokens).toBe(true);
    await expectJsonError(await grant(application.id, clientSecret, false), 400, 'invalid_dpop_proof');
  });
});
