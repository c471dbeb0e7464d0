import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.ts';
import { authorizeAsUser } from '../support/user-agent.ts';
import { alice, carol, json, migratedClient, php, phpAvailable, PROFILE_SECRET, redirected, startProfileServer, userinfo } from './helpers.ts';

/**
 * The Twitch document (seeds/001) against Latchkey with the `twitch` profile: the kraken paths, a form-encoded code
 * exchange built with http_build_query, and a token response whose scope is a JSON array.
 */

// The document registers http://localhost/; Latchkey refuses localhost (RFC 8252 §8.3), so the migrated client
// registers the loopback IP literal instead (docs/profiles.md).
const REDIRECT = 'http://127.0.0.1/';
const hasPhp = phpAvailable();
let server: TestServer;

beforeAll(async () => {
  server = await startProfileServer(['twitch'], [migratedClient('twitch-app', [REDIRECT])]);
});
afterAll(async () => {
  await server?.close();
});

const tokenUrl = () => new URL('/kraken/oauth2/token', server.url);
const authorizeUrl = (state: string, scope = 'openid profile') => {
  const url = new URL('/kraken/oauth2/authorize', server.url);
  url.search = new URLSearchParams({ response_type: 'code', client_id: 'twitch-app', redirect_uri: REDIRECT, scope, state }).toString();
  return url;
};
const exchangeBody = (code: string) =>
  new URLSearchParams({ client_id: 'twitch-app', client_secret: PROFILE_SECRET, grant_type: 'authorization_code', redirect_uri: REDIRECT, code });

describe.skipIf(!hasPhp)('the Twitch PHP client (seeds/001) with the twitch profile', () => {
  it('runs the whole flow: authorize with scope and state, form-encoded exchange, scope as an array, then the API', async () => {
    const { stdout: url } = await php('twitch-client.php', ['authorize-url', server.url, 'twitch-app', REDIRECT, 'openid profile', 'st-42']);
    const out = await authorizeAsUser(server, url.trim(), alice);
    expect(out.agent.seen).toEqual(['login', 'consent']);
    const location = redirected(out);
    expect(location.origin + location.pathname).toBe('http://127.0.0.1/');
    expect(location.searchParams.get('state')).toBe('st-42');
    const code = location.searchParams.get('code') ?? '';

    const { stdout, stderr } = await php('twitch-client.php', ['exchange', server.url, 'twitch-app', PROFILE_SECRET, REDIRECT, code]);
    expect(stderr).toMatch(/content-type: application\/x-www-form-urlencoded/i);
    const tokens = JSON.parse(stdout) as Record<string, unknown>;
    expect(tokens['scope']).toEqual(['openid', 'profile']);
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    expect(tokens['refresh_token']).toMatch(/^lk_rt_/);

    const me = await userinfo(server, String(tokens['access_token']));
    expect(me.status).toBe(200);
    expect(await json(me)).toMatchObject({ preferred_username: 'alice' });
  });

  it('prints invalid_client when the PHP client sends a wrong secret (RFC 6749 §5.2)', async () => {
    const code = redirected(await authorizeAsUser(server, authorizeUrl('s'), alice)).searchParams.get('code') ?? '';
    const { stdout } = await php('twitch-client.php', ['exchange', server.url, 'twitch-app', 'not-the-secret-0123456789', REDIRECT, code]);
    expect(JSON.parse(stdout)).toMatchObject({ error: 'invalid_client' });
  });
});

describe('twitch profile: /kraken/oauth2/authorize and /kraken/oauth2/token', () => {
  it('sends access_denied with the state when the user declines (RFC 6749 §4.1.2.1)', async () => {
    const out = await authorizeAsUser(server, authorizeUrl('declined-1'), carol);
    expect(out.agent.seen).toEqual(['login', 'consent']);
    const location = redirected(out);
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe('declined-1');
  });

  it('returns the scope as an array on refresh through the twitch route too', async () => {
    const code = redirected(await authorizeAsUser(server, authorizeUrl('s', 'openid profile'), alice)).searchParams.get('code') ?? '';
    const first = await json(await fetch(tokenUrl(), { method: 'POST', body: exchangeBody(code) }));
    const res = await fetch(tokenUrl(), {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: String(first['refresh_token']), scope: 'profile', client_id: 'twitch-app', client_secret: PROFILE_SECRET }),
    });
    expect(res.status).toBe(200);
    expect((await json(res))['scope']).toEqual(['profile']);
  });

  it('keeps the scope a string at the standard token endpoint while the profile is on', async () => {
    const code = redirected(await authorizeAsUser(server, authorizeUrl('s'), alice)).searchParams.get('code') ?? '';
    const res = await fetch(new URL('/oauth2/token', server.url), { method: 'POST', body: exchangeBody(code) });
    expect(res.status).toBe(200);
    expect((await json(res))['scope']).toBe('openid profile');
  });

  it('answers errors as standard JSON: a reused code is invalid_grant (RFC 6749 §5.2)', async () => {
    const code = redirected(await authorizeAsUser(server, authorizeUrl('s'), alice)).searchParams.get('code') ?? '';
    expect((await fetch(tokenUrl(), { method: 'POST', body: exchangeBody(code) })).status).toBe(200);
    const again = await fetch(tokenUrl(), { method: 'POST', body: exchangeBody(code) });
    expect(again.status).toBe(400);
    expect(again.headers.get('cache-control')).toBe('no-store');
    expect(await json(again)).toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses an unknown scope with invalid_scope, redirected with the state (RFC 6749 §4.1.2.1)', async () => {
    const location = redirected(await authorizeAsUser(server, authorizeUrl('s-9', 'openid user_read'), alice));
    expect(location.searchParams.get('error')).toBe('invalid_scope');
    expect(location.searchParams.get('state')).toBe('s-9');
  });

  it('refuses a redirect_uri that is not registered with an error page, not a redirect (RFC 6749 §4.1.2.1)', async () => {
    const url = authorizeUrl('s');
    url.searchParams.set('redirect_uri', 'http://localhost/evil');
    const out = await authorizeAsUser(server, url, alice);
    expect(out.location).toBeUndefined();
    expect(out.status).toBe(400);
    expect(out.html).toContain('invalid_request');
  });

  it('does not serve the token route on GET', async () => {
    expect((await fetch(tokenUrl())).status).toBe(404);
  });
});
