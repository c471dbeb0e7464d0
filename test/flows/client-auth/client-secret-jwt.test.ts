import * as client from 'openid-client';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationWithSecret } from '../../../src/admin/schemas.ts';
import { AdminApi, adminConfig, adminToken } from '../../support/admin.ts';
import { basicAuth, expectJsonError, obtainCode, post, postToken } from '../../support/flow-helpers.ts';
import { startServer, type TestServer } from '../../support/server.ts';
import { UserAgent } from '../../support/user-agent.ts';
import { assertion, clientCredentials, clientKey, unsecured, withAssertion, type ClientKey } from './support.ts';

/**
 * client_secret_jwt client authentication (RFC 7523 §2.2 with an HMAC, OpenID Connect Core §9) over real HTTP:
 * oauth4webapi and openid-client as the clients, a client from the configuration file and one from the admin API,
 * then every way an assertion can be wrong, each refused with invalid_client 401 (RFC 6749 §5.2).
 */

const REDIRECT = 'https://hmac.example/cb';
const SECRET = 'hmac-secret-0123456789abcdef0123456789';
const insecure = { [oauth.allowInsecureRequests]: true } as const;
const grantTypes = ['authorization_code' as const, 'refresh_token' as const, 'client_credentials' as const];

let server: TestServer;
let as: oauth.AuthorizationServer;
let api: AdminApi;
let rsa: ClientKey;

beforeAll(async () => {
  rsa = await clientKey('RS256');
  const base = adminConfig({ cacheTtlMs: 0 });
  server = await startServer({
    ...base,
    clients: [
      ...(base.clients ?? []),
      { id: 'hmac-app', name: 'HMAC App', secret: SECRET, tokenEndpointAuthMethod: 'client_secret_jwt', redirectUris: [REDIRECT], grantTypes },
      { id: 'jwt-app', name: 'JWT App', tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [rsa.publicJwk] }, grantTypes },
    ],
  });
  const issuer = new URL(server.url);
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
  api = new AdminApi(server, await adminToken(server));
});

afterAll(async () => {
  await server?.close();
});

const issuer = () => server.url;
const refused = async (res: Response) => expectJsonError(res, 401, 'invalid_client');
const hmac = (secret: string, alg = 'HS256') => ({ privateKey: new TextEncoder().encode(secret), alg });

describe('client_secret_jwt with real clients (RFC 7523 §2.2, OpenID Connect Core §9)', () => {
  it('advertises client_secret_jwt and the HS algorithms beside private_key_jwt (RFC 8414 §2)', () => {
    for (const methods of [as.token_endpoint_auth_methods_supported, as.introspection_endpoint_auth_methods_supported, as.revocation_endpoint_auth_methods_supported]) {
      expect(methods).toEqual(expect.arrayContaining(['client_secret_jwt', 'private_key_jwt']));
    }
    for (const algs of [as.token_endpoint_auth_signing_alg_values_supported, as.introspection_endpoint_auth_signing_alg_values_supported, as.revocation_endpoint_auth_signing_alg_values_supported]) {
      expect(algs).toEqual(expect.arrayContaining(['HS256', 'HS384', 'HS512', 'RS256']));
      expect(algs).not.toContain('none');
    }
  });

  it('issues a client_credentials token to oauth4webapi ClientSecretJwt (a client from the configuration file)', async () => {
    const res = await oauth.clientCredentialsGrantRequest(as, { client_id: 'hmac-app' }, oauth.ClientSecretJwt(SECRET), new URLSearchParams(), insecure);
    expect((await oauth.processClientCredentialsResponse(as, { client_id: 'hmac-app' }, res)).access_token).toBeTruthy();
  });

  it('runs the code flow with openid-client 6 ClientSecretJwt, ID token validated', async () => {
    const config = await client.discovery(new URL(server.url), 'hmac-app', undefined, client.ClientSecretJwt(SECRET), { execute: [client.allowInsecureRequests] });
    const code = await obtainCode(new UserAgent(server.url), { clientId: 'hmac-app', redirectUri: REDIRECT, scope: 'openid' });
    const callback = new URL(`${REDIRECT}?${new URLSearchParams({ code: code.code, state: 'st', iss: issuer() })}`);
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: code.verifier, expectedState: 'st', idTokenExpected: true });
    expect(tokens.claims()?.aud).toBe('hmac-app');
  });

  it('introspects and revokes with client_secret_jwt (RFC 7662 §2.1, RFC 7009 §2.1)', async () => {
    const token = (await expectOk(await clientCredentials(server, await assertion(hmac(SECRET), 'hmac-app', issuer())))).access_token;
    const introspected = await post(server, '/oauth2/introspect', withAssertion(await assertion(hmac(SECRET, 'HS512'), 'hmac-app', issuer()), { token }));
    expect(await introspected.json()).toMatchObject({ active: true, client_id: 'hmac-app' });
    expect((await post(server, '/oauth2/revoke', withAssertion(await assertion(hmac(SECRET, 'HS384'), 'hmac-app', issuer()), { token }))).status).toBe(200);
    const after = await post(server, '/oauth2/introspect', withAssertion(await assertion(hmac(SECRET), 'hmac-app', issuer()), { token }));
    expect(await after.json()).toEqual({ active: false });
  });
});

