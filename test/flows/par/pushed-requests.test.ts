import * as oauth from 'oauth4webapi';
import { FakeClock } from '../../../src/core/clock.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SECRET } from '../../support/server.ts';
import { authorizeAsUser } from '../../support/user-agent.ts';
import { alice, authorizeGet, codeRequest, expectErrorPage, insecure, OTHER_SECRET, SPA_REDIRECT, startParWorld, WEB_REDIRECT, webAuth, type ParWorld } from './par-setup.ts';

/**
 * Pushed authorization requests (RFC 9126) over real HTTP with oauth4webapi: the endpoint (§2), the request_uri at the
 * authorization endpoint (§4), its single use, lifetime and binding to the client, and the requirement (§5, §6).
 */

let w: ParWorld;
const webApp: oauth.Client = { client_id: 'web-app' };
const REQUEST_URI_PREFIX_LENGTH = 'urn:ietf:params:oauth:request_uri:'.length;
const spa: oauth.Client = { client_id: 'spa' };

beforeAll(async () => {
  w = await startParWorld({ pushedAuthorizationRequests: { requestUriTtl: 60 } });
});
afterAll(async () => {
  await w?.server.close();
});

const par = (path = '/oauth2/par') => new URL(path, w.server.url);
const postPar = (body: Record<string, string>, authorization?: string) =>
  fetch(par(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization ? { authorization } : {}) },
    body: new URLSearchParams(body),
  });
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

async function push(client: oauth.Client, auth: oauth.ClientAuth, params: URLSearchParams): Promise<string> {
  const res = await oauth.pushedAuthorizationRequest(w.as, client, auth, params, insecure);
  const body = await oauth.processPushedAuthorizationResponse(w.as, client, res);
  return body.request_uri;
}

async function jsonError(res: Response, status: number, error: string): Promise<void> {
  const body = (await res.json()) as Record<string, unknown>;
  expect({ status: res.status, error: body['error'], cacheControl: res.headers.get('cache-control') }).toEqual({ status, error, cacheControl: 'no-store' });
  expect(typeof body['error_description']).toBe('string');
}

describe('metadata (RFC 9126 §5, RFC 8414)', () => {
  it('advertises the pushed authorization request endpoint and that it is not required', () => {
    expect(w.as.pushed_authorization_request_endpoint).toBe(`${w.server.url}/oauth2/par`);
    expect(w.as.require_pushed_authorization_requests).toBe(false);
  });
});

