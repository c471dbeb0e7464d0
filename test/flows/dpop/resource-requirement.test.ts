import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminApi, adminConfig, adminToken, expectFieldError } from '../../support/admin.ts';
import { basicAuth, expectJsonError, pkcePair, post, postToken, WEB_APP_BASIC, WEB_REDIRECT } from '../../support/flow-helpers.ts';
import { startServer, TEST_PASSWORD, TEST_SECRET, type TestServer } from '../../support/server.ts';
import { authorizeAsUser, authorizeUrl } from '../../support/user-agent.ts';
import { discover, insecure, jwtParts, webApp, webAuth } from '../resources/fixtures.ts';
import { proof, proofKey, type ProofKey } from './proofs.ts';

/**
 * A resource that requires DPoP (RFC 9449 §7.2; `dpopBoundAccessTokensRequired`): Latchkey never issues a bearer
 * access token for it. A token request for it without a proof is refused as a DPoP client's is (§5:
 * invalid_dpop_proof, 400), whatever the grant; with a proof, the token is bound (cnf.jkt, token_type DPoP).
 */

const BOUND_JWT = 'https://bound-jwt.example/';
const BOUND_OPAQUE = 'https://bound-opaque.example/';
const FREE = 'https://free.example/';
const IMPLICIT_REDIRECT = 'https://implicit.example/cb';
const API_SECRET = 'vault-api-secret-0123456789abcdef';
const REFUSAL = /accepts only DPoP-bound access tokens/;

let server: TestServer;
let as: oauth.AuthorizationServer;
let api: AdminApi;
let tokenUrl: string;

beforeAll(async () => {
  const base = adminConfig();
  server = await startServer({
    ...base,
    features: { implicit: true },
    clients: [
      ...(base.clients ?? []),
      { id: 'vault-api', name: 'Vault API (introspection)', secret: API_SECRET, grantTypes: ['client_credentials'] },
      { id: 'implicit-app', name: 'Implicit App', secret: TEST_SECRET, redirectUris: [IMPLICIT_REDIRECT], responseTypes: ['code', 'token'] },
    ],
    resources: [
      { id: BOUND_JWT, name: 'Bound JWT API', scopes: ['bound.read'], accessTokenFormat: 'jwt', dpopBoundAccessTokensRequired: true },
      { id: BOUND_OPAQUE, name: 'Vault API', scopes: ['vault.read'], introspectionClient: 'vault-api', dpopBoundAccessTokensRequired: true },
      { id: FREE, name: 'Free API', scopes: ['free.read'] },
    ],
  });
  as = await discover(server.url);
  api = new AdminApi(server, await adminToken(server));
  tokenUrl = `${server.url}/oauth2/token`;
});

afterAll(async () => {
  await server?.close();
});

const dpopHandle = (key: ProofKey) => oauth.DPoP(webApp, { privateKey: key.privateKey, publicKey: key.publicKey });

/** oauth4webapi's client_credentials request, with a DPoP handle or none. */
async function clientCredentials(resource: string, key?: ProofKey): Promise<oauth.TokenEndpointResponse> {
  const res = await oauth.clientCredentialsGrantRequest(as, webApp, webAuth, { resource }, { ...insecure, ...(key ? { DPoP: dpopHandle(key) } : {}) });
  return oauth.processClientCredentialsResponse(as, webApp, res);
}

/** What oauth4webapi throws for an OAuth error response: its status, code and description. */
async function refusal(promise: Promise<unknown>): Promise<{ status: number; error: string; description: string | undefined }> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(oauth.ResponseBodyError);
  const e = err as oauth.ResponseBodyError;
  return { status: e.status, error: e.error, description: e.error_description };
}

/** Alice authorizes web-app for `resource` (RFC 8707 §2.1); the code and its PKCE verifier. */
async function authorizeFor(resource: string, scope: string): Promise<{ code: string; verifier: string }> {
  const { verifier, challenge } = pkcePair();
  const url = authorizeUrl(server, { response_type: 'code', client_id: 'web-app', redirect_uri: WEB_REDIRECT, scope, state: 'st', code_challenge: challenge, code_challenge_method: 'S256', resource });
  const out = await authorizeAsUser(server, url, { username: 'alice', password: TEST_PASSWORD, decision: 'allow' });
  const code = out.location?.searchParams.get('code');
  if (!code) throw new Error(`no code: status ${out.status}`);
  return { code, verifier };
}

