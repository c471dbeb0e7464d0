import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/core/crypto.ts';
import { startServer, testConfig, TEST_PASSWORD, TEST_SECRET, type TestServer } from '../support/server.ts';
import { authorizeAsUser, authorizeUrl, parseForms, UserAgent, type Outcome, type UserChoices } from '../support/user-agent.ts';

/**
 * The authorization code grant end to end over real HTTP, with oauth4webapi as the client: PKCE, `iss` (RFC 9207),
 * refresh rotation, revocation, introspection, client credentials.
 */

const OTHER_SECRET = 'other-secret-0123456789abcdef';
const WEB_REDIRECT = 'https://client.example/callback';
const SPA_REDIRECT = 'https://spa.example/cb';
const alice: UserChoices = { username: 'alice', password: TEST_PASSWORD, decision: 'allow' };
const CONSENT_USERS = ['bob', 'carol', 'dave', 'erin', 'frank', 'grace'];
const signIn = (username: string): UserChoices => ({ username, password: TEST_PASSWORD, decision: 'allow' });
const insecure = { [oauth.allowInsecureRequests]: true } as const;

const webApp: oauth.Client = { client_id: 'web-app' };
const webAuth = oauth.ClientSecretBasic(TEST_SECRET);
const spa: oauth.Client = { client_id: 'spa' };
const otherApp: oauth.Client = { client_id: 'other-app' };
const otherAuth = oauth.ClientSecretBasic(OTHER_SECRET);

let server: TestServer;
let as: oauth.AuthorizationServer;

beforeAll(async () => {
  const base = testConfig();
  server = await startServer({
    clients: [
      ...(base.clients ?? []),
      { id: 'other-app', name: 'Other App', secret: OTHER_SECRET, redirectUris: ['https://other.example/cb'], grantTypes: ['authorization_code', 'client_credentials'] },
      { id: 'api', name: 'Resource API', secret: OTHER_SECRET, grantTypes: ['client_credentials'], introspectAny: true },
      // A native app: the only kind of client whose loopback redirect URI may change port (RFC 8252 §7.3).
      { id: 'native-app', name: 'Native App', type: 'public', redirectUris: ['http://127.0.0.1/cb'] },
    ],
    scopes: [
      { name: 'openid', description: 'Know who you are' },
      { name: 'profile', description: 'See your name and username', claims: ['name', 'preferred_username'] },
      { name: 'email', description: 'See your email address', claims: ['email'] },
      { name: 'api.read', description: 'Read the API' },
    ],
    // Consent is remembered per user and client, so each consent test signs in as its own user.
    users: [...(base.users ?? []), ...CONSENT_USERS.map((username) => ({ username, password: TEST_PASSWORD }))],
  });
  const issuer = new URL(server.url);
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
});

afterAll(async () => {
  await server?.close();
});

interface Started {
  verifier: string;
  state: string;
  url: URL;
}

async function request(params: { client?: string; redirectUri?: string | undefined; scope?: string; extra?: Record<string, string> } = {}): Promise<Started> {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = authorizeUrl(server, {
    response_type: 'code',
    client_id: params.client ?? 'web-app',
    redirect_uri: 'redirectUri' in params ? params.redirectUri : WEB_REDIRECT,
    scope: params.scope ?? 'openid profile',
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...params.extra,
  });
  return { verifier, state, url };
}

/** The redirect back to the client; fails the test when the flow stopped at a page. */
function redirected(out: Outcome): URL {
  if (!out.location) throw new Error(`expected a redirect to the client, got status ${out.status} page ${out.page ?? '-'}`);
  return out.location;
}

async function redeem(started: Started, location: URL, redirectUri = WEB_REDIRECT): Promise<oauth.TokenEndpointResponse> {
  const params = oauth.validateAuthResponse(as, webApp, location, started.state);
  const res = await oauth.authorizationCodeGrantRequest(as, webApp, webAuth, params, redirectUri, started.verifier, insecure);
  return oauth.processAuthorizationCodeResponse(as, webApp, res);
}