describe('the pushed authorization request endpoint (RFC 9126 §2)', () => {
  it('answers 201 with a request_uri URN and expires_in, and no-store (§2.2)', async () => {
    const { params } = await codeRequest('web-app', WEB_REDIRECT);
    const res = await postPar(Object.fromEntries(params), basic('web-app', TEST_SECRET));
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { request_uri: string; expires_in: number };
    expect(body.request_uri).toMatch(/^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{40,}$/);
    expect(body.expires_in).toBe(60);
  });

  it('refuses a confidential client without client authentication with invalid_client (§2, RFC 6749 §2.3)', async () => {
    const { params } = await codeRequest('web-app', WEB_REDIRECT);
    await jsonError(await postPar(Object.fromEntries(params)), 401, 'invalid_client');
  });

  it('refuses a wrong client secret with invalid_client (§2)', async () => {
    const { params } = await codeRequest('web-app', WEB_REDIRECT);
    await jsonError(await postPar(Object.fromEntries(params), basic('web-app', OTHER_SECRET)), 401, 'invalid_client');
  });

  it('refuses a redirect_uri the client did not register with invalid_request, as JSON and not a redirect (§2.3)', async () => {
    const { params } = await codeRequest('web-app', 'https://evil.example/cb');
    await jsonError(await postPar(Object.fromEntries(params), basic('web-app', TEST_SECRET)), 400, 'invalid_request');
  });

  it('runs the authorization endpoint\'s checks up front: a missing code_challenge is invalid_request (§2.1, RFC 7636)', async () => {
    const { params } = await codeRequest('web-app', WEB_REDIRECT);
    params.delete('code_challenge');
    params.delete('code_challenge_method');
    await jsonError(await postPar(Object.fromEntries(params), basic('web-app', TEST_SECRET)), 400, 'invalid_request');
  });

  it('refuses an unknown response_type with unsupported_response_type (§2.3)', async () => {
    const { params } = await codeRequest('web-app', WEB_REDIRECT, { response_type: 'nonsense' });
    await jsonError(await postPar(Object.fromEntries(params), basic('web-app', TEST_SECRET)), 400, 'unsupported_response_type');
  });

  it('stores a client_secret_post request without the secret, and only the hash of the request_uri', async () => {
    const { params } = await codeRequest('web-app', WEB_REDIRECT, { state: 'kept-state' });
    const res = await postPar({ ...Object.fromEntries(params), client_secret: TEST_SECRET });
    expect(res.status).toBe(201);
    const { request_uri: requestUri } = (await res.json()) as { request_uri: string };
    const rows = await w.server.latchkey.storage.db.selectFrom('pushed_requests').selectAll().execute();
    const stored = JSON.stringify(rows);
    expect(stored).toContain('kept-state');
    expect(stored).not.toContain(TEST_SECRET);
    expect(stored).not.toContain(requestUri.slice(REQUEST_URI_PREFIX_LENGTH));
  });

  it('refuses a request_uri inside a pushed request with invalid_request (§2.1)', async () => {
    const { params } = await codeRequest('web-app', WEB_REDIRECT, { request_uri: 'urn:ietf:params:oauth:request_uri:abc' });
    await jsonError(await postPar(Object.fromEntries(params), basic('web-app', TEST_SECRET)), 400, 'invalid_request');
  });
});

describe('the request_uri at the authorization endpoint (RFC 9126 §4)', () => {
  it('completes a code flow for a confidential client: pushed parameters are used, tokens issued', async () => {
    const { params, verifier, state } = await codeRequest('web-app', WEB_REDIRECT);
    const requestUri = await push(webApp, webAuth, params);
    // §4: only client_id and request_uri travel through the browser; a stray query parameter is ignored.
    const out = await authorizeAsUser(w.server, authorizeGet.url(w.server, { client_id: 'web-app', request_uri: requestUri, scope: 'openid profile email' }), alice);
    expect(out.location?.origin + (out.location?.pathname ?? '')).toBe(WEB_REDIRECT);
    const callback = oauth.validateAuthResponse(w.as, webApp, out.location as URL, state);
    const res = await oauth.authorizationCodeGrantRequest(w.as, webApp, webAuth, callback, WEB_REDIRECT, verifier, insecure);
    const tokens = await oauth.processAuthorizationCodeResponse(w.as, webApp, res, { expectedNonce: oauth.expectNoNonce });
    expect(tokens.access_token).toBeTruthy();
    expect(tokens.scope).toBe('openid');
  });

  it('completes a code flow for a public client authenticating with none', async () => {
    const { params, verifier, state } = await codeRequest('spa', SPA_REDIRECT);
    const requestUri = await push(spa, oauth.None(), params);
    const out = await authorizeAsUser(w.server, authorizeGet.url(w.server, { client_id: 'spa', request_uri: requestUri }), alice);
    const callback = oauth.validateAuthResponse(w.as, spa, out.location as URL, state);
    const res = await oauth.authorizationCodeGrantRequest(w.as, spa, oauth.None(), callback, SPA_REDIRECT, verifier, insecure);
    expect((await oauth.processAuthorizationCodeResponse(w.as, spa, res, { expectedNonce: oauth.expectNoNonce })).access_token).toBeTruthy();
  });

  it('refuses a request_uri used a second time with invalid_request_uri on an error page (§4: one-time use)', async () => {
    const { params } = await codeRequest('web-app', WEB_REDIRECT);
    const requestUri = await push(webApp, webAuth, params);
    const first = await authorizeGet(w.server, { client_id: 'web-app', request_uri: requestUri });
    expect(first.status).toBeLessThan(400);
    await expectErrorPage(await authorizeGet(w.server, { client_id: 'web-app', request_uri: requestUri }), 'invalid_request_uri');
  });

  it('refuses another client\'s request_uri with invalid_request_uri, and leaves it usable by its own client (§4)', async () => {
    const { params } = await codeRequest('web-app', WEB_REDIRECT);
    const requestUri = await push(webApp, webAuth, params);
    await expectErrorPage(await authorizeGet(w.server, { client_id: 'other-app', request_uri: requestUri }), 'invalid_request_uri');
    const own = await authorizeGet(w.server, { client_id: 'web-app', request_uri: requestUri });
    expect(own.status).toBeLessThan(400);
  });

  it('refuses an unknown request_uri of the URN form with invalid_request_uri', async () => {
    await expectErrorPage(await authorizeGet(w.server, { client_id: 'web-app', request_uri: 'urn:ietf:params:oauth:request_uri:nope' }), 'invalid_request_uri');
  });

  it('refuses a request_uri without client_id with invalid_request (§4, RFC 9101 §5)', async () => {
    const { params } = await codeRequest('web-app', WEB_REDIRECT);
    const requestUri = await push(webApp, webAuth, params);
    await expectErrorPage(await authorizeGet(w.server, { request_uri: requestUri }), 'invalid_request');
  });

  it('keeps refusing request_uris that are not ours with request_uri_not_supported (no fetching, Core §6.2)', async () => {
    const res = await authorizeGet(w.server, { ...Object.fromEntries((await codeRequest('web-app', WEB_REDIRECT)).params), request_uri: 'https://client.example/request.jwt' });
    expect(res.status).toBe(303);
    expect(new URL(res.headers.get('location') ?? '').searchParams.get('error')).toBe('request_uri_not_supported');
  });
});

