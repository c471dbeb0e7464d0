import { SignJWT, type JWTPayload } from 'jose';
import * as client from 'openid-client';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SECRET } from '../../support/server.ts';
import { authorizeAsUser } from '../../support/user-agent.ts';
import { alice, authorizeGet, codeRequest, expectErrorPage, insecure, OTHER_SECRET, startParWorld, WEB_REDIRECT, webAuth, type ClientKey, type ParWorld } from './par-setup.ts';

/**
 * Signed request objects (RFC 9101) at the authorization endpoint and inside pushed requests (RFC 9126 §3), with
 * oauth4webapi's issueRequestObject and openid-client's buildAuthorizationUrlWithJAR / WithPAR, and the refusals of
 * RFC 9101 §6.2 (invalid_request_object) for each check of §4, §5 and §10.
 */

let w: ParWorld;
const webApp: oauth.Client = { client_id: 'web-app' };

beforeAll(async () => {
  w = await startParWorld();
});
afterAll(async () => {
  await w?.server.close();
});

const now = () => Math.floor(Date.now() / 1000);
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** A request object built by hand, to break one rule at a time. */
async function handMade(params: URLSearchParams, overrides: Record<string, unknown> = {}, key: ClientKey = w.keys['web-app'] as ClientKey, alg = 'ES256'): Promise<string> {
  const payload: JWTPayload = { ...Object.fromEntries(params), iss: 'web-app', aud: w.server.url, iat: now(), exp: now() + 120, jti: oauth.generateRandomState(), ...overrides };
  return new SignJWT(payload).setProtectedHeader({ alg, kid: key.kid, typ: 'oauth-authz-req+jwt' }).sign(key.privateKey);
}

async function refusedWith(request: string, error = 'invalid_request_object', clientId = 'web-app'): Promise<void> {
  await expectErrorPage(await authorizeGet(w.server, { client_id: clientId, request }), error);
}

describe('metadata (RFC 9101 §10.1, Core §6)', () => {
  it('says request objects are supported, signed with which algorithms, or unsigned (Discovery §3: "SHOULD support none and RS256")', () => {
    expect(w.as.request_parameter_supported).toBe(true);
    expect(w.as.request_object_signing_alg_values_supported).toEqual(expect.arrayContaining(['none', 'ES256', 'RS256']));
    expect(w.as['require_signed_request_object']).toBe(false);
  });
});

