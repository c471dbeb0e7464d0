import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, TEST_PASSWORD, type TestServer } from '../../support/server.ts';
import { authorizeAsUser } from '../../support/user-agent.ts';
import { metadataOf, register } from './helpers.ts';

/**
 * RFC 7591 with real client libraries: oauth4webapi's DCR functions register a native app that then signs a user in
 * with the authorization code and PKCE; openid-client's dynamicClientRegistration registers through default discovery.
 */

const insecure = { [oauth.allowInsecureRequests]: true } as const;
const alice = { username: 'alice', password: TEST_PASSWORD, decision: 'allow' as const };

let server: TestServer;
let off: TestServer;

beforeAll(async () => {
  [server, off] = await Promise.all([startServer({ registration: { mode: 'open' } }), startServer()]);
});
afterAll(async () => {
  await Promise.all([server?.close(), off?.close()]);
});

describe('registration endpoint in the metadata (RFC 8414 §2, OpenID Connect Discovery §3)', () => {
  it('advertises registration_endpoint in both documents when registration is on', async () => {
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      expect((await metadataOf(server, path))['registration_endpoint']).toBe(`${server.url}/register`);
    }
  });

  it('leaves registration_endpoint out and answers 404 when registration is off (the default)', async () => {
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      expect(await metadataOf(off, path)).not.toHaveProperty('registration_endpoint');
    }
    const res = await register(off, { redirect_uris: ['https://app.example/cb'] });
    expect(res.status).toBe(404);
  });
});

describe('oauth4webapi registers a client, which then runs the code flow with PKCE (RFC 7591 §3, RFC 7636)', () => {
  it('registers a native public client and signs alice in with it', async () => {
    const issuer = new URL(server.url);
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
    const res = await oauth.dynamicClientRegistrationRequest(
      as,
      { redirect_uris: ['http://127.0.0.1/callback'], token_endpoint_auth_method: 'none', application_type: 'native', client_name: 'CLI Tool', scope: 'openid profile' },
      insecure,
    );
    const registered = await oauth.processDynamicClientRegistrationResponse(res);
    expect(registered.client_id).toEqual(expect.any(String));
    expect(registered).not.toHaveProperty('client_secret');
    expect(registered['registration_access_token']).toEqual(expect.any(String));
    expect(registered['registration_client_uri']).toBe(`${server.url}/register/${registered.client_id}`);
    expect(registered['client_id_issued_at']).toEqual(expect.any(Number));
    // RFC 7591 §2: without grant_types, only authorization_code.
    expect(registered['grant_types']).toEqual(['authorization_code']);
    expect(registered['response_types']).toEqual(['code']);

    const c: oauth.Client = { client_id: registered.client_id, token_endpoint_auth_method: 'none' };
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const url = new URL(as.authorization_endpoint ?? '');
    // RFC 8252 §7.3: a native app's loopback redirect URI may use any port.
    const redirectUri = 'http://127.0.0.1:49152/callback';
    for (const [k, v] of Object.entries({ client_id: c.client_id, redirect_uri: redirectUri, response_type: 'code', scope: 'openid profile', state, code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' })) {
      url.searchParams.set(k, v);
    }
    const out = await authorizeAsUser(server, url, alice);
    if (!out.location) throw new Error(`expected a redirect, got ${out.status}`);
    const params = oauth.validateAuthResponse(as, c, out.location, state);
    const tokenRes = await oauth.authorizationCodeGrantRequest(as, c, oauth.None(), params, redirectUri, verifier, insecure);
    const tokens = await oauth.processAuthorizationCodeResponse(as, c, tokenRes);
    expect(tokens.access_token).toEqual(expect.any(String));
    expect(tokens.scope).toBe('openid profile');
  });
});

describe('openid-client registers through default discovery (OpenID Connect Registration §3)', () => {
  it('registers a confidential web client and gets a client_secret it can authenticate with', async () => {
    const config = await client.dynamicClientRegistration(
      new URL(server.url),
      { redirect_uris: ['https://rp.example/cb'], client_name: 'Relying Party', grant_types: ['authorization_code', 'refresh_token'] },
      undefined,
      { execute: [client.allowInsecureRequests] },
    );
    const metadata = config.clientMetadata();
    expect(metadata.client_id).toEqual(expect.any(String));
    expect(metadata.client_secret).toMatch(/^lk_cs_/);
    expect(metadata.token_endpoint_auth_method).toBe('client_secret_basic');
    expect(metadata['client_secret_expires_at']).toBe(0);
    expect(config.serverMetadata().registration_endpoint).toBe(`${server.url}/register`);
  });
});