/** Logs alice in once and returns tokens for web-app with the given scope. */
async function tokensFor(scope = 'openid profile', agent?: UserAgent, user = alice): Promise<oauth.TokenEndpointResponse> {
  const started = await request({ scope });
  const out = await authorizeAsUser(agent ?? server, started.url, user);
  return redeem(started, redirected(out));
}

const userinfo = (token: string) => fetch(new URL('/userinfo', server.url), { headers: { authorization: `Bearer ${token}` } });

async function introspect(token: string, client = webApp, auth = webAuth): Promise<oauth.IntrospectionResponse> {
  const res = await oauth.introspectionRequest(as, client, auth, token, insecure);
  return oauth.processIntrospectionResponse(as, client, res);
}

async function expectOAuthError(promise: Promise<unknown>, error: string): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(oauth.ResponseBodyError);
  expect((err as oauth.ResponseBodyError).error).toBe(error);
}

describe('discovery (RFC 8414)', () => {
  it('publishes metadata whose issuer matches the URL it is fetched from, with iss support (RFC 9207 §3)', () => {
    expect(as.issuer).toBe(server.url);
    expect(as.authorization_response_iss_parameter_supported).toBe(true);
    expect(as.code_challenge_methods_supported).toEqual(['S256']);
    expect(as.token_endpoint).toBe(`${server.url}/oauth2/token`);
  });
});

describe('authorization code with PKCE (RFC 6749 §4.1, RFC 7636)', () => {
  it('issues tokens to a confidential client using client_secret_basic, with iss and state echoed (RFC 9207 §2)', async () => {
    const started = await request();
    const out = await authorizeAsUser(server, started.url, alice);
    const location = redirected(out);
    expect(out.status).toBe(303);
    expect(location.origin + location.pathname).toBe(WEB_REDIRECT);
    expect(location.searchParams.get('state')).toBe(started.state);
    expect(location.searchParams.get('iss')).toBe(server.url);
    expect(out.agent.seen).toEqual(['login', 'consent']);

    const tokens = await redeem(started, location);
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.access_token).toMatch(/\S{40,}/);
    expect(tokens.refresh_token).toBeTypeOf('string');
    expect(tokens.expires_in).toBe(3600);
    expect(tokens.scope).toBe('openid profile');
  });

  it('issues tokens to a public client authenticating with none', async () => {
    const started = await request({ client: 'spa', redirectUri: SPA_REDIRECT });
    const location = redirected(await authorizeAsUser(server, started.url, alice));
    expect(location.origin + location.pathname).toBe(SPA_REDIRECT);
    const params = oauth.validateAuthResponse(as, spa, location, started.state);
    const res = await oauth.authorizationCodeGrantRequest(as, spa, oauth.None(), params, SPA_REDIRECT, started.verifier, insecure);
    const tokens = await oauth.processAuthorizationCodeResponse(as, spa, res);
    expect(tokens.access_token).toBeTypeOf('string');
    expect(tokens.refresh_token).toBeTypeOf('string');
  });

  it('uses the single registered redirect URI when redirect_uri is omitted (RFC 6749 §3.1.2.3)', async () => {
    const started = await request({ client: 'spa', redirectUri: undefined });
    expect(started.url.searchParams.has('redirect_uri')).toBe(false);
    const location = redirected(await authorizeAsUser(server, started.url, alice));
    expect(location.origin + location.pathname).toBe(SPA_REDIRECT);
    const params = oauth.validateAuthResponse(as, spa, location, started.state);
    // §4.1.3: redirect_uri is required at the token endpoint only if it was in the authorization request.
    const res = await fetch(as.token_endpoint!, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: 'spa', code: params.get('code')!, code_verifier: started.verifier }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { token_type: string }).token_type).toBe('Bearer');
  });

  it('accepts a loopback redirect URI on another port for a native app (RFC 8252 §7.3)', async () => {
    const port = (Number(new URL(server.url).port) % 60000) + 1024;
    const loopback = `http://127.0.0.1:${port}/cb`;
    const started = await request({ client: 'native-app', redirectUri: loopback });
    const location = redirected(await authorizeAsUser(server, started.url, alice));
    expect(location.origin + location.pathname).toBe(loopback);
    const native: oauth.Client = { client_id: 'native-app' };
    const params = oauth.validateAuthResponse(as, native, location, started.state);
    const res = await oauth.authorizationCodeGrantRequest(as, native, oauth.None(), params, loopback, started.verifier, insecure);
    expect((await oauth.processAuthorizationCodeResponse(as, native, res)).access_token).toBeTypeOf('string');
  });

  it('returns an auto-submitting form to the redirect URI with response_mode=form_post', async () => {
    const started = await request({ extra: { response_mode: 'form_post' } });
    const out = await authorizeAsUser(server, started.url, alice);
    expect(out.location).toBeUndefined();
    expect(out.status).toBe(200);
    expect(out.page).toBe('form_post');
    expect(out.headers.get('cache-control')).toContain('no-store');
    const [form] = parseForms(out.html ?? '');
    expect(form?.method).toBe('post');
    expect(form?.action).toBe(WEB_REDIRECT);
    const fields = new URLSearchParams(form?.fields);
    expect([...fields.keys()].sort()).toEqual(['code', 'iss', 'state']);
    expect(fields.get('state')).toBe(started.state);
    expect(fields.get('iss')).toBe(server.url);
    const params = oauth.validateAuthResponse(as, webApp, fields, started.state);
    const res = await oauth.authorizationCodeGrantRequest(as, webApp, webAuth, params, WEB_REDIRECT, started.verifier, insecure);
    expect((await oauth.processAuthorizationCodeResponse(as, webApp, res)).access_token).toBeTypeOf('string');
  });
});

