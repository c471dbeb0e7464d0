import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, expectJsonError, post, postToken, WEB_APP_BASIC } from '../../support/flow-helpers.ts';
import { startServer, type TestServer } from '../../support/server.ts';
import { proof, proofKey } from '../dpop/proofs.ts';
import { API_SECRET, apiRequest, discover, insecure, JWT_API, jwtParts, OPAQUE_API, resourcesConfig, webApp, webAuth } from './fixtures.ts';

/** RFC 8707 with client_credentials (RFC 6749 §4.4), RFC 9068 JWT access tokens, and their introspection and revocation. */

let server: TestServer;
let as: oauth.AuthorizationServer;

beforeAll(async () => {
  server = await startServer(resourcesConfig());
  as = await discover(server.url);
});

afterAll(async () => {
  await server?.close();
});

async function clientToken(params: Record<string, string>): Promise<oauth.TokenEndpointResponse> {
  const res = await oauth.clientCredentialsGrantRequest(as, webApp, webAuth, params, insecure);
  return oauth.processClientCredentialsResponse(as, webApp, res);
}

const introspect = async (token: string, authorization: string) => (await post(server, '/oauth2/introspect', { token }, { authorization })).json() as Promise<Record<string, unknown>>;

describe('client_credentials with a resource (RFC 8707 §2.2, RFC 9068)', () => {
  it('issues a JWT whose sub is the client_id (RFC 9068 §2.2), accepted by oauth4webapi validateJwtAccessToken', async () => {
    const tokens = await clientToken({ resource: JWT_API, scope: 'notes.read' });
    const claims = await oauth.validateJwtAccessToken(as, apiRequest(tokens.access_token), JWT_API, insecure);
    expect(claims).toMatchObject({ sub: 'web-app', client_id: 'web-app', aud: JWT_API, scope: 'notes.read', iss: server.url });
    // RFC 9068 §2.2.1: auth_time and acr describe a user's sign-in, and there is none here.
    expect({ auth_time: claims['auth_time'], acr: claims['acr'] }).toEqual({ auth_time: undefined, acr: undefined });
    expect(jwtParts(tokens.access_token).header).toMatchObject({ typ: 'at+jwt', alg: 'RS256' });
  });

  it('binds a JWT access token to the DPoP key with cnf.jkt, and oauth4webapi validates it as a DPoP token (RFC 9449 §6.1, §7)', async () => {
    const key = await proofKey();
    const DPoP = oauth.DPoP(webApp, { privateKey: key.privateKey, publicKey: key.publicKey });
    const res = await oauth.clientCredentialsGrantRequest(as, webApp, webAuth, { resource: JWT_API, scope: 'notes.read' }, { DPoP, ...insecure });
    const tokens = await oauth.processClientCredentialsResponse(as, webApp, res);
    expect(tokens.token_type).toBe('dpop');
    expect(jwtParts(tokens.access_token).payload['cnf']).toEqual({ jkt: key.jkt });
    // The resource's side: the proof must be of the key cnf.jkt names.
    const headers = { authorization: `DPoP ${tokens.access_token}`, dpop: await proof(key, { htm: 'GET', htu: JWT_API, accessToken: tokens.access_token }) };
    const claims = await oauth.validateJwtAccessToken(as, new Request(JWT_API, { headers }), JWT_API, insecure);
    expect(claims['cnf']).toEqual({ jkt: key.jkt });
  });

  it('oauth4webapi refuses the token at another audience (RFC 9068 §4 step 3)', async () => {
    const tokens = await clientToken({ resource: JWT_API, scope: 'notes.read' });
    await expect(oauth.validateJwtAccessToken(as, apiRequest(tokens.access_token, OPAQUE_API), OPAQUE_API, insecure)).rejects.toThrow();
  });

  it('narrows the default scope to the scopes the resource defines', async () => {
    const tokens = await clientToken({ resource: JWT_API });
    expect(tokens.scope).toBe('notes.read notes.write');
  });

  it('refuses a scope the resource does not define with invalid_scope (RFC 6749 §5.2)', async () => {
    await expectJsonError(await postToken(server, { grant_type: 'client_credentials', resource: JWT_API, scope: 'calendar.read' }, { authorization: WEB_APP_BASIC }), 400, 'invalid_scope');
  });

  it('refuses an unregistered resource with invalid_target (RFC 8707 §2)', async () => {
    await expectJsonError(await postToken(server, { grant_type: 'client_credentials', resource: 'https://unknown.example/' }, { authorization: WEB_APP_BASIC }), 400, 'invalid_target');
  });

  it('refuses a resource with a fragment, and a relative one, with invalid_target (RFC 8707 §2)', async () => {
    await expectJsonError(await postToken(server, { grant_type: 'client_credentials', resource: `${JWT_API}#x` }, { authorization: WEB_APP_BASIC }), 400, 'invalid_target');
    await expectJsonError(await postToken(server, { grant_type: 'client_credentials', resource: 'api' }, { authorization: WEB_APP_BASIC }), 400, 'invalid_target');
  });

  it('refuses two resources with invalid_target: one resource per access token', async () => {
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    body.append('resource', JWT_API);
    body.append('resource', OPAQUE_API);
    await expectJsonError(await postToken(server, body, { authorization: WEB_APP_BASIC }), 400, 'invalid_target');
  });
});

