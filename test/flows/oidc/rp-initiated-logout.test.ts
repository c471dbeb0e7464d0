import { generateKeyPair, SignJWT, decodeJwt } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialKey } from '../../../src/core/crypto.ts';
import { startServer, TEST_PASSWORD, TEST_SECRET, testConfig, type TestServer } from '../../support/server.ts';
import { authorizeAsUser, UserAgent, type Outcome } from '../../support/user-agent.ts';

/**
 * RP-Initiated Logout 1.0 over real HTTP: openid-client 6 builds the logout URL (buildEndSessionUrl), the test browser
 * follows it. Every negative checks that nothing was redirected and that the session still lives.
 */

const REDIRECT = 'http://127.0.0.1/cb';
const LOGGED_OUT = 'https://client.example/logged-out';
let server: TestServer;
let config: client.Configuration;

beforeAll(async () => {
  const base = testConfig();
  server = await startServer({
    clients: (base.clients ?? []).map((c) => (c.id === 'web-app' ? { ...c, postLogoutRedirectUris: [LOGGED_OUT] } : c)),
    users: [...(base.users ?? []), { username: 'bob', password: TEST_PASSWORD, name: 'Bob' }],
  });
  config = await client.discovery(new URL(server.url), 'web-app', TEST_SECRET, undefined, { execute: [client.allowInsecureRequests] });
});

afterAll(async () => {
  await server?.close();
});

/** Signs `username` in on a browser (a new one unless given); returns the browser and the ID token. */
async function signIn(username = 'alice', agent = new UserAgent(server.url)): Promise<{ agent: UserAgent; idToken: string }> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT, scope: 'openid', state,
    code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  const out = await authorizeAsUser(agent, url, { username, password: TEST_PASSWORD, decision: 'allow' });
  if (!out.location) throw new Error(`expected a redirect to the client, got ${out.status}`);
  const tokens = await client.authorizationCodeGrant(config, out.location, { pkceCodeVerifier: verifier, expectedState: state });
  return { agent, idToken: tokens.id_token ?? '' };
}

const sessionAlive = async (agent: UserAgent): Promise<boolean> =>
  (await server.latchkey.deps.repos.sessions.findActive(credentialKey(agent.cookies.get('lk_session') ?? 'none'), server.latchkey.deps.clock.now())) !== undefined;

/** Whether a new authorization request in this browser asks for a login (the SSO session is gone). */
async function asksForLogin(agent: UserAgent): Promise<boolean> {
  const url = client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid', state: client.randomState(), code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
  return (await agent.start(url)).page === 'login';
}

function expectErrorPage(out: Outcome, error: string): void {
  expect(out.location).toBeUndefined();
  expect(out.status).toBe(400);
  expect(out.html).toContain(error);
}