const codeRequest = (c: { code: string; verifier: string }, headers: Record<string, string> = {}) =>
  postToken(server, { grant_type: 'authorization_code', code: c.code, code_verifier: c.verifier, redirect_uri: WEB_REDIRECT }, { authorization: WEB_APP_BASIC, headers });

describe('a resource that requires DPoP-bound access tokens (RFC 9449 §7.2)', () => {
  it('refuses client_credentials for it without a proof with invalid_dpop_proof 400 naming the requirement (RFC 9449 §5)', async () => {
    expect(await refusal(clientCredentials(BOUND_JWT))).toEqual({ status: 400, error: 'invalid_dpop_proof', description: expect.stringMatching(REFUSAL) });
    // The raw answer is a token endpoint error: JSON, no-store.
    await expectJsonError(await postToken(server, { grant_type: 'client_credentials', resource: BOUND_OPAQUE }, { authorization: WEB_APP_BASIC }), 400, 'invalid_dpop_proof');
  });

  it('issues a DPoP-bound JWT for it to oauth4webapi with a DPoP handle: token_type DPoP and cnf.jkt of the key (RFC 9449 §5, §6.1)', async () => {
    const key = await proofKey();
    const tokens = await clientCredentials(BOUND_JWT, key);
    expect(tokens.token_type).toBe('dpop');
    expect(jwtParts(tokens.access_token).payload).toMatchObject({ aud: BOUND_JWT, cnf: { jkt: key.jkt } });
    // The resource validates it as a DPoP token, with a proof of that key.
    const headers = { authorization: `DPoP ${tokens.access_token}`, dpop: await proof(key, { htm: 'GET', htu: BOUND_JWT, accessToken: tokens.access_token }) };
    expect((await oauth.validateJwtAccessToken(as, new Request(BOUND_JWT, { headers }), BOUND_JWT, insecure))['cnf']).toEqual({ jkt: key.jkt });
  });

  it('binds an opaque token for it too: introspection answers token_type DPoP with cnf.jkt (RFC 9449 §6.2)', async () => {
    const key = await proofKey();
    const tokens = await clientCredentials(BOUND_OPAQUE, key);
    const answer = (await (await post(server, '/oauth2/introspect', { token: tokens.access_token }, { authorization: basicAuth('vault-api', API_SECRET) })).json()) as Record<string, unknown>;
    expect(answer).toMatchObject({ active: true, aud: BOUND_OPAQUE, token_type: 'DPoP', cnf: { jkt: key.jkt } });
  });

  it('leaves the same client free to get a bearer token for a resource without the requirement', async () => {
    expect((await clientCredentials(FREE)).token_type).toBe('bearer');
  });

  it('refuses the code exchange for it without a proof, leaving the code unspent; with oauth4webapi DPoP the same code gives bound tokens (RFC 9449 §5)', async () => {
    const c = await authorizeFor(BOUND_JWT, 'bound.read');
    const body = await expectJsonError(await codeRequest(c), 400, 'invalid_dpop_proof');
    expect(body['error_description']).toMatch(REFUSAL);
    const key = await proofKey();
    const callback = new URL(`${WEB_REDIRECT}?code=${encodeURIComponent(c.code)}&state=st&iss=${encodeURIComponent(server.url)}`);
    const params = oauth.validateAuthResponse(as, webApp, callback, 'st');
    const res = await oauth.authorizationCodeGrantRequest(as, webApp, webAuth, params, WEB_REDIRECT, c.verifier, { DPoP: dpopHandle(key), ...insecure });
    const tokens = await oauth.processAuthorizationCodeResponse(as, webApp, res);
    expect(tokens.token_type).toBe('dpop');
    expect(jwtParts(tokens.access_token).payload).toMatchObject({ aud: BOUND_JWT, cnf: { jkt: key.jkt } });
    expect(tokens.refresh_token).toBeTruthy();
  });

  it('refuses a refresh for it without a proof, leaving the refresh token unspent; with a proof the new access token is bound (RFC 9449 §5)', async () => {
    const c = await authorizeFor(BOUND_OPAQUE, 'vault.read');
    const first = (await (await codeRequest(c, { dpop: await proof(await proofKey(), { htm: 'POST', htu: tokenUrl }) })).json()) as { refresh_token: string; token_type: string };
    expect(first.token_type).toBe('DPoP');
    const refresh = (headers: Record<string, string>) => postToken(server, { grant_type: 'refresh_token', refresh_token: first.refresh_token }, { authorization: WEB_APP_BASIC, headers });
    expect((await expectJsonError(await refresh({}), 400, 'invalid_dpop_proof'))['error_description']).toMatch(REFUSAL);
    // A confidential client's refresh token is not bound (§5), so a proof of any key will do; the refusal spent nothing,
    // so this is not a replay (which would revoke the grant, RFC 9700 §4.14.2).
    const key = await proofKey();
    const res = await refresh({ dpop: await proof(key, { htm: 'POST', htu: tokenUrl }) });
    expect(res.status).toBe(200);
    const tokens = (await res.json()) as { access_token: string; token_type: string };
    expect(tokens.token_type).toBe('DPoP');
    const answer = (await (await post(server, '/oauth2/introspect', { token: tokens.access_token }, { authorization: basicAuth('vault-api', API_SECRET) })).json()) as Record<string, unknown>;
    expect(answer).toMatchObject({ active: true, cnf: { jkt: key.jkt } });
  });

  it('refuses response_type=token for it at the authorization request with invalid_request: the authorization endpoint has no proof to bind to (RFC 9449 §7.2)', async () => {
    const url = authorizeUrl(server, { response_type: 'token', client_id: 'implicit-app', redirect_uri: IMPLICIT_REDIRECT, scope: 'bound.read', state: 'st', resource: BOUND_JWT });
    const out = await authorizeAsUser(server, url, { username: 'alice', password: TEST_PASSWORD, decision: 'allow' });
    const fragment = new URLSearchParams(out.location?.hash.slice(1) ?? '');
    expect({ error: fragment.get('error'), token: fragment.get('access_token') }).toEqual({ error: 'invalid_request', token: null });
    expect(fragment.get('error_description')).toMatch(REFUSAL);
  });

  it('is set and shown through the admin API, and takes effect at once on this node; cleared, bearer tokens come back', async () => {
    const id = 'https://later.example/';
    const path = `/resources/${encodeURIComponent(id)}`;
    const created = await api.post('/resources', { id, name: 'Later API', scopes: ['later.read'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ dpopBoundAccessTokensRequired: false });
    expect((await clientCredentials(id)).token_type).toBe('bearer');
    const patched = await api.patch(path, { dpopBoundAccessTokensRequired: true });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ dpopBoundAccessTokensRequired: true });
    expect((await api.get(path)).body).toMatchObject({ dpopBoundAccessTokensRequired: true });
    // A change made through this node invalidates its resource cache (storage/resource-cache.ts): no wait.
    expect(await refusal(clientCredentials(id))).toMatchObject({ status: 400, error: 'invalid_dpop_proof' });
    expect((await clientCredentials(id, await proofKey())).token_type).toBe('dpop');
    expect((await api.patch(path, { dpopBoundAccessTokensRequired: false })).body).toMatchObject({ dpopBoundAccessTokensRequired: false });
    expect((await clientCredentials(id)).token_type).toBe('bearer');
  });
});

describe('a resource that requires DPoP on a server with DPoP off', () => {
  it('stops start-up naming the key: no token could ever be issued for it', async () => {
    const config = { ...adminConfig(), dpop: { enabled: false }, resources: [{ id: FREE, name: 'Free API', scopes: ['free.read'], dpopBoundAccessTokensRequired: true }] };
    await expect(startServer(config)).rejects.toThrow(/resources\.0\.dpopBoundAccessTokensRequired: .*dpop\.enabled/);
  });

  it('is refused by the admin API with 422 on the field', async () => {
    const off = await startServer({ ...adminConfig(), dpop: { enabled: false } });
    try {
      const admin = new AdminApi(off, await adminToken(off));
      const res = await admin.post('/resources', { id: FREE, name: 'Free API', dpopBoundAccessTokensRequired: true });
      expect(expectFieldError(res, 'dpopBoundAccessTokensRequired')).toMatch(/dpop\.enabled/);
    } finally {
      await off.close();
    }
  });
});
