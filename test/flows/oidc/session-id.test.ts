import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialKey } from '../../../src/core/crypto.ts';
import { startServer, TEST_PASSWORD, TEST_SECRET, type TestServer } from '../../support/server.ts';
import { authorizeAsUser, UserAgent } from '../../support/user-agent.ts';

/** The `sid` claim (Back-Channel Logout 1.0 §2.4, Front-Channel Logout 1.0 §3): a public id of the SSO session. */

const REDIRECT = 'http://127.0.0.1/cb';
let server: TestServer;
let config: client.Configuration;

beforeAll(async () => {
  server = await startServer();
  config = await client.discovery(new URL(server.url), 'web-app', TEST_SECRET, undefined, { execute: [client.allowInsecureRequests] });
});

afterAll(async () => {
  await server?.close();
});

/** Signs in on a fresh browser; returns the ID token's claims (validated by openid-client), the refresh token, the session. */
async function signInOnNewBrowser() {
  const agent = new UserAgent(server.url);
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT, scope: 'openid', state, nonce,
    code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  const out = await authorizeAsUser(agent, url, { username: 'alice', password: TEST_PASSWORD, decision: 'allow' });
  if (!out.location) throw new Error(`expected a redirect to the client, got ${out.status}`);
  const tokens = await client.authorizationCodeGrant(config, out.location, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
  const cookie = agent.cookies.get('lk_session') ?? '';
  const session = await server.latchkey.deps.repos.sessions.findActive(credentialKey(cookie), server.latchkey.deps.clock.now());
  return { claims: tokens.claims(), refreshToken: tokens.refresh_token, session, cookie };
}

describe('sid in ID tokens (Back-Channel Logout 1.0 §2.4)', () => {
  it('gives every SSO session a public random sid, not its cookie, and puts it in the ID token', async () => {
    const { claims, session, cookie } = await signInOnNewBrowser();
    expect(session?.sid).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(claims?.['sid']).toBe(session?.sid);
    expect(session?.sid).not.toBe(cookie);
    expect(session?.sid).not.toBe(session?.hash);
  });

  it('gives two browsers two different sids', async () => {
    const a = await signInOnNewBrowser();
    const b = await signInOnNewBrowser();
    expect(a.claims?.['sid']).toBeDefined();
    expect(b.claims?.['sid']).toBeDefined();
    expect(a.claims?.['sid']).not.toBe(b.claims?.['sid']);
  });

  it('keeps the sid in the ID tokens of refreshes (Core §12.2)', async () => {
    const { claims, refreshToken } = await signInOnNewBrowser();
    expect(refreshToken).toBeDefined();
    expect(claims?.['sid']).toBeDefined();
    const refreshed = await client.refreshTokenGrant(config, refreshToken ?? '');
    expect(refreshed.claims()?.['sid']).toBe(claims?.['sid']);
  });
});
