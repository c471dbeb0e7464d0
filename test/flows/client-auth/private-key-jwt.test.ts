import * as client from 'openid-client';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, expectJsonError, obtainCode, post, postToken, WEB_APP_BASIC } from '../../support/flow-helpers.ts';
import { startServer, testConfig, TEST_SECRET, type TestServer } from '../../support/server.ts';
import { UserAgent } from '../../support/user-agent.ts';
import { assertion, clientCredentials, clientKey, JWT_BEARER, unsecured, withAssertion, type ClientKey } from './support.ts';

/**
 * private_key_jwt client authentication (RFC 7523 §2.2 and §3, OpenID Connect Core §9) over real HTTP: oauth4webapi
 * and openid-client as the clients, then every way an assertion can be wrong, each refused with invalid_client 401
 * (RFC 6749 §5.2, RFC 7521 §4.2.1).
 */

const REDIRECT = 'https://jwt.example/cb';
const insecure = { [oauth.allowInsecureRequests]: true } as const;

let server: TestServer;
let as: oauth.AuthorizationServer;
let rsa: ClientKey;
let es: ClientKey;
let esOtherRsa: ClientKey;
let stranger: ClientKey;

beforeAll(async () => {
  [rsa, es, esOtherRsa, stranger] = await Promise.all([clientKey('RS256'), clientKey('ES256'), clientKey('RS256'), clientKey('RS256')]);
  const grantTypes = ['authorization_code' as const, 'refresh_token' as const, 'client_credentials' as const];
  server = await startServer({
    clients: [
      ...(testConfig().clients ?? []),
      { id: 'jwt-app', name: 'JWT App', tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [rsa.publicJwk] }, redirectUris: [REDIRECT], grantTypes },
      // Registered for ES256 only: its RSA key must not authenticate it (OpenID Connect Registration §2).
      { id: 'jwt-es', name: 'JWT ES', tokenEndpointAuthMethod: 'private_key_jwt', tokenEndpointAuthSigningAlg: 'ES256', jwks: { keys: [es.publicJwk, esOtherRsa.publicJwk] }, grantTypes },
    ],
  });
  const issuer = new URL(server.url);
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
});

afterAll(async () => {
  await server?.close();
});

const issuer = () => server.url;
const refused = async (res: Response) => expectJsonError(res, 401, 'invalid_client');

