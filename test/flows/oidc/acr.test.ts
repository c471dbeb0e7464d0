import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialKey, randomToken } from '../../../src/core/crypto.ts';
import { ACR_PASSWORD, ACR_SECOND_FACTOR } from '../../../src/core/oidc/acr.ts';
import { startServer, TEST_PASSWORD, TEST_SECRET, type TestServer } from '../../support/server.ts';
import { authorizeAsUser, UserAgent } from '../../support/user-agent.ts';

/**
 * acr and amr (OpenID Connect Core §2): how the user signed in, recorded on the session at login, carried by the ID
 * token and kept across refreshes (§12.2); acr_values (§3.1.2.1) are voluntary, an essential acr claim (§5.5.1.1)
 * that cannot be met is refused with unmet_authentication_requirements (OpenID Connect Core Error Code
 * unmet_authentication_requirements 1.0 §1).
 */

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

/** One authorization request on `agent` (a fresh browser unless given), signing in as alice when asked. */
async function authorize(extra: Record<string, string>, agent = new UserAgent(server.url)) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT, scope: 'openid', state, nonce,
    code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    ...extra,
  });
  const out = await authorizeAsUser(agent, url, { username: 'alice', password: TEST_PASSWORD, decision: 'allow' });
  if (!out.location) throw new Error(`expected a redirect to the client, got ${out.status} (${out.page})`);
  const location = new URL(out.location);
  const exchange = async () => {
    // openid-client validates the ID token (signature, iss, aud, nonce, and acr against an essential claims request).
    const tokens = await client.authorizationCodeGrant(config, location, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    return { claims: tokens.claims(), refreshToken: tokens.refresh_token };
  };
  return { location, state, exchange, agent };
}

const essential = (values: string[]) => JSON.stringify({ id_token: { acr: { essential: true, values } } });

describe('acr and amr in ID tokens (OpenID Connect Core §2)', () => {
  it('says a password sign-in is the password level, with amr pwd (Core §2, RFC 8176 §2)', async () => {
    const { claims } = await (await authorize({})).exchange();
    expect(claims?.['acr']).toBe(ACR_PASSWORD);
    expect(claims?.['amr']).toEqual(['pwd']);
  });

  it('keeps the original acr and amr in the ID tokens of refreshes (Core §12.2)', async () => {
    const { claims, refreshToken } = await (await authorize({})).exchange();
    expect(refreshToken).toBeDefined();
    expect(claims?.['acr']).toBe(ACR_PASSWORD);
    const refreshed = await client.refreshTokenGrant(config, refreshToken ?? '');
    expect(refreshed.claims()?.['acr']).toBe(claims?.['acr']);
    expect(refreshed.claims()?.['amr']).toEqual(claims?.['amr']);
  });

  it('reports what the session achieved, not what login does today: a session signed in with a second factor', async () => {
    // No second factor can be enrolled yet; a session written as a future sign-in would write it shows the level is
    // the session's, carried by the grant to the code exchange and to refreshes, not recomputed.
    const agent = new UserAgent(server.url);
    const cookie = randomToken('session');
    const alice = await server.latchkey.deps.repos.users.findByUsername('alice');
    const now = server.latchkey.deps.clock.now();
    await server.latchkey.deps.repos.sessions.create({ hash: credentialKey(cookie), userId: alice?.id ?? '', authTime: now, expiresAt: now + 600, acr: ACR_SECOND_FACTOR, amr: ['pwd', 'otp'] });
    agent.cookies.set('lk_session', cookie);
    const { claims, refreshToken } = await (await authorize({}, agent)).exchange();
    expect(claims?.['acr']).toBe(ACR_SECOND_FACTOR);
    expect(claims?.['amr']).toEqual(['pwd', 'otp']);
    const refreshed = await client.refreshTokenGrant(config, refreshToken ?? '');
    expect(refreshed.claims()?.['acr']).toBe(ACR_SECOND_FACTOR);
    expect(refreshed.claims()?.['amr']).toEqual(['pwd', 'otp']);
  });
});

describe('acr_values and the acr claim request (Core §3.1.2.1, §5.5.1.1)', () => {
  it('treats acr_values as voluntary: a level it cannot reach still signs in, and the token says what was achieved', async () => {
    const { claims } = await (await authorize({ acr_values: 'phr phrh' })).exchange();
    expect(claims?.['acr']).toBe(ACR_PASSWORD);
  });

  it('honours acr_values in the order of preference among the levels the sign-in satisfies', async () => {
    const { claims } = await (await authorize({ acr_values: `phr ${ACR_PASSWORD}` })).exchange();
    expect(claims?.['acr']).toBe(ACR_PASSWORD);
  });

  it('treats a non-essential acr claim request like acr_values', async () => {
    const { claims } = await (await authorize({ claims: JSON.stringify({ id_token: { acr: { values: ['phr'] } } }) })).exchange();
    expect(claims?.['acr']).toBe(ACR_PASSWORD);
  });

  it('meets an essential acr claim it can reach, and openid-client accepts the token', async () => {
    const { claims } = await (await authorize({ claims: essential(['phr', ACR_PASSWORD]) })).exchange();
    expect(claims?.['acr']).toBe(ACR_PASSWORD);
  });

  it('refuses an essential acr it cannot meet with unmet_authentication_requirements before asking for a password (Core §5.5.1.1)', async () => {
    const agent = new UserAgent(server.url);
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT, scope: 'openid', state: 'st-1', nonce: 'n-1', claims: essential(['phr']),
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    // No credentials given: had a login page been shown, there would be no redirect.
    const out = await authorizeAsUser(agent, url, {});
    expect(out.location).toBeDefined();
    const location = new URL(out.location ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get('error')).toBe('unmet_authentication_requirements');
    expect(location.searchParams.get('state')).toBe('st-1');
    expect(location.searchParams.get('iss')).toBe(server.url);
    expect(location.searchParams.get('code')).toBeNull();
  });

  it('refuses an essential acr it cannot meet for a signed-in browser under prompt=none too', async () => {
    const first = await authorize({});
    await first.exchange();
    const again = await authorize({ prompt: 'none', claims: essential([ACR_SECOND_FACTOR]) }, first.agent);
    expect(again.location.searchParams.get('error')).toBe('unmet_authentication_requirements');
    expect(again.location.searchParams.get('state')).toBe(again.state);
  });

  it('refuses a malformed acr claim request with invalid_request (Core §5.5.1: values is an array of strings)', async () => {
    const out = await authorize({ claims: JSON.stringify({ id_token: { acr: { essential: true, values: 'phr' } } }) });
    expect(out.location.searchParams.get('error')).toBe('invalid_request');
  });
});

describe('acr in discovery (Discovery §3)', () => {
  it('lists only the levels a sign-in can reach today in acr_values_supported, and acr in claims_supported', async () => {
    const meta = config.serverMetadata();
    expect(meta.acr_values_supported).toEqual([ACR_PASSWORD]);
    expect(meta.claims_supported).toContain('acr');
  });
});
