import { createHash } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, testConfig, TEST_PASSWORD, TEST_SECRET, type TestServer } from '../../support/server.ts';
import { authorizeAsUser, authorizeUrl, type Outcome, type UserAgent, type UserChoices } from '../../support/user-agent.ts';

/**
 * oauth4webapi's OpenID Connect functions against Latchkey, through the real pages: ID token validation
 * (processAuthorizationCodeResponse with a nonce, and expectNoNonce as the negative), the signature checked against
 * jwks_uri (validateApplicationLevelSignature), at_hash per algorithm; then the Basic OP negative list of the
 * authorization request (Core §3.1.2.1, §3.1.2.6).
 */

const REDIRECT = 'https://client.example/callback';
const insecure = { [oauth.allowInsecureRequests]: true } as const;
const alice: UserChoices = { username: 'alice', password: TEST_PASSWORD, decision: 'allow' };
const bob: UserChoices = { username: 'bob', password: TEST_PASSWORD, decision: 'allow' };
const webApp: oauth.Client = { client_id: 'web-app' };
const auth = oauth.ClientSecretBasic(TEST_SECRET);

let server: TestServer;
let as: oauth.AuthorizationServer;

beforeAll(async () => {
  const base = testConfig();
  server = await startServer({ users: [...(base.users ?? []), { username: 'bob', password: TEST_PASSWORD }] });
  const issuer = new URL(server.url);
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }));
});

afterAll(async () => {
  await server?.close();
});

interface Started {
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

async function start(extra: Record<string, string> = {}, s: { url: string } = server): Promise<Started> {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const url = authorizeUrl(s, {
    response_type: 'code',
    client_id: 'web-app',
    redirect_uri: REDIRECT,
    scope: 'openid profile',
    state,
    nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...extra,
  });
  return { url, verifier, state, nonce };
}

function location(out: Outcome): URL {
  if (!out.location) throw new Error(`expected a redirect to the client, got ${out.status} ${out.page ?? ''}`);
  return out.location;
}

async function exchange(st: Started, loc: URL, a: oauth.AuthorizationServer = as): Promise<Response> {
  const params = oauth.validateAuthResponse(a, webApp, loc, st.state);
  return oauth.authorizationCodeGrantRequest(a, webApp, auth, params, REDIRECT, st.verifier, insecure);
}

/** Signs in (alice unless told) and returns the browser and the redirect back to the client. */
async function signIn(st: Started, who: UserChoices | UserAgent = alice): Promise<{ agent: UserAgent; loc: URL }> {
  const out = 'origin' in who ? await authorizeAsUser(who, st.url, alice) : await authorizeAsUser(server, st.url, who);
  return { agent: out.agent, loc: location(out) };
}

const errorOf = (loc: URL) => ({ error: loc.searchParams.get('error'), iss: loc.searchParams.get('iss') });

describe('oauth4webapi ID token validation (OpenID Connect Core §3.1.3.7)', () => {
  it('validates the ID token with the nonce sent, and its signature against jwks_uri', async () => {
    const st = await start();
    const { loc } = await signIn(st);
    const res = await exchange(st, loc);
    const tokens = await oauth.processAuthorizationCodeResponse(as, webApp, res, { expectedNonce: st.nonce, requireIdToken: true });
    await oauth.validateApplicationLevelSignature(as, res, insecure);
    const claims = oauth.getValidatedIdTokenClaims(tokens);
    expect(claims?.nonce).toBe(st.nonce);
    expect(claims?.aud).toBe('web-app');
  });

  it('is refused by expectNoNonce when a nonce was sent: the nonce is in the ID token (Core §3.1.3.6)', async () => {
    const st = await start();
    const { loc } = await signIn(st);
    const res = await exchange(st, loc);
    await expect(oauth.processAuthorizationCodeResponse(as, webApp, res, { expectedNonce: oauth.expectNoNonce })).rejects.toMatchObject({
      code: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
      cause: { claim: 'nonce' },
    });
  });

  it('has no nonce when none was sent, which expectNoNonce accepts', async () => {
    const st = await start({ nonce: '' });
    const url = new URL(st.url);
    url.searchParams.delete('nonce');
    const { loc } = await signIn({ ...st, url });
    const tokens = await oauth.processAuthorizationCodeResponse(as, webApp, await exchange(st, loc), { expectedNonce: oauth.expectNoNonce });
    expect(oauth.getValidatedIdTokenClaims(tokens)).not.toHaveProperty('nonce');
  });

  for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
    it(`signs with ${alg} when oidc.defaultIdTokenAlg says so, with at_hash from ${alg === 'EdDSA' ? 'SHA-512' : 'SHA-256'} (Core §3.1.3.6)`, async () => {
      const other = await startServer({ oidc: { defaultIdTokenAlg: alg } });
      try {
        const issuer = new URL(other.url);
        const meta = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }));
        const st = await start({}, other);
        const out = await authorizeAsUser(other, st.url, alice);
        const res = await exchange(st, location(out), meta);
        const tokens = await oauth.processAuthorizationCodeResponse(meta, webApp, res, { expectedNonce: st.nonce });
        await oauth.validateApplicationLevelSignature(meta, res, insecure);
        const header = JSON.parse(Buffer.from(tokens.id_token?.split('.')[0] ?? '', 'base64url').toString()) as { alg: string; typ: string };
        expect(header).toMatchObject({ alg, typ: 'JWT' });
        const digest = createHash(alg === 'EdDSA' ? 'sha512' : 'sha256').update(tokens.access_token).digest();
        expect(oauth.getValidatedIdTokenClaims(tokens)?.['at_hash']).toBe(digest.subarray(0, digest.length / 2).toString('base64url'));
      } finally {
        await other.close();
      }
    });
  }
});