describe('private_key_jwt with real clients (RFC 7523 §2.2, OpenID Connect Core §9)', () => {
  it('advertises private_key_jwt and its algorithms (RFC 8414 §2); HS* are for client_secret_jwt (client-secret-jwt.test.ts)', async () => {
    expect(as.token_endpoint_auth_methods_supported).toContain('private_key_jwt');
    expect(as.token_endpoint_auth_signing_alg_values_supported).toEqual(expect.arrayContaining(['RS256', 'PS256', 'ES256', 'EdDSA']));
    expect(as.token_endpoint_auth_signing_alg_values_supported).not.toContain('none');
    expect(as.introspection_endpoint_auth_methods_supported).toContain('private_key_jwt');
    expect(as.revocation_endpoint_auth_methods_supported).toContain('private_key_jwt');
  });

  it('issues a client_credentials token to oauth4webapi PrivateKeyJwt (aud: the issuer, RFC 7523bis)', async () => {
    const res = await oauth.clientCredentialsGrantRequest(as, { client_id: 'jwt-app' }, oauth.PrivateKeyJwt({ key: rsa.privateKey, kid: rsa.kid }), new URLSearchParams(), insecure);
    const out = await oauth.processClientCredentialsResponse(as, { client_id: 'jwt-app' }, res);
    expect(out.access_token).toBeTruthy();
  });

  it('runs the code flow and a refresh with oauth4webapi PrivateKeyJwt', async () => {
    const agent = new UserAgent(server.url);
    const code = await obtainCode(agent, { clientId: 'jwt-app', redirectUri: REDIRECT, scope: 'openid' });
    const auth = oauth.PrivateKeyJwt({ key: rsa.privateKey, kid: rsa.kid });
    const c: oauth.Client = { client_id: 'jwt-app' };
    const params = oauth.validateAuthResponse(as, c, new URL(`${REDIRECT}?${new URLSearchParams({ code: code.code, state: 'st', iss: issuer() })}`), 'st');
    const res = await oauth.authorizationCodeGrantRequest(as, c, auth, params, REDIRECT, code.verifier, insecure);
    const tokens = await oauth.processAuthorizationCodeResponse(as, c, res, { expectedNonce: oauth.expectNoNonce });
    expect(tokens.id_token).toBeTruthy();
    if (!tokens.refresh_token) throw new Error('expected a refresh token');
    const refreshed = await oauth.processRefreshTokenResponse(as, c, await oauth.refreshTokenGrantRequest(as, c, auth, tokens.refresh_token, insecure));
    expect(refreshed.access_token).toBeTruthy();
  });

  it('issues a token to openid-client 6 with PrivateKeyJwt and an ES256 key', async () => {
    const config = await client.discovery(new URL(server.url), 'jwt-es', undefined, client.PrivateKeyJwt({ key: es.privateKey, kid: es.kid }), { execute: [client.allowInsecureRequests] });
    const out = await client.clientCredentialsGrant(config);
    expect(out.access_token).toBeTruthy();
  });

  it('runs the code flow with openid-client 6 PrivateKeyJwt, ID token validated', async () => {
    const config = await client.discovery(new URL(server.url), 'jwt-app', undefined, client.PrivateKeyJwt({ key: rsa.privateKey, kid: rsa.kid }), { execute: [client.allowInsecureRequests] });
    const code = await obtainCode(new UserAgent(server.url), { clientId: 'jwt-app', redirectUri: REDIRECT, scope: 'openid' });
    const callback = new URL(`${REDIRECT}?${new URLSearchParams({ code: code.code, state: 'st', iss: issuer() })}`);
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: code.verifier, expectedState: 'st', idTokenExpected: true });
    expect(tokens.claims()?.aud).toBe('jwt-app');
  });

  it('introspects and revokes with private_key_jwt (RFC 7662 §2.1, RFC 7009 §2.1)', async () => {
    const token = (await oauth.processClientCredentialsResponse(as, { client_id: 'jwt-app' }, await oauth.clientCredentialsGrantRequest(as, { client_id: 'jwt-app' }, oauth.PrivateKeyJwt({ key: rsa.privateKey, kid: rsa.kid }), new URLSearchParams(), insecure))).access_token;
    const introspected = await post(server, '/oauth2/introspect', withAssertion(await assertion(rsa, 'jwt-app', issuer()), { token }));
    expect(introspected.status).toBe(200);
    expect(await introspected.json()).toMatchObject({ active: true, client_id: 'jwt-app' });
    const revoked = await post(server, '/oauth2/revoke', withAssertion(await assertion(rsa, 'jwt-app', issuer()), { token }));
    expect(revoked.status).toBe(200);
    const after = await post(server, '/oauth2/introspect', withAssertion(await assertion(rsa, 'jwt-app', issuer()), { token }));
    expect(await after.json()).toEqual({ active: false });
    await refused(await post(server, '/oauth2/introspect', withAssertion(await assertion(stranger, 'jwt-app', issuer()), { token })));
    await refused(await post(server, '/oauth2/revoke', withAssertion(await assertion(stranger, 'jwt-app', issuer()), { token })));
  });
});