describe('require_pushed_authorization_requests (RFC 9126 §5, §6)', () => {
  it('refuses a plain authorization request of a client that must push, with invalid_request to its redirect URI', async () => {
    const { params, state } = await codeRequest('par-only', WEB_REDIRECT);
    const res = await authorizeGet(w.server, Object.fromEntries(params));
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('state')).toBe(state);
    expect(location.searchParams.get('code')).toBeNull();
  });

  it('accepts the same client\'s pushed request', async () => {
    const { params } = await codeRequest('par-only', WEB_REDIRECT);
    const requestUri = await push({ client_id: 'par-only' }, oauth.ClientSecretBasic(OTHER_SECRET), params);
    const out = await authorizeAsUser(w.server, authorizeGet.url(w.server, { client_id: 'par-only', request_uri: requestUri }), alice);
    expect(out.location?.searchParams.get('code')).toBeTruthy();
  });
});

describe('request_uri lifetime (RFC 9126 §2.2 expires_in)', () => {
  it('refuses a request_uri used after expires_in with invalid_request_uri, and accepts one used just before', async () => {
    const clock = new FakeClock();
    const world = await startParWorld({ pushedAuthorizationRequests: { requestUriTtl: 30 } }, clock);
    try {
      const pushOne = async () => {
        const { params } = await codeRequest('web-app', WEB_REDIRECT);
        const res = await oauth.pushedAuthorizationRequest(world.as, webApp, webAuth, params, insecure);
        const body = await oauth.processPushedAuthorizationResponse(world.as, webApp, res);
        expect(body.expires_in).toBe(30);
        return body.request_uri;
      };
      const late = await pushOne();
      const inTime = await pushOne();
      clock.advance(29);
      expect((await authorizeGet(world.server, { client_id: 'web-app', request_uri: inTime })).status).toBeLessThan(400);
      clock.advance(1);
      await expectErrorPage(await authorizeGet(world.server, { client_id: 'web-app', request_uri: late }), 'invalid_request_uri');
    } finally {
      await world.server.close();
    }
  });
});