describe('request objects at the authorization endpoint (RFC 9101 §5)', () => {
  it('completes a code flow from oauth4webapi\'s issueRequestObject; only the object\'s parameters are used (§6.3)', async () => {
    const { params, verifier, state } = await codeRequest('web-app', WEB_REDIRECT);
    const key = w.keys['web-app'] as ClientKey;
    const request = await oauth.issueRequestObject(w.as, webApp, params, { key: key.privateKey, kid: key.kid });
    // A scope outside the object is ignored: the token has the object's scope (openid).
    const out = await authorizeAsUser(w.server, authorizeGet.url(w.server, { client_id: 'web-app', request, scope: 'openid profile email' }), alice);
    const callback = oauth.validateAuthResponse(w.as, webApp, out.location as URL, state);
    const res = await oauth.authorizationCodeGrantRequest(w.as, webApp, webAuth, callback, WEB_REDIRECT, verifier, insecure);
    const tokens = await oauth.processAuthorizationCodeResponse(w.as, webApp, res, { expectedNonce: oauth.expectNoNonce });
    expect(tokens.scope).toBe('openid');
  });

  it('completes a code flow from openid-client\'s buildAuthorizationUrlWithJAR', async () => {
    const config = await client.discovery(new URL(w.server.url), 'web-app', TEST_SECRET, undefined, { execute: [client.allowInsecureRequests] });
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const key = w.keys['web-app'] as ClientKey;
    const url = await client.buildAuthorizationUrlWithJAR(
      config,
      { redirect_uri: WEB_REDIRECT, scope: 'openid', state, code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' },
      { key: key.privateKey, kid: key.kid },
    );
    const out = await authorizeAsUser(w.server, url, alice);
    const tokens = await client.authorizationCodeGrant(config, out.location as URL, { pkceCodeVerifier: verifier, expectedState: state });
    expect(tokens.access_token).toBeTruthy();
  });

  it('refuses an object signed with a key the client did not register (§6.2)', async () => {
    await refusedWith(await handMade((await codeRequest('web-app', WEB_REDIRECT)).params, {}, w.stranger));
  });

  it('refuses an object signed with another client\'s key (§6.2)', async () => {
    const other = w.keys['other-app'] as ClientKey;
    await refusedWith(await handMade((await codeRequest('web-app', WEB_REDIRECT)).params, {}, { ...other, kid: 'web-app-key' }));
  });

  it('takes an unsigned object (alg none) as plain parameters: the flow completes, and nothing counts it as signed (Core §6.1)', async () => {
    const { params, verifier, state } = await codeRequest('web-app', WEB_REDIRECT);
    const unsigned = `${b64({ alg: 'none' })}.${b64({ ...Object.fromEntries(params), client_id: 'web-app' })}.`;
    const out = await authorizeAsUser(w.server, authorizeGet.url(w.server, { client_id: 'web-app', request: unsigned, scope: 'openid profile email' }), alice);
    const callback = oauth.validateAuthResponse(w.as, webApp, out.location as URL, state);
    const res = await oauth.authorizationCodeGrantRequest(w.as, webApp, webAuth, callback, WEB_REDIRECT, verifier, insecure);
    const tokens = await oauth.processAuthorizationCodeResponse(w.as, webApp, res, { expectedNonce: oauth.expectNoNonce });
    // Only the object's parameters are used (RFC 9101 §6.3), signed or not.
    expect(tokens.scope).toBe('openid');
  });

  it('refuses an unsigned object whose client_id is another client (RFC 9101 §5)', async () => {
    const { params } = await codeRequest('web-app', WEB_REDIRECT);
    await refusedWith(`${b64({ alg: 'none' })}.${b64({ ...Object.fromEntries(params), client_id: 'other-app' })}.`);
  });

  it('refuses an expired object (RFC 9101 §4, exp)', async () => {
    await refusedWith(await handMade((await codeRequest('web-app', WEB_REDIRECT)).params, { iat: now() - 600, exp: now() - 300 }));
  });

  it('refuses an object without exp', async () => {
    await refusedWith(await handMade((await codeRequest('web-app', WEB_REDIRECT)).params, { exp: undefined }));
  });

  it('refuses an object that lives longer than requestObjects.maxLifetimeSeconds', async () => {
    await refusedWith(await handMade((await codeRequest('web-app', WEB_REDIRECT)).params, { exp: now() + 7200 }));
  });

  it('refuses an object not yet valid (nbf)', async () => {
    await refusedWith(await handMade((await codeRequest('web-app', WEB_REDIRECT)).params, { nbf: now() + 600 }));
  });

  it('refuses an object for another audience (aud must be the issuer, §4)', async () => {
    await refusedWith(await handMade((await codeRequest('web-app', WEB_REDIRECT)).params, { aud: 'https://other-as.example' }));
  });

  it('refuses an object whose iss is not the client (§4)', async () => {
    await refusedWith(await handMade((await codeRequest('web-app', WEB_REDIRECT)).params, { iss: 'other-app' }));
  });

  it('refuses an object whose client_id is not the outer client_id (§5)', async () => {
    await refusedWith(await handMade((await codeRequest('other-app', WEB_REDIRECT)).params));
  });

  it('refuses a replayed object: the same jti twice (§10.8)', async () => {
    const request = await handMade((await codeRequest('web-app', WEB_REDIRECT)).params, { jti: 'once-only' });
    const first = await authorizeGet(w.server, { client_id: 'web-app', request });
    expect(first.status).toBeLessThan(400);
    await refusedWith(request);
  });

  it('refuses request and request_uri together with invalid_request (§5)', async () => {
    const request = await handMade((await codeRequest('web-app', WEB_REDIRECT)).params);
    await expectErrorPage(await authorizeGet(w.server, { client_id: 'web-app', request, request_uri: 'urn:ietf:params:oauth:request_uri:x' }), 'invalid_request');
  });

  it('refuses a plain request of a client that must sign, with invalid_request to its redirect URI (§10.5)', async () => {
    const { params } = await codeRequest('signed-only', WEB_REDIRECT);
    const res = await authorizeGet(w.server, Object.fromEntries(params));
    expect(res.status).toBe(303);
    expect(new URL(res.headers.get('location') ?? '').searchParams.get('error')).toBe('invalid_request');
  });

  it('refuses an unsigned request object (alg none) of a client that must sign, with invalid_request to its redirect URI (§10.5)', async () => {
    const { params } = await codeRequest('signed-only', WEB_REDIRECT);
    const unsigned = `${b64({ alg: 'none' })}.${b64({ ...Object.fromEntries(params), client_id: 'signed-only' })}.`;
    const res = await authorizeGet(w.server, { client_id: 'signed-only', request: unsigned });
    expect(res.status).toBe(303);
    expect(new URL(res.headers.get('location') ?? '').searchParams.get('error')).toBe('invalid_request');
  });

  it('accepts a signed request of a client that must sign', async () => {
    const { params } = await codeRequest('signed-only', WEB_REDIRECT);
    const key = w.keys['signed-only'] as ClientKey;
    const request = await oauth.issueRequestObject(w.as, { client_id: 'signed-only' }, params, { key: key.privateKey, kid: key.kid });
    const out = await authorizeAsUser(w.server, authorizeGet.url(w.server, { client_id: 'signed-only', request }), alice);
    expect(out.location?.searchParams.get('code')).toBeTruthy();
  });
});

describe('request objects inside pushed requests (RFC 9126 §3)', () => {
  it('completes a code flow from openid-client\'s buildAuthorizationUrlWithPAR', async () => {
    const config = await client.discovery(new URL(w.server.url), 'web-app', TEST_SECRET, undefined, { execute: [client.allowInsecureRequests] });
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = await client.buildAuthorizationUrlWithPAR(config, {
      redirect_uri: WEB_REDIRECT, scope: 'openid', state, code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    expect(url.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    const out = await authorizeAsUser(w.server, url, alice);
    const tokens = await client.authorizationCodeGrant(config, out.location as URL, { pkceCodeVerifier: verifier, expectedState: state });
    expect(tokens.access_token).toBeTruthy();
  });

  it('accepts a pushed request object of a client that must sign and push', async () => {
    const { params, state } = await codeRequest('signed-only', WEB_REDIRECT);
    const key = w.keys['signed-only'] as ClientKey;
    const request = await oauth.issueRequestObject(w.as, { client_id: 'signed-only' }, params, { key: key.privateKey, kid: key.kid });
    const res = await oauth.pushedAuthorizationRequest(w.as, { client_id: 'signed-only' }, oauth.ClientSecretBasic(OTHER_SECRET), new URLSearchParams({ request }), insecure);
    const { request_uri } = await oauth.processPushedAuthorizationResponse(w.as, { client_id: 'signed-only' }, res);
    const out = await authorizeAsUser(w.server, authorizeGet.url(w.server, { client_id: 'signed-only', request_uri }), alice);
    expect(out.location?.searchParams.get('state')).toBe(state);
    expect(out.location?.searchParams.get('code')).toBeTruthy();
  });

  it('refuses a pushed object signed with the wrong key with invalid_request_object as JSON (RFC 9126 §2.3)', async () => {
    const request = await handMade((await codeRequest('web-app', WEB_REDIRECT)).params, {}, w.stranger);
    const res = await oauth.pushedAuthorizationRequest(w.as, webApp, webAuth, new URLSearchParams({ request }), insecure);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_request_object');
  });

  it('refuses a plain push from a client that must sign, with invalid_request (RFC 9101 §10.5)', async () => {
    const { params } = await codeRequest('signed-only', WEB_REDIRECT);
    const res = await oauth.pushedAuthorizationRequest(w.as, { client_id: 'signed-only' }, oauth.ClientSecretBasic(OTHER_SECRET), params, insecure);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
  });
});