describe('refused assertions: invalid_client 401 (RFC 7523 §3, RFC 7521 §4.2.1)', () => {
  it('refuses a replayed assertion: its jti is single-use (RFC 7523 §3 item 7)', async () => {
    const jwt = await assertion(rsa, 'jwt-app', issuer());
    expect((await clientCredentials(server, jwt)).status).toBe(200);
    await refused(await clientCredentials(server, jwt));
  });

  it('refuses an assertion without jti (replay cannot be detected)', async () => {
    await refused(await clientCredentials(server, await assertion(rsa, 'jwt-app', issuer(), { jti: null })));
  });

  it('refuses an audience other than the issuer identifier (RFC 7523bis §4)', async () => {
    await refused(await clientCredentials(server, await assertion(rsa, 'jwt-app', 'https://elsewhere.example')));
    await refused(await clientCredentials(server, await assertion(rsa, 'jwt-app', issuer(), { aud: [issuer(), 'https://elsewhere.example'] })));
  });

  it('refuses the token endpoint URL as audience unless configured (RFC 7523bis §4 over OpenID Connect Core §9)', async () => {
    await refused(await clientCredentials(server, await assertion(rsa, 'jwt-app', `${issuer()}/oauth2/token`)));
  });

  it('refuses an expired assertion, and one without exp (RFC 7523 §3 item 4)', async () => {
    const now = Math.floor(Date.now() / 1000);
    await refused(await clientCredentials(server, await assertion(rsa, 'jwt-app', issuer(), { iat: now - 600, exp: now - 120 })));
    await refused(await clientCredentials(server, await assertion(rsa, 'jwt-app', issuer(), { exp: null })));
  });

  it('refuses an assertion that lives longer than clientAssertions.maxLifetimeSeconds', async () => {
    const now = Math.floor(Date.now() / 1000);
    await refused(await clientCredentials(server, await assertion(rsa, 'jwt-app', issuer(), { exp: now + 3600 })));
  });

  it('refuses an iat or nbf in the future beyond the clock skew (RFC 7523 §3 items 5 and 6)', async () => {
    const now = Math.floor(Date.now() / 1000);
    await refused(await clientCredentials(server, await assertion(rsa, 'jwt-app', issuer(), { iat: now + 200, exp: now + 260 })));
    await refused(await clientCredentials(server, await assertion(rsa, 'jwt-app', issuer(), { nbf: now + 200, exp: now + 260 })));
  });

  it('refuses an assertion signed with a key the client did not register', async () => {
    await refused(await clientCredentials(server, await assertion(stranger, 'jwt-app', issuer())));
    await refused(await clientCredentials(server, await assertion({ ...stranger, kid: rsa.kid }, 'jwt-app', issuer())));
  });

  it('refuses an algorithm other than the client registered (token_endpoint_auth_signing_alg)', async () => {
    await refused(await clientCredentials(server, await assertion(esOtherRsa, 'jwt-es', issuer())));
    expect((await clientCredentials(server, await assertion(es, 'jwt-es', issuer()))).status).toBe(200);
  });

  it('refuses alg none', async () => {
    await refused(await clientCredentials(server, unsecured('jwt-app', issuer())));
  });

  it('refuses an HS256 assertion for a private_key_jwt client, even keyed with its public key material', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(rsa.publicJwk));
    await refused(await clientCredentials(server, await assertion({ privateKey: secret, alg: 'HS256', kid: rsa.kid }, 'jwt-app', issuer())));
  });

  it('refuses an assertion made for another client, or whose iss differs from sub (RFC 7523 §3 items 1 and 2)', async () => {
    // Signed by jwt-es for itself, presented as jwt-app.
    await refused(await clientCredentials(server, await assertion(es, 'jwt-es', issuer()), { client_id: 'jwt-app' }));
    await refused(await clientCredentials(server, await assertion(rsa, 'jwt-app', issuer(), { sub: 'jwt-es' })));
    await refused(await clientCredentials(server, await assertion(rsa, 'jwt-app', issuer(), { iss: 'jwt-es' })));
  });

  it('refuses an unknown client_assertion_type and a malformed assertion', async () => {
    await refused(await postToken(server, { grant_type: 'client_credentials', client_assertion_type: 'urn:example:other', client_assertion: await assertion(rsa, 'jwt-app', issuer()) }));
    await refused(await postToken(server, { grant_type: 'client_credentials', client_assertion_type: JWT_BEARER, client_assertion: 'not.a.jwt' }));
    await refused(await postToken(server, { grant_type: 'client_credentials', client_assertion_type: JWT_BEARER }));
  });

  it('refuses a second authentication method in the same request with invalid_request (RFC 6749 §2.3)', async () => {
    await expectJsonError(await postToken(server, { grant_type: 'client_credentials', ...withAssertion(await assertion(rsa, 'jwt-app', issuer())) }, { authorization: WEB_APP_BASIC }), 400, 'invalid_request');
  });

  it('keeps each client to its registered method: no secret for a private_key_jwt client, no assertion for a secret client', async () => {
    await refused(await postToken(server, { grant_type: 'client_credentials' }, { authorization: basicAuth('jwt-app', TEST_SECRET) }));
    await refused(await clientCredentials(server, await assertion(rsa, 'web-app', issuer())));
  });

  it('refuses client_secret_jwt (oauth4webapi ClientSecretJwt) from a client registered for client_secret_basic', async () => {
    const res = await oauth.clientCredentialsGrantRequest(as, { client_id: 'web-app' }, oauth.ClientSecretJwt(TEST_SECRET), new URLSearchParams(), insecure);
    await refused(res);
  });
});
