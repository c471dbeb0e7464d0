import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, TEST_PASSWORD, TEST_SECRET, type TestServer } from '../../support/server.ts';
import { authorizeAsUser, type UserChoices } from '../../support/user-agent.ts';

/**
 * A relying party nobody here wrote: openid-client 6 with its default discovery (/.well-known/openid-configuration),
 * through the real login and consent pages, with the library's own ID token validation, and non-repudiation checks
 * on, so it also verifies every ID token's signature against jwks_uri.
 */

const REDIRECT = 'http://127.0.0.1/cb';
const alice: UserChoices = { username: 'alice', password: TEST_PASSWORD, decision: 'allow' };

let server: TestServer;
let config: client.Configuration;

beforeAll(async () => {
  // Core §11 strictly: refresh tokens for OpenID Connect requests only with offline_access.
  server = await startServer({ oidc: { refreshTokensWithoutOfflineAccess: false } });
  config = await client.discovery(new URL(server.url), 'web-app', TEST_SECRET, undefined, { execute: [client.allowInsecureRequests] });
  client.enableNonRepudiationChecks(config);
});

afterAll(async () => {
  await server?.close();
});

/** One sign-in as alice; returns what the relying party got from the token endpoint, with the checks it made. */
async function signIn(scope: string, checks: { nonce?: string; expectedNonce?: string } = {}) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = checks.nonce ?? client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope,
    state,
    nonce,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const out = await authorizeAsUser(server, url, alice);
  if (!out.location) throw new Error(`expected a redirect to the client, got ${out.status} ${out.page ?? ''}`);
  return client.authorizationCodeGrant(config, out.location, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: checks.expectedNonce ?? nonce });
}

describe('openid-client against Latchkey (OpenID Connect Core §3.1)', () => {
  it('signs in with code + PKCE + nonce: an ID token the library validates, signature included (Core §3.1.3.7)', async () => {
    const tokens = await signIn('openid profile email');
    const claims = tokens.claims();
    expect(claims).toBeDefined();
    expect(claims?.iss).toBe(server.url);
    expect(claims?.aud).toBe('web-app');
    expect(typeof claims?.sub).toBe('string');
    expect(typeof claims?.auth_time).toBe('number');
    expect(claims?.amr).toEqual(['pwd']);
    expect(typeof claims?.at_hash).toBe('string');
    // Core §5.4: with response_type=code the scopes' claims go to UserInfo, not the ID token.
    expect(claims).not.toHaveProperty('email');
  });

  it('fetches UserInfo whose sub is the ID token\'s (Core §5.3.2), with the claims of the granted scopes', async () => {
    const tokens = await signIn('openid profile email');
    const sub = tokens.claims()?.sub ?? '';
    const info = await client.fetchUserInfo(config, tokens.access_token, sub);
    expect(info.sub).toBe(sub);
    expect(info.name).toBe('Alice Liddell');
    expect(info.email).toBe('alice@example.com');
  });

  it('refreshes to a new ID token with the same sub and auth_time and no nonce (Core §12.2), with offline_access (Core §11)', async () => {
    const tokens = await signIn('openid profile offline_access');
    const first = tokens.claims();
    expect(tokens.refresh_token).toBeDefined();
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token ?? '');
    const again = refreshed.claims();
    expect(again).toBeDefined();
    expect(again?.sub).toBe(first?.sub);
    expect(again?.auth_time).toBe(first?.auth_time);
    expect(again).not.toHaveProperty('nonce');
    expect(refreshed.id_token).not.toBe(tokens.id_token);
  });

  it('gives no refresh token to an OpenID Connect request without offline_access when so configured (Core §11)', async () => {
    const tokens = await signIn('openid profile');
    expect(tokens.id_token).toBeDefined();
    expect(tokens.refresh_token).toBeUndefined();
  });

  it('says on the consent page that offline_access keeps access while the person is away (Core §11)', async () => {
    // prompt=consent: alice may have approved offline_access already in an earlier test (Core §11 asks for it too).
    const url = client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid offline_access', prompt: 'consent', code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
    const out = await authorizeAsUser(server, url, { username: 'alice', password: TEST_PASSWORD });
    expect(out.page).toBe('consent');
    expect(out.html).toContain('Keep access to your account while you are away');
  });

  it('lets the relying party detect a wrong nonce (Core §3.1.3.7 step 11)', async () => {
    await expect(signIn('openid', { nonce: 'the-nonce-sent', expectedNonce: 'another-nonce' })).rejects.toMatchObject({ code: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED', cause: { cause: { claim: 'nonce' } } });
  });

  it('echoes the nonce exactly, characters a URL would escape included (Core §3.1.2.1)', async () => {
    const nonce = 'n-0S6_WzA2Mj +/=?&é';
    const tokens = await signIn('openid', { nonce });
    expect(tokens.claims()?.nonce).toBe(nonce);
  });
});