describe('userinfo: a protected resource (RFC 6750)', () => {
  it('returns only the claims the granted scopes release', async () => {
    const profileOnly = await tokensFor('openid profile');
    const claims = (await (await userinfo(profileOnly.access_token)).json()) as Record<string, unknown>;
    expect(claims).toMatchObject({ name: 'Alice Liddell', preferred_username: 'alice' });
    expect(claims['sub']).toBeTypeOf('string');
    expect(claims).not.toHaveProperty('email');

    const emailOnly = await tokensFor('email');
    const res = await oauth.userInfoRequest(as, webApp, emailOnly.access_token, insecure);
    const info = await oauth.processUserInfoResponse(as, webApp, oauth.skipSubjectCheck, res);
    expect(info.email).toBe('alice@example.com');
    expect(info).not.toHaveProperty('name');
    expect(info.sub).toBe(claims['sub']);
  });
});

describe('refresh, revocation and introspection (RFC 6749 §6, RFC 7009, RFC 7662)', () => {
  it('rotates the refresh token on use and refuses the old one with invalid_grant', async () => {
    const first = await tokensFor();
    const res = await oauth.refreshTokenGrantRequest(as, webApp, webAuth, first.refresh_token!, insecure);
    const second = await oauth.processRefreshTokenResponse(as, webApp, res);
    expect(second.refresh_token).toBeTypeOf('string');
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);
    expect((await userinfo(second.access_token)).status).toBe(200);

    const replay = await oauth.refreshTokenGrantRequest(as, webApp, webAuth, first.refresh_token!, insecure);
    await expectOAuthError(oauth.processRefreshTokenResponse(as, webApp, replay), 'invalid_grant');
  });

  it('narrows the scope on refresh when asked, keeping the refresh token’s scope (RFC 6749 §6)', async () => {
    const first = await tokensFor('openid profile email');
    const res = await oauth.refreshTokenGrantRequest(as, webApp, webAuth, first.refresh_token!, { ...insecure, additionalParameters: { scope: 'profile' } });
    const narrowed = await oauth.processRefreshTokenResponse(as, webApp, res);
    expect(narrowed.scope).toBe('profile');
    const again = await oauth.refreshTokenGrantRequest(as, webApp, webAuth, narrowed.refresh_token!, insecure);
    expect((await oauth.processRefreshTokenResponse(as, webApp, again)).scope).toBe('openid profile email');
  });

  it('revoking the refresh token revokes the grant: its access token stops working (RFC 7009 §2.1)', async () => {
    const tokens = await tokensFor();
    expect((await introspect(tokens.access_token)).active).toBe(true);
    const res = await oauth.revocationRequest(as, webApp, webAuth, tokens.refresh_token!, { ...insecure, additionalParameters: { token_type_hint: 'refresh_token' } });
    await oauth.processRevocationResponse(res);

    const after = await userinfo(tokens.access_token);
    expect(after.status).toBe(401);
    expect(after.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect((await introspect(tokens.access_token)).active).toBe(false);
    expect((await introspect(tokens.refresh_token!)).active).toBe(false);
    const refresh = await oauth.refreshTokenGrantRequest(as, webApp, webAuth, tokens.refresh_token!, insecure);
    await expectOAuthError(oauth.processRefreshTokenResponse(as, webApp, refresh), 'invalid_grant');
  });

  it('introspection describes an active token to the client it was issued to', async () => {
    const tokens = await tokensFor('openid profile');
    const info = await introspect(tokens.access_token);
    expect(info).toMatchObject({ active: true, client_id: 'web-app', scope: 'openid profile', username: 'alice', token_type: 'Bearer' });
    expect(info.exp).toBeGreaterThan(info.iat!);
  });

  it('introspection by another client says active:false and nothing more (RFC 7662 §2.2)', async () => {
    const tokens = await tokensFor();
    const info = await introspect(tokens.access_token, otherApp, otherAuth);
    expect(info).toEqual({ active: false });
    // And the token is untouched for its own client.
    expect((await introspect(tokens.access_token)).active).toBe(true);
  });

  it('a client registered as a resource server (introspectAny) may introspect any client’s token (RFC 7662 §4)', async () => {
    const tokens = await tokensFor();
    const info = await introspect(tokens.access_token, { client_id: 'api' }, otherAuth);
    expect(info).toMatchObject({ active: true, client_id: 'web-app', username: 'alice' });
    // It still learns nothing about a token that is not active.
    expect(await introspect('lk_at_not-a-real-token', { client_id: 'api' }, otherAuth)).toEqual({ active: false });
  });

  it('revoking another client’s token is a silent no-op (RFC 7009 §2.2)', async () => {
    const tokens = await tokensFor();
    const res = await oauth.revocationRequest(as, otherApp, otherAuth, tokens.access_token, insecure);
    await oauth.processRevocationResponse(res);
    expect((await userinfo(tokens.access_token)).status).toBe(200);
  });
});

