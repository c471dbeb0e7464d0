import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.ts';
import type { TestServer } from '../support/server.ts';
import { authorizeAsUser } from '../support/user-agent.ts';
import { alice, carol, json, migratedClient, PROFILE_SECRET, redirected, startProfileServer, userinfo } from './helpers.ts';

/**
 * The Moltin document (seeds/003) against Latchkey with the `moltin` profile: GET /oauth with comma-separated
 * scopes, POST /oauth/access_token, and `expires` (absolute Unix time) beside `expires_in`.
 */

const REDIRECT = 'https://accounts.example/moltin/callback';
const clock = new FakeClock();
let server: TestServer;

beforeAll(async () => {
  server = await startProfileServer(['moltin'], [migratedClient('moltin-app', [REDIRECT])], { clock });
});
afterAll(async () => {
  await server?.close();
});

/** Step 1 of the document: client_id, redirect_uri, state, a comma separated scope, response_type=code. */
function step1(scope: string, state = 'moltin-state'): URL {
  const url = new URL('/oauth', server.url);
  url.search = new URLSearchParams({ client_id: 'moltin-app', redirect_uri: REDIRECT, state, scope, response_type: 'code' }).toString();
  return url;
}

/** Step 2 of the document: POST /oauth/access_token with grant_type, client_id, client_secret, code, redirect_uri. */
const step2 = (code: string, url = '/oauth/access_token') =>
  fetch(new URL(url, server.url), {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'authorization_code', client_id: 'moltin-app', client_secret: PROFILE_SECRET, code, redirect_uri: REDIRECT }),
  });

describe('the Moltin client (seeds/003) with the moltin profile', () => {
  it('runs the whole flow: comma-separated scope, code exchange with expires beside expires_in, then the API', async () => {
    const out = await authorizeAsUser(server, step1('openid,profile'), alice);
    expect(out.agent.seen).toEqual(['login', 'consent']);
    const location = redirected(out);
    expect(location.origin + location.pathname).toBe(REDIRECT);
    expect(location.searchParams.get('state')).toBe('moltin-state');

    const res = await step2(location.searchParams.get('code') ?? '');
    expect(res.status).toBe(200);
    const tokens = await json(res);
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 3600, expires: clock.now() + 3600, scope: 'openid profile' });
    expect(tokens['refresh_token']).toMatch(/^lk_rt_/);

    const me = await userinfo(server, String(tokens['access_token']));
    expect(me.status).toBe(200);
    expect(await json(me)).toMatchObject({ preferred_username: 'alice', name: 'Alice Liddell' });
  });

  it('adds expires on refresh through the moltin route, computed from the current time', async () => {
    const code = redirected(await authorizeAsUser(server, step1('openid'), alice)).searchParams.get('code') ?? '';
    const first = await json(await step2(code));
    clock.advance(1000);
    const res = await fetch(new URL('/oauth/access_token', server.url), {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: String(first['refresh_token']), client_id: 'moltin-app', client_secret: PROFILE_SECRET }),
    });
    expect(await json(res)).toMatchObject({ expires_in: 3600, expires: clock.now() + 3600 });
  });

  it('sends access_denied with the state when the store owner declines (RFC 6749 §4.1.2.1)', async () => {
    const out = await authorizeAsUser(server, step1('openid,profile', 'declined'), carol);
    expect(out.agent.seen).toEqual(['login', 'consent']);
    const location = redirected(out);
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe('declined');
  });

  it('still refuses an empty item in a comma list with invalid_scope (RFC 6749 §3.3)', async () => {
    const location = redirected(await authorizeAsUser(server, step1('openid,,profile'), alice));
    expect(location.searchParams.get('error')).toBe('invalid_scope');
  });

  it('still refuses a scope the client may not have with invalid_scope', async () => {
    const location = redirected(await authorizeAsUser(server, step1('openid,email'), alice));
    expect(location.searchParams.get('error')).toBe('invalid_scope');
    expect(location.searchParams.get('state')).toBe('moltin-state');
  });

  it('keeps the standard endpoints strict while the profile is on: comma scope is invalid_scope, no expires', async () => {
    const url = step1('openid,profile');
    url.pathname = '/oauth2/authorize';
    expect(redirected(await authorizeAsUser(server, url, alice)).searchParams.get('error')).toBe('invalid_scope');
    const code = redirected(await authorizeAsUser(server, step1('openid'), alice)).searchParams.get('code') ?? '';
    const tokens = await json(await step2(code, '/oauth2/token'));
    expect(tokens['expires_in']).toBe(3600);
    expect(tokens).not.toHaveProperty('expires');
  });

  it('refuses a code exchange with a wrong client secret with 401 invalid_client (RFC 6749 §5.2)', async () => {
    const code = redirected(await authorizeAsUser(server, step1('openid'), alice)).searchParams.get('code') ?? '';
    const res = await fetch(new URL('/oauth/access_token', server.url), {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: 'moltin-app', client_secret: 'x'.repeat(20), code, redirect_uri: REDIRECT }),
    });
    expect(res.status).toBe(401);
    expect(await json(res)).toMatchObject({ error: 'invalid_client' });
  });
});
