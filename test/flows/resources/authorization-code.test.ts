import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, bearer, expectJsonError, pkcePair, post, postToken, WEB_APP_BASIC, WEB_REDIRECT } from '../../support/flow-helpers.ts';
import { startServer, TEST_PASSWORD, type TestServer } from '../../support/server.ts';
import { authorizeAsUser, UserAgent, type Outcome } from '../../support/user-agent.ts';
import { ACR_PASSWORD } from '../../../src/core/oidc/acr.ts';
import { API_SECRET, apiRequest, discover, insecure, JWT_API, jwtParts, OPAQUE_API, resourcesConfig, webApp, webAuth } from './fixtures.ts';

/**
 * RFC 8707 resource indicators in the code flow, over real HTTP with oauth4webapi as the client and as the resource
 * server validating RFC 9068 JWT access tokens against jwks_uri.
 */

let server: TestServer;
let as: oauth.AuthorizationServer;

beforeAll(async () => {
  server = await startServer(resourcesConfig());
  as = await discover(server.url);
});

afterAll(async () => {
  await server?.close();
});

/** An authorization URL with `resource` repeated once per value (RFC 8707 §2). */
function authorizeWith(resources: readonly string[], scope: string, challenge: string, state = 'st'): URL {
  const url = new URL('/oauth2/authorize', server.url);
  const p = url.searchParams;
  p.set('response_type', 'code');
  p.set('client_id', 'web-app');
  p.set('redirect_uri', WEB_REDIRECT);
  p.set('scope', scope);
  p.set('state', state);
  p.set('code_challenge', challenge);
  p.set('code_challenge_method', 'S256');
  for (const r of resources) p.append('resource', r);
  return url;
}

/** Signs alice in (a fresh browser) and consents; the redirect back to the client and the consent page seen. */
async function authorize(resources: readonly string[], scope: string, username = 'alice'): Promise<{ location: URL; verifier: string; consentHtml: string }> {
  const { verifier, challenge } = pkcePair();
  const agent = new UserAgent(server.url);
  let out: Outcome = await agent.start(authorizeWith(resources, scope, challenge));
  if (out.page === 'login') out = await agent.login(out, username, TEST_PASSWORD);
  const consentHtml = out.html ?? '';
  if (out.page === 'consent') out = await agent.consent(out, 'allow');
  if (!out.location) throw new Error(`no redirect: status ${out.status}`);
  return { location: out.location, verifier, consentHtml };
}

async function codeTokens(resources: readonly string[], scope: string, tokenResource?: string): Promise<oauth.TokenEndpointResponse> {
  const { location, verifier } = await authorize(resources, scope);
  const params = oauth.validateAuthResponse(as, webApp, location, 'st');
  const extra = tokenResource === undefined ? {} : { additionalParameters: { resource: tokenResource } };
  const res = await oauth.authorizationCodeGrantRequest(as, webApp, webAuth, params, WEB_REDIRECT, verifier, { ...insecure, ...extra });
  return oauth.processAuthorizationCodeResponse(as, webApp, res);
}

const introspect = async (token: string, authorization: string) => (await post(server, '/oauth2/introspect', { token }, { authorization })).json() as Promise<Record<string, unknown>>;

