import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.ts';
import { redactUrl } from '../../src/http/log-redact.ts';
import type { TestServer } from '../support/server.ts';
import { authorizeAsUser, UserAgent, type UserChoices } from '../support/user-agent.ts';
import { alice, carol, json, logCapture, migratedClient, php, phpAvailable, PROFILE_SECRET, redirected, startProfileServer, userinfo } from './helpers.ts';

/**
 * The redCORE document (seeds/000) against Latchkey with the `redcore` profile: one URL for both endpoints, the
 * secret in the authorization URL, multipart token requests from PHP's curl, non-expiring code-flow tokens.
 */

const REDIRECT = 'https://shop.example/redcore/callback';
const hasPhp = phpAvailable();
const clock = new FakeClock();
const logs = logCapture();
let server: TestServer;

beforeAll(async () => {
  server = await startProfileServer(
    ['redcore'],
    [
      // As docs/profiles.md says: implicit allowed for this client, code-flow tokens that never expire, no PKCE.
      migratedClient('redcore-app', [REDIRECT], { responseTypes: ['code', 'token'], accessTokenTtl: 'never' }),
      migratedClient('redcore-plain', [REDIRECT]),
      // Registered to prove itself with HMAC assertions only: its secret must never be accepted in the clear.
      migratedClient('redcore-jwt', [REDIRECT], { tokenEndpointAuthMethod: 'client_secret_jwt' }),
    ],
    { config: { features: { implicit: true }, logLevel: 'info' }, clock, logStream: logs.stream },
  );
});
afterAll(async () => {
  await server?.close();
});

/** The document's authorization URL: client_id, client_secret, redirect_uri and response_type in the query. */
function authorizeUrl(responseType: string, extra: Record<string, string> = {}, clientId = 'redcore-app', secret = PROFILE_SECRET): URL {
  const url = new URL('/index.php?option=token&api=oauth2', server.url);
  for (const [k, v] of Object.entries({ client_id: clientId, client_secret: secret, redirect_uri: REDIRECT, response_type: responseType, ...extra })) {
    url.searchParams.set(k, v);
  }
  return url;
}

/** Exchanges a code the way the document does, with a form of the caller's choosing. */
const exchange = (body: FormData | URLSearchParams) => fetch(new URL('/index.php?option=token&api=oauth2', server.url), { method: 'POST', body });
const codeBody = (code: string, extra: Record<string, string> = {}) =>
  new URLSearchParams({ client_id: 'redcore-app', client_secret: PROFILE_SECRET, redirect_uri: REDIRECT, code, grant_type: 'authorization_code', ...extra });

async function codeFor(choices: UserChoices = alice, url = authorizeUrl('code')): Promise<string> {
  const location = redirected(await authorizeAsUser(server, url, choices));
  const code = location.searchParams.get('code');
  if (!code) throw new Error(`no code in ${location.search}`);
  return code;
}

describe.skipIf(!hasPhp)('the redCORE PHP client (seeds/000) with the redcore profile', () => {
  it('runs the whole code flow: authorize with the secret in the URL, multipart exchange, then the API', async () => {
    const { stdout: url } = await php('redcore-client.php', ['authorize-url', server.url, 'redcore-app', PROFILE_SECRET, REDIRECT, 'code']);
    const out = await authorizeAsUser(server, url.trim(), alice);
    expect(out.agent.seen).toEqual(['login', 'consent']);
    const location = redirected(out);
    expect(location.origin + location.pathname).toBe(REDIRECT);
    // The secret is never echoed back to the client's URL.
    expect(location.search).not.toContain(PROFILE_SECRET);
    const code = location.searchParams.get('code') ?? '';

    const { stdout, stderr } = await php('redcore-client.php', ['exchange', server.url, 'redcore-app', PROFILE_SECRET, REDIRECT, code]);
    expect(stderr).toMatch(/content-type: multipart\/form-data; boundary=/i);
    const tokens = JSON.parse(stdout) as Record<string, unknown>;
    expect(tokens).toMatchObject({ token_type: 'Bearer', scope: 'openid profile' });
    expect(tokens['access_token']).toMatch(/^lk_at_/);
    expect(tokens['refresh_token']).toMatch(/^lk_rt_/);
    // "These Tokens do not have an expiration time": expires_in is left out (RFC 6749 §5.1 RECOMMENDED only).
    expect(tokens).not.toHaveProperty('expires_in');

    clock.advance(5 * 365 * 24 * 3600);
    const me = await userinfo(server, String(tokens['access_token']));
    expect(me.status).toBe(200);
    expect(await json(me)).toMatchObject({ preferred_username: 'alice', name: 'Alice Liddell' });
  });

  it('prints invalid_grant when the PHP client exchanges a code twice (RFC 6749 §4.1.2)', async () => {
    const code = await codeFor();
    await php('redcore-client.php', ['exchange', server.url, 'redcore-app', PROFILE_SECRET, REDIRECT, code]);
    const { stdout } = await php('redcore-client.php', ['exchange', server.url, 'redcore-app', PROFILE_SECRET, REDIRECT, code]);
    expect(JSON.parse(stdout)).toMatchObject({ error: 'invalid_grant' });
  });
});