describe('introspection and revocation of JWT access tokens (RFC 7662, RFC 7009)', () => {
  it('answers active with aud to the resource\'s introspection client, and active:false after revocation', async () => {
    const tokens = await clientToken({ resource: JWT_API, scope: 'notes.read' });
    expect(await introspect(tokens.access_token, basicAuth('jwt-api', API_SECRET))).toMatchObject({ active: true, aud: JWT_API, scope: 'notes.read', client_id: 'web-app' });
    const revoked = await post(server, '/oauth2/revoke', { token: tokens.access_token }, { authorization: WEB_APP_BASIC });
    expect(revoked.status).toBe(200);
    expect(await introspect(tokens.access_token, basicAuth('jwt-api', API_SECRET))).toEqual({ active: false });
    expect(await introspect(tokens.access_token, WEB_APP_BASIC)).toEqual({ active: false });
  });

  it('another resource\'s introspection client learns nothing of the token (RFC 7662 §2.2)', async () => {
    const tokens = await clientToken({ resource: JWT_API, scope: 'notes.read' });
    expect(await introspect(tokens.access_token, basicAuth('opaque-api', API_SECRET))).toEqual({ active: false });
  });
});

describe('a configured default resource (resourceTokens.defaultResource)', () => {
  let withDefault: TestServer;
  beforeAll(async () => {
    withDefault = await startServer(resourcesConfig({ resourceTokens: { defaultResource: OPAQUE_API } }));
  });
  afterAll(async () => {
    await withDefault?.close();
  });

  it('a request without resource gets a token for the default resource', async () => {
    const res = await postToken(withDefault, { grant_type: 'client_credentials' }, { authorization: WEB_APP_BASIC });
    const tokens = (await res.json()) as { access_token: string; scope: string };
    expect(tokens.scope).toBe('calendar.read');
    const answer = (await (await post(withDefault, '/oauth2/introspect', { token: tokens.access_token }, { authorization: basicAuth('opaque-api', API_SECRET) })).json()) as Record<string, unknown>;
    expect(answer).toMatchObject({ active: true, aud: OPAQUE_API });
  });

  it('a request for none of the default resource\'s scopes keeps a token without audience, as before', async () => {
    const res = await postToken(withDefault, { grant_type: 'client_credentials', scope: 'notes.read' }, { authorization: WEB_APP_BASIC });
    const tokens = (await res.json()) as { access_token: string; scope: string };
    expect(tokens.scope).toBe('notes.read');
    const answer = (await (await post(withDefault, '/oauth2/introspect', { token: tokens.access_token }, { authorization: WEB_APP_BASIC })).json()) as Record<string, unknown>;
    expect(answer['active']).toBe(true);
    expect(answer['aud']).toBeUndefined();
  });
});

describe('resourceTokens.jwtAccessTokenAlg', () => {
  let es256: TestServer;
  beforeAll(async () => {
    es256 = await startServer(resourcesConfig({ resourceTokens: { jwtAccessTokenAlg: 'ES256' } }));
  });
  afterAll(async () => {
    await es256?.close();
  });

  it('signs JWT access tokens with the configured algorithm, which oauth4webapi validates against the JWKS (RFC 9068 §2.1)', async () => {
    const asEs = await discover(es256.url);
    const res = await oauth.clientCredentialsGrantRequest(asEs, webApp, webAuth, { resource: JWT_API }, insecure);
    const tokens = await oauth.processClientCredentialsResponse(asEs, webApp, res);
    expect(jwtParts(tokens.access_token).header).toMatchObject({ typ: 'at+jwt', alg: 'ES256' });
    const claims = await oauth.validateJwtAccessToken(asEs, apiRequest(tokens.access_token), JWT_API, insecure);
    expect(claims.aud).toBe(JWT_API);
  });
});

describe('start-up checks of declared resources', () => {
  it('refuses to start with a resource identifier that has a fragment, naming the key', async () => {
    await expect(startServer(resourcesConfig({ resources: [{ id: 'https://api.example/#x', name: 'Bad' }] }))).rejects.toThrow(/resources\.0\.id/);
  });

  it('refuses to start when two resources define the same scope, naming the key', async () => {
    const resources = [
      { id: 'https://a.example/', name: 'A', scopes: ['notes.read'] },
      { id: 'https://b.example/', name: 'B', scopes: ['notes.read'] },
    ];
    await expect(startServer(resourcesConfig({ resources }))).rejects.toThrow(/resources\.1\.scopes/);
  });

  it('refuses to start with a default resource that is not registered, naming the key', async () => {
    await expect(startServer(resourcesConfig({ resourceTokens: { defaultResource: 'https://nowhere.example/' } }))).rejects.toThrow(/resourceTokens\.defaultResource/);
  });
});
