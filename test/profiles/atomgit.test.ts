import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.ts';
import { authorizeAsUser } from '../support/user-agent.ts';
import { alice, carol, json, migratedClient, PROFILE_SECRET, redirected, startProfileServer, userinfo } from './helpers.ts';

/**
 * The AtomGit document (seeds/004) against Latchkey with the `atomgit` profile: an authorization URL with neither
 * response_type nor scope, a JSON code exchange without grant_type or redirect_uri, a JSON refresh, 8-hour tokens.
 */

const REDIRECT = 'https://ide.example/atomgit/callback';
let server: TestServer;

beforeAll(async () => {
  server = await startProfileServer(
    ['atomgit'],
    [
      migratedClient('atomgit-app', [REDIRECT]),
      migratedClient('atomgit-multi', [REDIRECT, 'https://ide.example/atomgit/other']),
      migratedClient('atomgit-short', [REDIRECT], { accessTokenTtl: 600 }),
    ],
  );
});
afterAll(async () => {
  await server?.close();
});

/** Step A: https://atomgit.com/login/oauth/authorize?client_id=xxxxxxx&state=state_test&redirect_uri=xxxx */
function stepA(clientId = 'atomgit-app', state = 'state_test', extra: Record<string, string> = {}): URL {
  const url = new URL('/login/oauth/authorize', server.url);
  url.search = new URLSearchParams({ client_id: clientId, state, redirect_uri: REDIRECT, ...extra }).toString();
  return url;
}

/** Steps D and F: curl -X POST -d '{...}' --header "Content-Type: application/json". */
const postJson = (body: Record<string, string>, path = '/login/oauth/access_token') =>
  fetch(new URL(path, server.url), { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

async function codeFor(clientId = 'atomgit-app'): Promise<string> {
  const location = redirected(await authorizeAsUser(server, stepA(clientId), alice));
  return location.searchParams.get('code') ?? '';
}

describe('the AtomGit client (seeds/004) with the atomgit profile', () => {
  it('runs the whole flow: authorize, JSON exchange without grant_type, the API, then a JSON refresh', async () => {
    const out = await authorizeAsUser(server, stepA(), alice);
    expect(out.agent.seen).toEqual(['login', 'consent']);
    const location = redirected(out);
    expect(location.origin + location.pathname).toBe(REDIRECT);
    expect(location.searchParams.get('state')).toBe('state_test');

    const res = await postJson({ client_id: 'atomgit-app', client_secret: PROFILE_SECRET, code: location.searchParams.get('code') ?? '' });
    expect(res.status).toBe(200);
    const tokens = await json(res);
    // "valid for 8 hours"; scope omitted in the request: the client's registered scopes (RFC 6749 §3.3).
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 8 * 3600, scope: 'openid profile' });
    expect(tokens['refresh_token']).toMatch(/^lk_rt_/);

    const me = await userinfo(server, String(tokens['access_token']));
    expect(me.status).toBe(200);
    expect(await json(me)).toMatchObject({ preferred_username: 'alice' });

    const refreshed = await postJson({ client_id: 'atomgit-app', client_secret: PROFILE_SECRET, grant_type: 'refresh_token', refresh_token: String(tokens['refresh_token']) });
    expect(refreshed.status).toBe(200);
    const next = await json(refreshed);
    expect(next).toMatchObject({ token_type: 'Bearer', expires_in: 8 * 3600 });
    expect(next['refresh_token']).not.toBe(tokens['refresh_token']);
    expect((await userinfo(server, String(next['access_token']))).status).toBe(200);

    // Rotation (RFC 9700 §4.14.2): the spent refresh token is refused.
    const replay = await postJson({ client_id: 'atomgit-app', client_secret: PROFILE_SECRET, grant_type: 'refresh_token', refresh_token: String(tokens['refresh_token']) });
    expect(replay.status).toBe(400);
    expect(await json(replay)).toMatchObject({ error: 'invalid_grant' });
  });

  it('sends access_denied with the state when the user declines (RFC 6749 §4.1.2.1)', async () => {
    const out = await authorizeAsUser(server, stepA('atomgit-app', 'declined'), carol);
    expect(out.agent.seen).toEqual(['login', 'consent']);
    const location = redirected(out);
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe('declined');
  });

  it('refuses an exchange without redirect_uri for a client with several with invalid_request naming redirect_uri', async () => {
    const res = await postJson({ client_id: 'atomgit-multi', client_secret: PROFILE_SECRET, code: await codeFor('atomgit-multi') });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body['error']).toBe('invalid_request');
    expect(body['error_description']).toContain('redirect_uri');
  });

  it('accepts the exchange for a client with several redirect URIs when redirect_uri is sent', async () => {
    const res = await postJson({ client_id: 'atomgit-multi', client_secret: PROFILE_SECRET, code: await codeFor('atomgit-multi'), redirect_uri: REDIRECT });
    expect(res.status).toBe(200);
  });

  it("refuses a redirect_uri that differs from the authorization request's with invalid_grant (RFC 6749 §4.1.3)", async () => {
    const res = await postJson({ client_id: 'atomgit-multi', client_secret: PROFILE_SECRET, code: await codeFor('atomgit-multi'), redirect_uri: 'https://ide.example/atomgit/other' });
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({ error: 'invalid_grant' });
  });

  it("keeps a client's own accessTokenTtl over the profile's 8-hour default", async () => {
    const res = await postJson({ client_id: 'atomgit-short', client_secret: PROFILE_SECRET, code: await codeFor('atomgit-short') });
    expect(await json(res)).toMatchObject({ expires_in: 600 });
  });

  it('applies the 8-hour default only on the atomgit route: the standard token endpoint gives the server default', async () => {
    const res = await postJson({ client_id: 'atomgit-app', client_secret: PROFILE_SECRET, code: await codeFor(), grant_type: 'authorization_code', redirect_uri: REDIRECT }, '/oauth2/token');
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ expires_in: 3600 });
  });

  it('refuses a JSON body with neither grant_type nor code with invalid_request', async () => {
    const res = await postJson({ client_id: 'atomgit-app', client_secret: PROFILE_SECRET });
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({ error: 'invalid_request' });
  });

  it('refuses a code exchange with a wrong secret with 401 invalid_client (RFC 6749 §5.2)', async () => {
    const res = await postJson({ client_id: 'atomgit-app', client_secret: 'not-the-secret-0123456789', code: await codeFor() });
    expect(res.status).toBe(401);
    expect(await json(res)).toMatchObject({ error: 'invalid_client' });
  });

  it('refuses an exchange for an unknown client with 401 invalid_client', async () => {
    const res = await postJson({ client_id: 'nobody', client_secret: PROFILE_SECRET, code: 'lk_ac_x' });
    expect(res.status).toBe(401);
    expect(await json(res)).toMatchObject({ error: 'invalid_client' });
  });

  it('refuses a response_type other than code or token with unsupported_response_type (RFC 6749 §4.1.2.1)', async () => {
    const location = redirected(await authorizeAsUser(server, stepA('atomgit-app', 's', { response_type: 'id_token' }), alice));
    expect(location.searchParams.get('error')).toBe('unsupported_response_type');
  });

  it('keeps the standard authorization endpoint strict: no response_type is invalid_request', async () => {
    const url = stepA();
    url.pathname = '/oauth2/authorize';
    const location = redirected(await authorizeAsUser(server, url, alice));
    expect(location.searchParams.get('error')).toBe('invalid_request');
  });
});