describe('redcore profile: authorization endpoint at GET /index.php?option=token&api=oauth2', () => {
  it('refuses a wrong client_secret with an invalid_client error page, never a redirect, never echoing it', async () => {
    const res = await new UserAgent(server.url).request(authorizeUrl('code', {}, 'redcore-app', 'wrong-secret-0123456789abcdef'));
    expect(res.status).toBe(401);
    expect(res.headers.get('location')).toBeNull();
    const page = await res.text();
    expect(page).toContain('invalid_client');
    expect(page).not.toContain('wrong-secret-0123456789abcdef');
  });

  it('refuses a client_secret for an unknown client with invalid_client, not a redirect', async () => {
    const res = await new UserAgent(server.url).request(authorizeUrl('code', {}, 'nobody'));
    expect(res.status).toBe(401);
    expect(res.headers.get('location')).toBeNull();
  });

  it('refuses a client_secret presented for a public client with invalid_client', async () => {
    const url = authorizeUrl('code', { redirect_uri: 'https://spa.example/cb' }, 'spa');
    const res = await new UserAgent(server.url).request(url);
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('invalid_client');
  });

  it('refuses the secret of a client_secret_jwt client in the URL: that secret only keys its assertions (RFC 7523 §2.2)', async () => {
    const res = await new UserAgent(server.url).request(authorizeUrl('code', {}, 'redcore-jwt'));
    expect(res.status).toBe(401);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('invalid_client');
  });

  it('never logs the client secret and warns once per client that sends it in the URL', async () => {
    await codeFor(alice, authorizeUrl('code', {}, 'redcore-plain'));
    await codeFor(alice, authorizeUrl('code', {}, 'redcore-plain'));
    await new UserAgent(server.url).request(authorizeUrl('code', {}, 'redcore-plain', 'wrong-secret-0123456789abcdef'));
    // The request URLs are logged (so the check below can fail), with the secret redacted.
    expect(logs.text()).toContain('client_secret=[redacted]');
    expect(logs.text()).not.toContain(PROFILE_SECRET);
    expect(logs.text()).not.toContain('wrong-secret-0123456789abcdef');
    const warnings = logs.events('client_secret_in_authorization_request').filter((e) => e['clientId'] === 'redcore-plain');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.['level']).toBe(40);
  });

  it('redacts client_secret from a logged request URL', () => {
    expect(redactUrl(`/index.php?option=token&api=oauth2&client_id=a&client_secret=${PROFILE_SECRET}&response_type=code`)).toBe(
      '/index.php?option=token&api=oauth2&client_id=a&client_secret=[redacted]&response_type=code',
    );
    expect(redactUrl(`/index.php?client%5Fsecret=${PROFILE_SECRET}`)).not.toContain(PROFILE_SECRET);
  });

  it('returns an access token in the fragment for response_type=token, which expires though the client says never (RFC 6749 §4.2.2)', async () => {
    const location = redirected(await authorizeAsUser(server, authorizeUrl('token'), alice));
    expect(location.search).toBe('');
    const fragment = new URLSearchParams(location.hash.slice(1));
    expect(fragment.get('token_type')).toBe('Bearer');
    expect(fragment.get('expires_in')).toBe('3600');
    expect(fragment.has('refresh_token')).toBe(false);
    const token = fragment.get('access_token') ?? '';
    expect((await userinfo(server, token)).status).toBe(200);
    clock.advance(3601);
    const expired = await userinfo(server, token);
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('sends access_denied to the redirect URI when the user declines (RFC 6749 §4.1.2.1)', async () => {
    const out = await authorizeAsUser(server, authorizeUrl('code'), carol);
    expect(out.agent.seen).toEqual(['login', 'consent']);
    const location = redirected(out);
    expect(location.origin + location.pathname).toBe(REDIRECT);
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.has('code')).toBe(false);
  });

  it('refuses response_type=token for a client that does not list it with unauthorized_client', async () => {
    const location = redirected(await authorizeAsUser(server, authorizeUrl('token', {}, 'redcore-plain'), alice));
    expect(new URLSearchParams(location.hash.slice(1)).get('error') ?? location.searchParams.get('error')).toBe('unauthorized_client');
  });

  it('answers 404 for another option or api value, or without them', async () => {
    const agent = new UserAgent(server.url);
    for (const query of ['option=com_content&api=oauth2', 'option=token&api=hal', 'option=token', '']) {
      const url = new URL(`/index.php?${query}`, server.url);
      url.searchParams.set('client_id', 'redcore-app');
      expect((await agent.request(url)).status, query).toBe(404);
    }
    const post = await fetch(new URL('/index.php?option=user&api=oauth2', server.url), { method: 'POST', body: codeBody('x') });
    expect(post.status).toBe(404);
    expect(await json(post)).toMatchObject({ error: 'invalid_request' });
  });
});

describe('redcore profile: token endpoint at POST /index.php?option=token&api=oauth2', () => {
  it('accepts a form-encoded code exchange as well as multipart', async () => {
    const res = await exchange(codeBody(await codeFor()));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await json(res)).toMatchObject({ token_type: 'Bearer' });
  });

  it('accepts a multipart code exchange sent by fetch, and non-expiring only for the client that asks', async () => {
    const form = new FormData();
    for (const [k, v] of codeBody(await codeFor(alice, authorizeUrl('code', {}, 'redcore-plain')), { client_id: 'redcore-plain' })) form.set(k, v);
    const res = await exchange(form);
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ expires_in: 3600 });
  });

  it('refuses a redirect_uri other than the authorization request one with invalid_grant (RFC 6749 §4.1.3)', async () => {
    const res = await exchange(codeBody(await codeFor(), { redirect_uri: 'https://shop.example/other' }));
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses a wrong client_secret with 401 invalid_client (RFC 6749 §5.2)', async () => {
    const res = await exchange(codeBody(await codeFor(), { client_secret: 'wrong-secret-0123456789abcdef' }));
    expect(res.status).toBe(401);
    expect(await json(res)).toMatchObject({ error: 'invalid_client' });
  });

  it('refuses a request without grant_type with invalid_request: redCORE clients send it', async () => {
    const body = codeBody('x');
    body.delete('grant_type');
    const res = await exchange(body);
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({ error: 'invalid_request' });
  });
});
