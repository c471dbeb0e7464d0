import { createHash } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, TEST_PASSWORD, TEST_SECRET, type TestServer } from '../../support/server.ts';
import { authorizeAsUser, authorizeUrl, type Outcome } from '../../support/user-agent.ts';

/**
 * The OpenID Connect implicit and hybrid response types (Core §3.2, §3.3), where features.implicit is on and the
 * client lists them: the fragment by default, a nonce required, c_hash and at_hash (Core §3.3.2.11), validated by
 * oauth4webapi's hybrid validation.
 */

const REDIRECT = 'https://rp.example/cb';
const TYPES = ['id_token', 'id_token token', 'code id_token', 'code token', 'code id_token token'] as const;
const alice = { username: 'alice', password: TEST_PASSWORD, decision: 'allow' as const };
const insecure = { [oauth.allowInsecureRequests]: true } as const;
const rp: oauth.Client = { client_id: 'rp' };

let server: TestServer;
let off: TestServer;
let as: oauth.AuthorizationServer;

beforeAll(async () => {
  const clients = [{ id: 'rp', name: 'RP', secret: TEST_SECRET, redirectUris: [REDIRECT], responseTypes: ['code' as const, ...TYPES] }];
  server = await startServer({ features: { implicit: true }, clients });
  off = await startServer({ clients: [{ ...clients[0]!, responseTypes: ['code'] }] });
  const issuer = new URL(server.url);
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }));
});

afterAll(async () => {
  await server?.close();
  await off?.close();
});

const half = (value: string) => {
  const d = createHash('sha256').update(value).digest();
  return d.subarray(0, d.length / 2).toString('base64url');
};
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;

function fragment(out: Outcome): URLSearchParams {
  if (!out.location) throw new Error(`expected a redirect, got ${out.status} ${out.page ?? ''}`);
  expect(out.location.search).toBe('');
  return new URLSearchParams(out.location.hash.slice(1));
}

const url = (s: { url: string }, responseType: string, extra: Record<string, string> = {}) =>
  // A code_challenge for the types with a code: PKCE is required by default (pkce.required).
  authorizeUrl(s, { response_type: responseType, client_id: 'rp', redirect_uri: REDIRECT, scope: 'openid profile', state: 'st', nonce: 'n-1', code_challenge: CHALLENGE, code_challenge_method: 'S256', ...extra });

describe('implicit and hybrid response types (OpenID Connect Core §3.2, §3.3)', () => {
  it('lists them in response_types_supported only where features.implicit is on', async () => {
    expect(as.response_types_supported).toEqual(expect.arrayContaining([...TYPES]));
    const meta = (await (await fetch(new URL('/.well-known/openid-configuration', off.url))).json()) as { response_types_supported: string[] };
    expect(meta.response_types_supported).toEqual(['code']);
  });

  it('returns in the fragment what each type asks for, the ID token with nonce, c_hash and at_hash (Core §3.3.2.11)', async () => {
    for (const rt of TYPES) {
      const p = fragment(await authorizeAsUser(server, url(server, rt), alice));
      expect(p.get('state'), rt).toBe('st');
      expect(p.has('code'), rt).toBe(rt.startsWith('code'));
      expect(p.has('access_token'), rt).toBe(rt.endsWith(' token'));
      expect(p.has('id_token'), rt).toBe(rt.includes('id_token'));
      const idToken = p.get('id_token');
      if (idToken) {
        const c = claimsOf(idToken);
        expect(c['nonce'], rt).toBe('n-1');
        expect(c['c_hash'], rt).toBe(p.get('code') === null ? undefined : half(p.get('code') ?? ''));
        expect(c['at_hash'], rt).toBe(p.get('access_token') === null ? undefined : half(p.get('access_token') ?? ''));
        // Core §5.4: no access token, so the scope's claims are in the ID token.
        if (rt === 'id_token') expect(c['name']).toBe('Alice Liddell');
      }
    }
  });

  it('passes oauth4webapi\'s hybrid validation (validateCodeIdTokenResponse), then the code exchanges for tokens', async () => {
    const verifier = oauth.generateRandomCodeVerifier();
    const out = await authorizeAsUser(server, url(server, 'code id_token', { code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' }), alice);
    if (!out.location) throw new Error('no redirect');
    const params = await oauth.validateCodeIdTokenResponse(as, rp, new URL(`${REDIRECT}${out.location.hash}`), 'n-1', 'st', undefined, insecure);
    const res = await oauth.authorizationCodeGrantRequest(as, rp, oauth.ClientSecretBasic(TEST_SECRET), params, REDIRECT, verifier, insecure);
    const tokens = await oauth.processAuthorizationCodeResponse(as, rp, res, { expectedNonce: 'n-1' });
    expect(tokens.id_token).toBeDefined();
  });

  it('refuses an ID token type without a nonce, or without openid, with invalid_request in the fragment', async () => {
    const noNonce = url(server, 'code id_token');
    noNonce.searchParams.delete('nonce');
    expect(fragment(await authorizeAsUser(server, noNonce, alice)).get('error')).toBe('invalid_request');
    expect(fragment(await authorizeAsUser(server, url(server, 'id_token', { scope: 'profile' }), alice)).get('error')).toBe('invalid_request');
  });

  it('accepts the words in any order (RFC 6749 §3.1.1), and refuses response_mode=query for them', async () => {
    expect(fragment(await authorizeAsUser(server, url(server, 'token id_token'), alice)).has('id_token')).toBe(true);
    const query = await authorizeAsUser(server, url(server, 'code id_token', { response_mode: 'query' }), alice);
    expect(query.location?.searchParams.get('error')).toBe('invalid_request');
  });

  it('answers unsupported_response_type (in the query, as for any unknown type) where features.implicit is off', async () => {
    const out = await authorizeAsUser(off, url(off, 'code id_token'), alice);
    expect(out.location?.searchParams.get('error')).toBe('unsupported_response_type');
  });
});