describe('tokens issued by an earlier version (keyed by their plain SHA-256)', () => {
  it('still introspect, call /userinfo, refresh and revoke', async () => {
    const { repos } = server.latchkey.storage;
    const user = await repos.users.findByUsername('alice');
    const now = Math.floor(Date.now() / 1000);
    const grant = `0${now.toString(36)}earlier-grant`;
    const access = `lk_at_${'a'.repeat(43)}`;
    const refresh = `lk_rt_${'r'.repeat(43)}`;
    await repos.grants.create({ id: grant, clientId: 'web-app', userId: user!.id, scope: ['openid', 'profile'], createdAt: now });
    const row = { grantId: grant, clientId: 'web-app', userId: user!.id, scope: ['openid', 'profile'], issuedAt: now };
    await repos.tokens.createMany([
      { ...row, hash: sha256(access), type: 'access_token', expiresAt: now + 600 },
      { ...row, hash: sha256(refresh), type: 'refresh_token', expiresAt: null },
    ]);

    expect(await introspect(access)).toMatchObject({ active: true, client_id: 'web-app', username: 'alice' });
    expect((await userinfo(access)).status).toBe(200);
    const res = await oauth.refreshTokenGrantRequest(as, webApp, webAuth, refresh, insecure);
    const next = await oauth.processRefreshTokenResponse(as, webApp, res);
    expect(next.refresh_token).not.toBe(refresh);
    expect((await introspect(next.access_token)).active).toBe(true);
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, webApp, webAuth, access, insecure));
    expect(await introspect(access)).toEqual({ active: false });
  });
});

