import { createLocalJWKSet, exportJWK, generateKeyPair, type JSONWebKeySet } from 'jose';
import * as oauth from 'oauth4webapi';
import type { ClientKeySource } from '../../../src/core/authorize/client-keys.ts';
import { startServer, testConfig, TEST_PASSWORD, TEST_SECRET, type TestServer } from '../../support/server.ts';
import type { ClientConfig } from '../../../src/config/schema.ts';
import type { Clock } from '../../../src/core/clock.ts';

/** Shared by the PAR (RFC 9126) and request object (RFC 9101) flow tests: a server, its clients and their keys. */

export const insecure = { [oauth.allowInsecureRequests]: true } as const;
export const WEB_REDIRECT = 'https://client.example/callback';
export const SPA_REDIRECT = 'https://spa.example/cb';
export const OTHER_SECRET = 'other-secret-0123456789abcdef';
export const alice = { username: 'alice', password: TEST_PASSWORD, decision: 'allow' as const };
export const webAuth = oauth.ClientSecretBasic(TEST_SECRET);

export interface ClientKey {
  privateKey: import('node:crypto').webcrypto.CryptoKey;
  kid: string;
}

export interface ParWorld {
  server: TestServer;
  as: oauth.AuthorizationServer;
  /** Each client's signing key, registered through the client-keys port. */
  keys: Record<string, ClientKey>;
  /** A key nobody registered. */
  stranger: ClientKey;
}

async function newKey(kid: string): Promise<{ key: ClientKey; jwk: JSONWebKeySet['keys'][number] }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { key: { privateKey, kid }, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
}

/** Clients beside testConfig's web-app (confidential) and spa (public). */
export const EXTRA_CLIENTS: Partial<ClientConfig>[] = [
  { id: 'other-app', name: 'Other App', secret: OTHER_SECRET, redirectUris: ['https://other.example/cb'] },
  { id: 'par-only', name: 'PAR Only', secret: OTHER_SECRET, redirectUris: [WEB_REDIRECT], requirePushedAuthorizationRequests: true },
  { id: 'signed-only', name: 'Signed Only', secret: OTHER_SECRET, redirectUris: [WEB_REDIRECT], requireSignedRequestObject: true },
];

export async function startParWorld(overrides: Parameters<typeof startServer>[0] = {}, clock?: Clock): Promise<ParWorld> {
  const keys: Record<string, ClientKey> = {};
  const jwks: Record<string, JSONWebKeySet> = {};
  for (const id of ['web-app', 'spa', 'other-app', 'par-only', 'signed-only']) {
    const { key, jwk } = await newKey(`${id}-key`);
    keys[id] = key;
    jwks[id] = { keys: [jwk] };
  }
  const stranger = (await newKey('web-app-key')).key;
  const clientKeys: ClientKeySource = async (client) => {
    const set = jwks[client.id];
    return set && createLocalJWKSet(set);
  };
  const base = testConfig();
  const server = await startServer(
    { clients: [...(base.clients ?? []), ...(EXTRA_CLIENTS as ClientConfig[])], ...overrides },
    { clientKeys, ...(clock ? { clock } : {}) },
  );
  const issuer = new URL(server.url);
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
  return { server, as, keys, stranger };
}

/** Authorization request parameters of a code flow with PKCE; returns them with the verifier. */
export async function codeRequest(clientId: string, redirectUri: string, extra: Record<string, string> = {}) {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope: 'openid',
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...extra,
  });
  return { params, verifier, state };
}

/** An HTML error page (400) naming `error`, with no redirect to the client. */
export async function expectErrorPage(res: Response, error: string): Promise<void> {
  const html = await res.text();
  if (res.status !== 400 || res.headers.get('location') !== null || !html.includes(`<code>${error}</code>`)) {
    throw new Error(`expected a 400 error page with ${error}, got ${res.status} ${res.headers.get('location') ?? ''} ${html.match(/<code>[a-z_]+<\/code>/)?.[0] ?? ''}`);
  }
}

function authorizeUrlOf(server: TestServer, params: Record<string, string>): URL {
  const url = new URL('/oauth2/authorize', server.url);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url;
}

/** GET /oauth2/authorize without following redirects; `.url` builds the URL only. */
export const authorizeGet = Object.assign((server: TestServer, params: Record<string, string>) => fetch(authorizeUrlOf(server, params), { redirect: 'manual' }), {
  url: authorizeUrlOf,
});