describe('RP-Initiated Logout 1.0', () => {
  it('publishes end_session_endpoint in both metadata documents (§2.1)', async () => {
    const oidc = (await (await fetch(`${server.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    const oauth = (await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(oidc['end_session_endpoint']).toBe(`${server.url}/logout`);
    expect(oauth['end_session_endpoint']).toBe(oidc['end_session_endpoint']);
  });

  it('ends the session at once for a valid id_token_hint and lands on post_logout_redirect_uri with state (§2, §3)', async () => {
    const { agent, idToken } = await signIn();
    const url = client.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: LOGGED_OUT, state: 'xyz-1', ui_locales: 'en' });
    const out = await agent.start(url);
    expect(out.location?.origin + (out.location?.pathname ?? '')).toBe(LOGGED_OUT);
    expect(out.location?.searchParams.get('state')).toBe('xyz-1');
    expect(await sessionAlive(agent)).toBe(false);
    expect(agent.cookies.has('lk_session')).toBe(false);
    expect(await asksForLogin(agent)).toBe(true);
  });

  it('accepts the hint by POST too (§2: GET and POST) and ends the session', async () => {
    const { agent, idToken } = await signIn();
    const body = new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: LOGGED_OUT, state: 's-post' });
    const out = await agent.follow(await agent.request('/logout', { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } }));
    expect(out.location?.searchParams.get('state')).toBe('s-post');
    expect(await sessionAlive(agent)).toBe(false);
  });

  it('accepts an expired ID token as the hint (§2: the hint need not be unexpired)', async () => {
    const { agent, idToken } = await signIn();
    // The same ID token, expired an hour ago, signed by the server's own keyring.
    const claims = decodeJwt(idToken);
    const expired = await server.latchkey.deps.keys.keyring.sign({ ...claims, iat: (claims.iat ?? 0) - 7200, exp: (claims.iat ?? 0) - 3600 }, { alg: 'RS256', typ: 'JWT' });
    const out = await agent.start(client.buildEndSessionUrl(config, { id_token_hint: expired, post_logout_redirect_uri: LOGGED_OUT }));
    expect(out.location?.origin + (out.location?.pathname ?? '')).toBe(LOGGED_OUT);
    expect(await sessionAlive(agent)).toBe(false);
  });

  it('shows "You are signed out" without post_logout_redirect_uri', async () => {
    const { agent, idToken } = await signIn();
    const out = await agent.start(client.buildEndSessionUrl(config, { id_token_hint: idToken }));
    expect(out.status).toBe(200);
    expect(out.location).toBeUndefined();
    expect(out.html).toContain('You are signed out');
    expect(await sessionAlive(agent)).toBe(false);
  });

  it('refuses an unregistered post_logout_redirect_uri with an error page, never a redirect (§3)', async () => {
    const { agent, idToken } = await signIn();
    const out = await agent.start(client.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: 'https://evil.example/x', state: 's' }));
    expectErrorPage(out, 'invalid_request');
    expect(out.html).not.toContain('evil.example/x?state');
    expect(await sessionAlive(agent)).toBe(true);
  });

  it('refuses post_logout_redirect_uri when no client is identified (§3: it must be registered by the client)', async () => {
    const agent = new UserAgent(server.url);
    const out = await agent.start(`/logout?post_logout_redirect_uri=${encodeURIComponent(LOGGED_OUT)}`);
    expectErrorPage(out, 'invalid_request');
  });

  it('refuses a hint signed by another key (tampered) with an error page (§2: the OP validates the hint)', async () => {
    const { agent, idToken } = await signIn();
    const { privateKey } = await generateKeyPair('RS256');
    const header = JSON.parse(Buffer.from(idToken.split('.')[0] ?? '', 'base64url').toString()) as { kid: string };
    const forged = await new SignJWT(decodeJwt(idToken)).setProtectedHeader({ alg: 'RS256', kid: header.kid, typ: 'JWT' }).sign(privateKey);
    const out = await agent.start(client.buildEndSessionUrl(config, { id_token_hint: forged, post_logout_redirect_uri: LOGGED_OUT }));
    expectErrorPage(out, 'invalid_request');
    expect(await sessionAlive(agent)).toBe(true);
  });

  it('refuses a client_id that is not the hint\'s audience (§2)', async () => {
    const { agent, idToken } = await signIn();
    const url = new URL('/logout', server.url);
    url.search = new URLSearchParams({ id_token_hint: idToken, client_id: 'spa', post_logout_redirect_uri: LOGGED_OUT }).toString();
    const out = await agent.start(url);
    expectErrorPage(out, 'invalid_request');
    expect(await sessionAlive(agent)).toBe(true);
  });

  it('refuses an unknown client_id with an error page', async () => {
    const agent = new UserAgent(server.url);
    const out = await agent.start(`/logout?client_id=nobody&post_logout_redirect_uri=${encodeURIComponent(LOGGED_OUT)}`);
    expectErrorPage(out, 'invalid_request');
  });

  it('asks for confirmation without a hint, ends nothing before it, and refuses the POST without CSRF with 403 (§2)', async () => {
    const { agent } = await signIn();
    const url = client.buildEndSessionUrl(config, { post_logout_redirect_uri: LOGGED_OUT, state: 'st-c' });
    const page = await agent.start(url);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Sign out of Latchkey?');
    expect(await sessionAlive(agent)).toBe(true);
    const forgedCsrf = await agent.submit(page, { csrf: 'forged' });
    expect(forgedCsrf.status).toBe(403);
    expect(forgedCsrf.location).toBeUndefined();
    const withoutCsrf = await agent.submit(page, { csrf: '' });
    expect(withoutCsrf.status).toBe(403);
    expect(withoutCsrf.html).toContain('invalid_request');
    expect(await sessionAlive(agent)).toBe(true);
    const confirmed = await agent.submit(page, {});
    expect(confirmed.location?.origin + (confirmed.location?.pathname ?? '')).toBe(LOGGED_OUT);
    expect(confirmed.location?.searchParams.get('state')).toBe('st-c');
    expect(await sessionAlive(agent)).toBe(false);
  });

  it('asks for confirmation for a hint of another user, ending nothing before it (§2)', async () => {
    const bobs = await signIn('bob');
    const { agent } = await signIn('alice');
    const page = await agent.start(client.buildEndSessionUrl(config, { id_token_hint: bobs.idToken, post_logout_redirect_uri: LOGGED_OUT }));
    expect(page.status).toBe(200);
    expect(page.location).toBeUndefined();
    expect(page.html).toContain('Sign out of Latchkey?');
    expect(page.html).not.toContain(bobs.idToken);
    expect(await sessionAlive(agent)).toBe(true);
    expect(await sessionAlive(bobs.agent)).toBe(true);
    const confirmed = await agent.submit(page, {});
    expect(confirmed.location?.origin + (confirmed.location?.pathname ?? '')).toBe(LOGGED_OUT);
    expect(await sessionAlive(agent)).toBe(false);
    expect(await sessionAlive(bobs.agent)).toBe(true);
  });
});