describe('refused client_secret_jwt assertions: invalid_client 401 (RFC 7523 §3, RFC 7521 §4.2.1)', () => {
  it('refuses a replayed assertion: its jti is single-use (RFC 7523 §3 item 7)', async () => {
    const jwt = await assertion(hmac(SECRET), 'hmac-app', issuer());
    expect((await clientCredentials(server, jwt)).status).toBe(200);
    await refused(await clientCredentials(server, jwt));
  });

  it('refuses an assertion keyed by the wrong secret', async () => {
    await refused(await clientCredentials(server, await assertion(hmac('not-the-secret-0123456789abcdef'), 'hmac-app', issuer())));
  });

  it('refuses an RS256 assertion for a client_secret_jwt client, and an HS256 one for a private_key_jwt client', async () => {
    await refused(await clientCredentials(server, await assertion(rsa, 'hmac-app', issuer())));
    await refused(await clientCredentials(server, await assertion(hmac(SECRET), 'jwt-app', issuer())));
  });

  it('refuses alg none, an audience other than the issuer (RFC 7523bis §4), an expired assertion and one without jti', async () => {
    await refused(await clientCredentials(server, unsecured('hmac-app', issuer())));
    await refused(await clientCredentials(server, await assertion(hmac(SECRET), 'hmac-app', 'https://elsewhere.example')));
    const past = Math.floor(Date.now() / 1000) - 3600;
    await refused(await clientCredentials(server, await assertion(hmac(SECRET), 'hmac-app', issuer(), { exp: past, iat: past - 60 })));
    await refused(await clientCredentials(server, await assertion(hmac(SECRET), 'hmac-app', issuer(), { jti: null })));
  });

  it('keeps the client to its registered method: its secret in Basic or in the body is refused', async () => {
    await refused(await postToken(server, { grant_type: 'client_credentials' }, { authorization: basicAuth('hmac-app', SECRET) }));
    await refused(await postToken(server, { grant_type: 'client_credentials', client_id: 'hmac-app', client_secret: SECRET }));
  });
});

describe('client_secret_jwt applications in the admin API', () => {
  it('creates one whose generated secret keys the HMAC; a rotated secret keys it at once and the old one stops', async () => {
    const res = await api.post('/applications', { id: 'api-hmac', name: 'API HMAC', grantTypes: ['client_credentials'], responseTypes: [], tokenEndpointAuthMethod: 'client_secret_jwt' });
    expect(res.status, res.text).toBe(201);
    const created = applicationWithSecret.parse(res.body);
    expect(created.application).toMatchObject({ tokenEndpointAuthMethod: 'client_secret_jwt', hasSecret: true });
    const first = created.clientSecret ?? '';
    expect((await clientCredentials(server, await assertion(hmac(first), 'api-hmac', issuer()))).status).toBe(200);

    const rotated = await api.post('/applications/api-hmac/rotate-secret', { graceSeconds: 600 });
    expect(rotated.status, rotated.text).toBe(200);
    const second = applicationWithSecret.parse(rotated.body).clientSecret ?? '';
    expect((await clientCredentials(server, await assertion(hmac(second), 'api-hmac', issuer()))).status).toBe(200);
    // The grace period keeps only the old secret's hash: an HMAC cannot be checked against it (README).
    await refused(await clientCredentials(server, await assertion(hmac(first), 'api-hmac', issuer())));
  });
});

async function expectOk(res: Response): Promise<{ access_token: string }> {
  expect(res.status).toBe(200);
  return (await res.json()) as { access_token: string };
}
