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

let server: TestServer;

beforeAll(async () => {
  server = await startServer({
    clients: [{ id: CLIENT.id, name: 'Authlib RP', secret: CLIENT.secret, redirectUris: [CLIENT.redirect], grantTypes: ['authorization_code', 'refresh_token'] }],
  });
});

afterAll(async () => {
  await server?.close();
});

/** Runs the Python relying party through a sign-in as alice; `extra` are more command-line arguments. */
async function signInWithAuthlib(extra: string[] = []): Promise<RpLine> {
  const { authorizationUrl, result } = await signInWith(server, PYTHON, authlibArgs(server.url, CLIENT, extra), alice);
  expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256');
  expect(authorizationUrl.searchParams.get('nonce')).toBeTruthy();
  return result;
}

describe('Authlib (Python) relying party against Latchkey (OpenID Connect Core §3.1)', () => {
  it('signs in with discovery, code + PKCE S256 + nonce, an ID token Authlib validates against jwks_uri (Core §3.1.3.7), UserInfo with the same sub (Core §5.3.2) and a refresh (Core §12.2)', async (ctx) => {
    requireTool(ctx, available, HINT);
    const summary = await signInWithAuthlib();
    expect(summary).not.toHaveProperty('error');
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
});