describe('authorization request parameters (Core §3.1.2.1), Basic OP negatives', () => {
  it('answers prompt=none without a session with login_required (Core §3.1.2.6)', async () => {
    const out = await authorizeAsUser(server, (await start({ prompt: 'none' })).url);
    expect(errorOf(location(out))).toEqual({ error: 'login_required', iss: server.url });
  });

  it('forces a new sign-in with max_age=0, and the ID token carries the new auth_time', async () => {
    const first = await signIn(await start());
    const st = await start({ max_age: '0' });
    const out = await first.agent.start(st.url);
    expect(out.page).toBe('login');
    const done = await authorizeAsUser(first.agent, st.url, alice);
    const tokens = await oauth.processAuthorizationCodeResponse(as, webApp, await exchange(st, location(done)), { expectedNonce: st.nonce, maxAge: 0 });
    expect(typeof oauth.getValidatedIdTokenClaims(tokens)?.auth_time).toBe('number');
  });

  it('answers an id_token_hint for another user with login_required under prompt=none', async () => {
    // Bob signs in and gets an ID token (so the hint is a real one of ours, for this client).
    const st = await start();
    const bobs = await signIn(st, bob);
    const tokens = await oauth.processAuthorizationCodeResponse(as, webApp, await exchange(st, bobs.loc), { expectedNonce: st.nonce });
    const alices = await signIn(await start());
    const out = await alices.agent.start((await start({ prompt: 'none', id_token_hint: tokens.id_token ?? '' })).url);
    expect(errorOf(location(out))).toEqual({ error: 'login_required', iss: server.url });
    // The same hint in Bob's own browser passes without a page.
    const own = await bobs.agent.start((await start({ prompt: 'none', id_token_hint: tokens.id_token ?? '' })).url);
    expect(location(own).searchParams.get('code')).toBeTruthy();
  });

  it('refuses an id_token_hint that this server did not sign with invalid_request', async () => {
    const { agent } = await signIn(await start());
    const forged = `${Buffer.from('{"alg":"RS256","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.c2ln`;
    const out = await agent.start((await start({ id_token_hint: forged })).url);
    expect(errorOf(location(out)).error).toBe('invalid_request');
  });

  it('ignores an unknown member of the claims parameter (Core §5.5)', async () => {
    const st = await start({ claims: JSON.stringify({ id_token: { name: null }, unknown_member: { x: 1 } }) });
    const { loc } = await signIn(st);
    const tokens = await oauth.processAuthorizationCodeResponse(as, webApp, await exchange(st, loc), { expectedNonce: st.nonce });
    // name was asked for in the ID token, and profile (which releases it) was granted.
    expect(oauth.getValidatedIdTokenClaims(tokens)?.['name']).toBe('Alice Liddell');
  });

  it('refuses claims that are not a JSON object with invalid_request (Core §5.5)', async () => {
    for (const claims of ['{not json', '[1,2]', '{"id_token": 3}']) {
      const out = await authorizeAsUser(server, (await start({ claims })).url);
      expect(errorOf(location(out)).error).toBe('invalid_request');
    }
  });

  it('refuses a signed request object of a client that registered no keys with invalid_request_object on a page, and an external request_uri with request_uri_not_supported (RFC 9101 §6.2, Core §3.1.2.6)', async () => {
    const withRequest = await authorizeAsUser(server, (await start({ request: 'eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl' })).url);
    expect({ status: withRequest.status, location: withRequest.location }).toEqual({ status: 400, location: undefined });
    expect(withRequest.html).toContain('<code>invalid_request_object</code>');
    const withUri = await authorizeAsUser(server, (await start({ request_uri: 'https://client.example/request.jwt' })).url);
    expect(errorOf(location(withUri)).error).toBe('request_uri_not_supported');
  });

  it('refuses a reused code with invalid_grant (RFC 6749 §4.1.2)', async () => {
    const st = await start();
    const { loc } = await signIn(st);
    await oauth.processAuthorizationCodeResponse(as, webApp, await exchange(st, loc), { expectedNonce: st.nonce });
    await expect(oauth.processAuthorizationCodeResponse(as, webApp, await exchange(st, loc), { expectedNonce: st.nonce })).rejects.toMatchObject({
      error: 'invalid_grant',
      status: 400,
    });
  });

  it('shows an error page, never a redirect, for an unregistered redirect URI (RFC 6749 §4.1.2.1)', async () => {
    const out = await authorizeAsUser(server, (await start({ redirect_uri: 'https://attacker.example/cb' })).url);
    expect(out.location).toBeUndefined();
    expect(out.status).toBe(400);
  });

  it('pre-fills the username from login_hint (Core §3.1.2.1)', async () => {
    const out = await authorizeAsUser(server, (await start({ login_hint: 'alice' })).url);
    expect(out.page).toBe('login');
    expect(out.html).toMatch(/name="username" value="alice"/);
  });

  it('shows the login page offering the signed-in user for prompt=select_account', async () => {
    const { agent } = await signIn(await start());
    const out = await agent.start((await start({ prompt: 'select_account' })).url);
    expect(out.page).toBe('login');
    expect(out.html).toMatch(/name="username" value="alice"/);
  });

  it('accepts display, ui_locales and acr_values, and refuses an unknown display with invalid_request', async () => {
    const ok = await authorizeAsUser(server, (await start({ display: 'popup', ui_locales: 'fr-CA en', acr_values: 'urn:example:loa:1' })).url, alice);
    expect(location(ok).searchParams.get('code')).toBeTruthy();
    const bad = await authorizeAsUser(server, (await start({ display: 'hologram' })).url);
    expect(errorOf(location(bad)).error).toBe('invalid_request');
  });
});