describe('the code flow with a resource (RFC 8707 §2.1, §2.2)', () => {
  it('issues a JWT access token for a jwt resource that oauth4webapi validateJwtAccessToken accepts: typ at+jwt, iss, aud, exp, sub (RFC 9068 §2, §4)', async () => {
    const tokens = await codeTokens([JWT_API], 'openid notes.read', JWT_API);
    const claims = await oauth.validateJwtAccessToken(as, apiRequest(tokens.access_token), JWT_API, insecure);
    expect(claims.aud).toBe(JWT_API);
    expect(claims.iss).toBe(server.url);
    expect(claims.client_id).toBe('web-app');
    expect(claims.scope).toBe('notes.read');
    expect(typeof claims.sub).toBe('string');
    expect(claims.sub).not.toBe('web-app');
    expect(typeof claims['auth_time']).toBe('number');
    expect(jwtParts(tokens.access_token).header['typ']).toBe('at+jwt');
    // RFC 9068 §2.2: exp is required; the JWT default is short (resourceTokens.jwtAccessTokenTtl, 300 s).
    expect(claims.exp - claims.iat).toBe(300);
    expect(tokens.expires_in).toBe(300);
    // The access token's scope is the resource's share; openid stays on the grant, so the ID token still comes.
    expect(tokens.scope).toBe('notes.read');
    expect(tokens.id_token).toBeTypeOf('string');
  });

  it('carries acr, how the user signed in, in the JWT from the code and from each refresh (RFC 9068 §2.2.1)', async () => {
    const tokens = await codeTokens([JWT_API], 'notes.read', JWT_API);
    const claims = await oauth.validateJwtAccessToken(as, apiRequest(tokens.access_token), JWT_API, insecure);
    expect(claims['acr']).toBe(ACR_PASSWORD);
    const res = await oauth.refreshTokenGrantRequest(as, webApp, webAuth, tokens.refresh_token ?? '', insecure);
    const refreshed = await oauth.processRefreshTokenResponse(as, webApp, res);
    const again = await oauth.validateJwtAccessToken(as, apiRequest(refreshed.access_token), JWT_API, insecure);
    // §2.2.1: the authentication the token rests on is still the original sign-in's.
    expect({ acr: again['acr'], auth_time: again['auth_time'] }).toEqual({ acr: ACR_PASSWORD, auth_time: claims['auth_time'] });
  });

  it('takes the only resource of the authorization when the token request names none (RFC 8707 §2.2)', async () => {
    const tokens = await codeTokens([JWT_API], 'notes.read notes.write');
    const claims = await oauth.validateJwtAccessToken(as, apiRequest(tokens.access_token), JWT_API, insecure);
    expect(claims.scope).toBe('notes.read notes.write');
  });

  it('an opaque resource: introspection by the resource\'s client answers active with aud, scope narrowed to the resource (RFC 7662 §2.2)', async () => {
    const tokens = await codeTokens([OPAQUE_API], 'notes.read calendar.read', OPAQUE_API);
    expect(tokens.access_token.split('.')).toHaveLength(1);
    expect(tokens.scope).toBe('calendar.read');
    const answer = await introspect(tokens.access_token, basicAuth('opaque-api', API_SECRET));
    expect(answer).toMatchObject({ active: true, aud: OPAQUE_API, scope: 'calendar.read', client_id: 'web-app' });
    // The other resource's client learns nothing of it (RFC 7662 §2.2: active false for tokens it may not see).
    expect(await introspect(tokens.access_token, basicAuth('jwt-api', API_SECRET))).toEqual({ active: false });
  });

  it('two resources in one authorization: each refresh asks for one, and gets a token for that one alone (RFC 8707 §2.2)', async () => {
    const tokens = await codeTokens([JWT_API, OPAQUE_API], 'notes.read calendar.read', JWT_API);
    expect(tokens.scope).toBe('notes.read');
    const refresh1 = await oauth.refreshTokenGrantRequest(as, webApp, webAuth, tokens.refresh_token ?? '', { ...insecure, additionalParameters: { resource: OPAQUE_API } });
    const opaque = await oauth.processRefreshTokenResponse(as, webApp, refresh1);
    expect(opaque.scope).toBe('calendar.read');
    expect(await introspect(opaque.access_token, basicAuth('opaque-api', API_SECRET))).toMatchObject({ active: true, aud: OPAQUE_API });
    const refresh2 = await oauth.refreshTokenGrantRequest(as, webApp, webAuth, opaque.refresh_token ?? '', { ...insecure, additionalParameters: { resource: JWT_API } });
    const jwt = await oauth.processRefreshTokenResponse(as, webApp, refresh2);
    const claims = await oauth.validateJwtAccessToken(as, apiRequest(jwt.access_token), JWT_API, insecure);
    expect(claims.scope).toBe('notes.read');
  });

  it('refuses a refresh for a resource that was not in the authorization with invalid_target (RFC 8707 §2.2)', async () => {
    const tokens = await codeTokens([JWT_API], 'notes.read calendar.read', JWT_API);
    const res = await postToken(server, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token ?? '', resource: OPAQUE_API }, { authorization: WEB_APP_BASIC });
    await expectJsonError(res, 400, 'invalid_target');
  });

  it('refuses a token request naming two resources with invalid_target: one resource per access token (RFC 8707 §2.2)', async () => {
    const { location, verifier } = await authorize([JWT_API, OPAQUE_API], 'notes.read calendar.read');
    const code = location.searchParams.get('code') ?? '';
    const body = new URLSearchParams({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: WEB_REDIRECT });
    body.append('resource', JWT_API);
    body.append('resource', OPAQUE_API);
    await expectJsonError(await postToken(server, body, { authorization: WEB_APP_BASIC }), 400, 'invalid_target');
  });

  it('refuses a token request without resource when the authorization covers several, with invalid_target', async () => {
    const { location, verifier } = await authorize([JWT_API, OPAQUE_API], 'notes.read calendar.read');
    const code = location.searchParams.get('code') ?? '';
    const res = await postToken(server, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: WEB_REDIRECT }, { authorization: WEB_APP_BASIC });
    await expectJsonError(res, 400, 'invalid_target');
  });

  it('refuses a resource at the token endpoint when the authorization named none, with invalid_target', async () => {
    const { location, verifier } = await authorize([], 'openid');
    const code = location.searchParams.get('code') ?? '';
    const res = await postToken(server, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: WEB_REDIRECT, resource: JWT_API }, { authorization: WEB_APP_BASIC });
    await expectJsonError(res, 400, 'invalid_target');
  });

  it('names the API(s) on the consent page', async () => {
    const { consentHtml } = await authorize([JWT_API, OPAQUE_API], 'notes.read calendar.read', 'bob');
    expect(consentHtml).toContain('name="decision"');
    expect(consentHtml).toContain('Notes API');
    expect(consentHtml).toContain('Calendar API');
  });

  it('a token for a resource is refused at UserInfo, which is not its audience (RFC 9700 §2.3)', async () => {
    const tokens = await codeTokens([OPAQUE_API], 'openid calendar.read', OPAQUE_API);
    const res = await bearer(server, tokens.access_token);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate') ?? '').toContain('invalid_token');
  });

  it('without resource, tokens are as before: no audience, every granted scope', async () => {
    const tokens = await codeTokens([], 'openid notes.read');
    expect(tokens.scope).toBe('openid notes.read');
    const answer = await introspect(tokens.access_token, WEB_APP_BASIC);
    expect(answer['active']).toBe(true);
    expect(answer['aud']).toBeUndefined();
  });
});

