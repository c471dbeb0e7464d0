import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, TEST_SECRET, type TestServer } from '../../support/server.ts';

/** OpenID Connect Discovery 1.0 §3/§4 and RFC 8414: one document, every required field, read by real clients. */

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.close();
});

const fetchJson = async (path: string) => {
  const res = await fetch(new URL(path, server.url));
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: (await res.json()) as Record<string, unknown> };
};

describe('GET /.well-known/openid-configuration (OpenID Connect Discovery 1.0 §4)', () => {
  it('serves the same document as RFC 8414 metadata, so the two cannot disagree (Discovery §4.2)', async () => {
    const oidc = await fetchJson('/.well-known/openid-configuration');
    const oauth2 = await fetchJson('/.well-known/oauth-authorization-server');
    expect(oidc.status).toBe(200);
    expect(oidc.type).toMatch(/^application\/json/);
    expect(oidc.body).toEqual(oauth2.body);
  });

  it('has every REQUIRED field of Discovery §3 and says truthfully what is and is not supported', async () => {
    const { body } = await fetchJson('/.well-known/openid-configuration');
    // §4.3: the issuer is exactly the URL the document was fetched under, without the well-known suffix.
    expect(body['issuer']).toBe(server.url);
    expect(body['authorization_endpoint']).toBe(`${server.url}/oauth2/authorize`);
    expect(body['token_endpoint']).toBe(`${server.url}/oauth2/token`);
    expect(body['userinfo_endpoint']).toBe(`${server.url}/userinfo`);
    expect(body['jwks_uri']).toBe(`${server.url}/.well-known/jwks.json`);
    expect(body['response_types_supported']).toEqual(['code']);
    expect(body['subject_types_supported']).toEqual(['public']);
    expect(body['id_token_signing_alg_values_supported']).toEqual(expect.arrayContaining(['RS256', 'ES256', 'EdDSA']));
    expect(body['userinfo_signing_alg_values_supported']).toEqual(expect.arrayContaining(['RS256']));
    expect(body['scopes_supported']).toEqual(expect.arrayContaining(['openid', 'profile', 'email']));
    expect(body['scopes_supported']).not.toContain('admin');
    expect(body['claims_supported']).toEqual(expect.arrayContaining(['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'name', 'email']));
    expect(body['claims_parameter_supported']).toBe(true);
    // Signed request objects (RFC 9101); request_uri only as our own PAR URNs, so registration of others is required.
    expect(body['request_parameter_supported']).toBe(true);
    expect(body['request_uri_parameter_supported']).toBe(true);
    expect(body['require_request_uri_registration']).toBe(true);
    // Discovery §3: servers SHOULD support none and RS256 (Authlib refuses metadata without them).
    expect(body['request_object_signing_alg_values_supported']).toEqual(expect.arrayContaining(['none', 'RS256']));
    expect(body['pushed_authorization_request_endpoint']).toBe(`${server.url}/oauth2/par`);
    expect(body['code_challenge_methods_supported']).toEqual(['S256']);
    expect(body['authorization_response_iss_parameter_supported']).toBe(true);
    expect(body['prompt_values_supported']).toEqual(['none', 'login', 'consent', 'select_account']);
    expect(body['token_endpoint_auth_methods_supported']).toEqual(expect.arrayContaining(['client_secret_basic', 'client_secret_post', 'none']));
    // RP-Initiated Logout 1.0 §2.1; Back-Channel Logout 1.0 §2.1, with sid in every logout token.
    expect(body['end_session_endpoint']).toBe(`${server.url}/logout`);
    expect(body['backchannel_logout_supported']).toBe(true);
    expect(body['backchannel_logout_session_supported']).toBe(true);
  });

  it("is accepted by openid-client's default discovery (the OpenID Connect well-known URL)", async () => {
    const config = await client.discovery(new URL(server.url), 'web-app', TEST_SECRET, undefined, { execute: [client.allowInsecureRequests] });
    expect(config.serverMetadata().issuer).toBe(server.url);
    expect(config.serverMetadata().supportsPKCE()).toBe(true);
  });

  it("is accepted by oauth4webapi's OIDC discovery (processDiscoveryResponse checks the issuer, Discovery §4.3)", async () => {
    const issuer = new URL(server.url);
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', [oauth.allowInsecureRequests]: true }));
    expect(as.issuer).toBe(server.url);
  });
});
