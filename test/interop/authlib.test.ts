import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, TEST_PASSWORD, type TestServer } from '../support/server.ts';
import type { UserChoices } from '../support/user-agent.ts';
import { authlibArgs, authlibAvailable, AUTHLIB_HINT, PYTHON } from './authlib-rp.ts';
import { requireTool, signInWith, type RpLine } from './relying-party.ts';

/**
 * A relying party nobody here wrote: Authlib (Debian's python3-authlib 1.2) in test/interop/authlib_rp.py, with its
 * own discovery, PKCE S256, nonce, ID token validation against jwks_uri (CodeIDToken), UserInfo and refresh, through
 * the real login and consent pages.
 */

const HINT = AUTHLIB_HINT;
const available = authlibAvailable();

const CLIENT = { id: 'authlib-rp', secret: 'authlib-rp-secret-0123456789abcdef', redirect: 'http://127.0.0.1/authlib/cb' };
const alice: UserChoices = { username: 'alice', password: TEST_PASSWORD, decision: 'allow' };

const registration = { name: 'Authlib RP', secret: CLIENT.secret, redirectUris: [CLIENT.redirect], grantTypes: ['authorization_code' as const, 'refresh_token' as const] };

let server: TestServer;

beforeAll(async () => {
  server = await startServer({
    clients: [
      { id: CLIENT.id, ...registration },
      { id: `${CLIENT.id}-es256`, ...registration, idTokenSignedResponseAlg: 'ES256' },
      { id: `${CLIENT.id}-eddsa`, ...registration, idTokenSignedResponseAlg: 'EdDSA' },
      { id: `${CLIENT.id}-pairwise`, ...registration, subjectType: 'pairwise' },
    ],
    oidc: { pairwiseSalt: 'interop-pairwise-salt-0123456789' },
  });
});

afterAll(async () => {
  await server?.close();
});

/** Runs the Python relying party through a sign-in as alice; `extra` are more command-line arguments. */
async function signInWithAuthlib(extra: string[] = [], clientId = CLIENT.id): Promise<RpLine> {
  const { authorizationUrl, result } = await signInWith(server, PYTHON, authlibArgs(server.url, { ...CLIENT, id: clientId }, extra), alice);
  expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256');
  expect(authorizationUrl.searchParams.get('nonce')).toBeTruthy();
  return result;
}

describe('Authlib (Python) relying party against Latchkey (OpenID Connect Core §3.1)', () => {
  it('signs in with discovery (both metadata documents valid to Authlib), code + PKCE S256 + nonce, an ID token Authlib validates against jwks_uri (Core §3.1.3.7), UserInfo with the same sub (Core §5.3.2) and a refresh (Core §12.2)', async (ctx) => {
    requireTool(ctx, available, HINT);
    const summary = await signInWithAuthlib();
    expect(summary).not.toHaveProperty('error');
    // Both discovery documents passed Authlib's own metadata validation (Discovery §3, RFC 8414 §2).
    expect(summary['metadata_valid']).toBe(true);
    const idToken = summary['id_token'] as Record<string, unknown>;
    expect(idToken).toMatchObject({ iss: server.url, aud: CLIENT.id, nonce: summary['nonce_sent'], at_hash: true, alg: 'RS256' });
    expect(typeof idToken['sub']).toBe('string');
    expect(summary['userinfo']).toEqual({ sub: idToken['sub'], name: 'Alice Liddell', email: 'alice@example.com' });
    expect(summary['refresh']).toEqual({ sub: idToken['sub'], new_id_token: true, new_access_token: true });
  });

  it('lets Authlib reject an ID token whose nonce is not the one it expects (Core §3.1.3.7 step 11)', async (ctx) => {
    requireTool(ctx, available, HINT);
    const result = await signInWithAuthlib(['--expect-nonce', 'a-nonce-never-sent']);
    expect(result).toMatchObject({ error: 'InvalidClaimError' });
    expect(String(result['message'])).toContain('nonce');
  });

  // Authlib's JsonWebToken is given the algorithms discovery advertises; the client registered ES256.
  it('validates an ES256 ID token for a client registered with id_token_signed_response_alg ES256 (Registration §2), at_hash included', async (ctx) => {
    requireTool(ctx, available, HINT);
    const summary = await signInWithAuthlib([], `${CLIENT.id}-es256`);
    expect(summary).not.toHaveProperty('error');
    expect(summary['id_token']).toMatchObject({ aud: `${CLIENT.id}-es256`, alg: 'ES256', at_hash: true });
    expect(summary['refresh']).toMatchObject({ new_id_token: true });
  });

  it('verifies an EdDSA ID token\'s signature and claims but, Authlib 1.2 knowing no hash for EdDSA, fails its at_hash check (a limitation of the library: use RS256 or ES256 with it)', async (ctx) => {
    requireTool(ctx, available, HINT);
    // authlib/oidc/core/util.py create_half_hash takes "sha" + alg[2:] ("shaDSA" for EdDSA) and finds none; at_hash
    // is the last check of CodeIDToken.validate, after the signature, iss, aud, exp, iat and nonce passed.
    const summary = await signInWithAuthlib([], `${CLIENT.id}-eddsa`);
    expect(summary).toMatchObject({ error: 'InvalidClaimError' });
    expect(String(summary['message'])).toContain('at_hash');
  });

  it('sees one pairwise sub in the ID token, UserInfo and the refreshed ID token, not the public one (Core §8.1, §5.3.2)', async (ctx) => {
    requireTool(ctx, available, HINT);
    const pairwise = await signInWithAuthlib([], `${CLIENT.id}-pairwise`);
    const publicSub = ((await signInWithAuthlib())['id_token'] as Record<string, unknown>)['sub'];
    expect(pairwise).not.toHaveProperty('error');
    const sub = (pairwise['id_token'] as Record<string, unknown>)['sub'];
    expect(typeof sub).toBe('string');
    expect(sub).not.toBe(publicSub);
    expect(pairwise['userinfo']).toMatchObject({ sub });
    expect(pairwise['refresh']).toMatchObject({ sub });
  });
});