describe('client credentials (RFC 6749 §4.4)', () => {
  it('issues an access token without a refresh token to a confidential client', async () => {
    const res = await oauth.clientCredentialsGrantRequest(as, webApp, webAuth, { scope: 'api.read' }, insecure);
    const tokens = await oauth.processClientCredentialsResponse(as, webApp, res);
    expect(tokens.scope).toBe('api.read');
    expect(tokens.refresh_token).toBeUndefined();
    const info = await introspect(tokens.access_token);
    expect(info.active).toBe(true);
    expect(info.sub).toBeUndefined();
  });

  it('works with client_secret_post too', async () => {
    const res = await oauth.clientCredentialsGrantRequest(as, webApp, oauth.ClientSecretPost(TEST_SECRET), { scope: 'api.read' }, insecure);
    expect((await oauth.processClientCredentialsResponse(as, webApp, res)).token_type).toBe('bearer');
  });
});

describe('prompt and remembered consent (OpenID Connect Core §3.1.2.1, RFC 6749 §4.1.1)', () => {
  it('prompt=none without a session redirects with login_required, state and iss', async () => {
    const started = await request({ extra: { prompt: 'none' } });
    const out = await authorizeAsUser(server, started.url, alice);
    const location = redirected(out);
    expect(out.agent.seen).toEqual([]);
    expect(location.searchParams.get('error')).toBe('login_required');
    expect(location.searchParams.get('state')).toBe(started.state);
    expect(location.searchParams.get('iss')).toBe(server.url);
  });

  it('prompt=none with a session and a consent returns a code without any page', async () => {
    const agent = new UserAgent(server.url);
    await tokensFor('openid profile', agent, signIn('bob'));
    const started = await request({ extra: { prompt: 'none' } });
    const before = agent.seen.length;
    const location = redirected(await authorizeAsUser(agent, started.url));
    expect(agent.seen.length).toBe(before);
    expect((await redeem(started, location)).access_token).toBeTypeOf('string');
  });

  it('prompt=none with a session but no consent for the new scope redirects with consent_required', async () => {
    const agent = new UserAgent(server.url);
    await tokensFor('openid', agent, signIn('carol'));
    const started = await request({ scope: 'openid email', extra: { prompt: 'none' } });
    const location = redirected(await authorizeAsUser(agent, started.url));
    expect(location.searchParams.get('error')).toBe('consent_required');
    expect(location.searchParams.get('state')).toBe(started.state);
  });

  it('remembers consent: a second request for the same scopes shows no page', async () => {
    const agent = new UserAgent(server.url);
    await tokensFor('openid profile', agent, signIn('dave'));
    expect(agent.seen).toEqual(['login', 'consent']);
    const started = await request({ scope: 'profile' });
    const location = redirected(await authorizeAsUser(agent, started.url, signIn('dave')));
    expect(agent.seen).toEqual(['login', 'consent']);
    expect((await redeem(started, location)).scope).toBe('profile');
  });

  it('asks for consent again when a new scope is requested, and with prompt=consent', async () => {
    const agent = new UserAgent(server.url);
    await tokensFor('openid', agent, signIn('erin'));
    const wider = await authorizeAsUser(agent, (await request({ scope: 'openid email' })).url);
    expect(wider.page).toBe('consent');
    expect(wider.html).toContain('See your email address');

    const forced = await authorizeAsUser(agent, (await request({ scope: 'openid', extra: { prompt: 'consent' } })).url);
    expect(forced.page).toBe('consent');
  });

  it('prompt=login asks for the password again despite a session', async () => {
    const agent = new UserAgent(server.url);
    await tokensFor('openid', agent, signIn('frank'));
    const out = await authorizeAsUser(agent, (await request({ scope: 'openid', extra: { prompt: 'login' } })).url);
    expect(out.page).toBe('login');
  });

  it('Deny redirects with access_denied, state and iss (RFC 6749 §4.1.2.1)', async () => {
    const started = await request();
    const out = await authorizeAsUser(server, started.url, { ...signIn('grace'), decision: 'deny' });
    const location = redirected(out);
    expect(location.searchParams.get('code')).toBeNull();
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe(started.state);
    expect(location.searchParams.get('iss')).toBe(server.url);
    let err: unknown;
    try {
      oauth.validateAuthResponse(as, webApp, location, started.state);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(oauth.AuthorizationResponseError);
    expect((err as oauth.AuthorizationResponseError).error).toBe('access_denied');
  });
});