describe('invalid_target at the authorization endpoint (RFC 8707 §2)', () => {
  async function refused(resources: readonly string[]): Promise<URL> {
    const { challenge } = pkcePair();
    const out = await authorizeAsUser(server, authorizeWith(resources, 'notes.read', challenge), { username: 'alice', password: TEST_PASSWORD, decision: 'allow' });
    if (!out.location) throw new Error(`expected a redirect to the client, got status ${out.status}`);
    return out.location;
  }

  it('redirects invalid_target to the client for an unregistered resource', async () => {
    const location = await refused(['https://unknown.example/']);
    expect(location.origin + location.pathname).toBe(WEB_REDIRECT);
    expect(location.searchParams.get('error')).toBe('invalid_target');
    expect(location.searchParams.get('state')).toBe('st');
  });

  it('redirects invalid_target for a resource with a fragment', async () => {
    expect((await refused([`${JWT_API}#frag`])).searchParams.get('error')).toBe('invalid_target');
  });

  it('redirects invalid_target for a relative resource, and for one unknown among known ones', async () => {
    expect((await refused(['/api'])).searchParams.get('error')).toBe('invalid_target');
    expect((await refused([JWT_API, 'https://unknown.example/'])).searchParams.get('error')).toBe('invalid_target');
  });
});
