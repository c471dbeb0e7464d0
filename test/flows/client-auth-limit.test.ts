import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.ts';
import { basicAuth, post, postToken, WEB_APP_BASIC } from '../support/flow-helpers.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { migratedClient, PROFILE_SECRET, startProfileServer } from '../profiles/helpers.ts';

/**
 * Issue 10 defect 7: one per-address budget for every place a client secret is checked (token, revocation,
 * introspection, the profiles' token routes, redCORE's authorization endpoint), and a stricter one for failed client
 * authentications. The limits count requests, not time: a minute is far longer than any of these tests.
 */

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(rateLimit: NonNullable<ConfigInput['rateLimit']>, more: Partial<ConfigInput> = {}): Promise<TestServer> {
  const server = await startServer({ rateLimit, ...more });
  servers.push(server);
  return server;
}

const WRONG = basicAuth('web-app', 'wrong-secret-wrong-secret');
const token = (server: TestServer, authorization = WEB_APP_BASIC) => postToken(server, { grant_type: 'client_credentials' }, { authorization });
const introspect = (server: TestServer, authorization = WEB_APP_BASIC) => post(server, '/oauth2/introspect', { token: 'lk_at_unknown' }, { authorization });
const revoke = (server: TestServer, authorization = WEB_APP_BASIC) => post(server, '/oauth2/revoke', { token: 'lk_at_unknown' }, { authorization });

/** The 429 answer: JSON temporarily_unavailable, Retry-After in seconds, not cached. */
async function expectLimited(res: Response): Promise<void> {
  const text = await res.text();
  expect({ status: res.status, text }).toMatchObject({ status: 429 });
  expect(res.headers.get('content-type') ?? '').toMatch(/^application\/json/);
  expect(res.headers.get('cache-control') ?? '').toContain('no-store');
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(60);
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(body).toEqual({ error: 'temporarily_unavailable', error_description: expect.any(String) });
}

describe('one client-authentication budget per address (issue 10 defect 7)', () => {
  it('spans token, introspection and revocation: with tokenPerMinute 4, the 5th request on any of them gets 429 temporarily_unavailable', async () => {
    const server = await start({ tokenPerMinute: 4 });
    expect((await token(server)).status).toBe(200);
    expect((await introspect(server)).status).toBe(200);
    expect((await revoke(server)).status).toBe(200);
    expect((await token(server)).status).toBe(200);
    await expectLimited(await introspect(server));
    await expectLimited(await revoke(server));
    await expectLimited(await token(server));
  });

  it('counts failed client authentications against a stricter limit: after 3 wrong secrets on any endpoint, even the right secret gets 429', async () => {
    const server = await start({ tokenPerMinute: 100, clientAuthFailuresPerMinute: 3 });
    expect((await token(server, WRONG)).status).toBe(401);
    expect((await introspect(server, WRONG)).status).toBe(401);
    expect((await revoke(server, WRONG)).status).toBe(401);
    await expectLimited(await token(server));
    await expectLimited(await introspect(server));
  });

  it('does not count successful authentications, or requests refused for another reason, as failures', async () => {
    const server = await start({ tokenPerMinute: 100, clientAuthFailuresPerMinute: 2 });
    for (let i = 0; i < 6; i++) expect((await token(server)).status).toBe(200);
    // invalid_grant: the client authenticated; the grant was wrong.
    for (let i = 0; i < 3; i++) expect((await postToken(server, { grant_type: 'refresh_token', refresh_token: 'lk_rt_nope' }, { authorization: WEB_APP_BASIC })).status).toBe(400);
    expect((await token(server, WRONG)).status).toBe(401);
    expect((await introspect(server)).status).toBe(200);
  });

  it('holds against parallel guesses: of 20 simultaneous wrong secrets, only 3 are checked (401), the rest get 429', async () => {
    const server = await start({ tokenPerMinute: 100, clientAuthFailuresPerMinute: 3 });
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? token(server, WRONG) : introspect(server, WRONG))));
    await Promise.all(answers.map((r) => r.arrayBuffer()));
    const statuses = answers.map((r) => r.status);
    expect({ checked: statuses.filter((s) => s === 401).length, limited: statuses.filter((s) => s === 429).length }).toEqual({ checked: 3, limited: 17 });
  });

  it('limits another address separately (trustProxy)', async () => {
    const server = await start({ tokenPerMinute: 100, clientAuthFailuresPerMinute: 1 }, { trustProxy: true });
    const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });
    expect((await postToken(server, { grant_type: 'client_credentials' }, { authorization: WRONG, ...from('203.0.113.7') })).status).toBe(401);
    await expectLimited(await postToken(server, { grant_type: 'client_credentials' }, { authorization: WEB_APP_BASIC, ...from('203.0.113.7') }));
    expect((await postToken(server, { grant_type: 'client_credentials' }, { authorization: WEB_APP_BASIC, ...from('198.51.100.2') })).status).toBe(200);
  });
});

describe('the redCORE authorization endpoint checks client_secret, and is limited like the token endpoint (profiles: redcore)', () => {
  const REDIRECT = 'https://shop.example/redcore/callback';
  const authorize = (server: TestServer, secret: string) => {
    const url = new URL('/index.php?option=token&api=oauth2', server.url);
    for (const [k, v] of Object.entries({ client_id: 'redcore-app', client_secret: secret, redirect_uri: REDIRECT, response_type: 'code', state: 's' })) url.searchParams.set(k, v);
    return fetch(url, { redirect: 'manual' });
  };
  const startRedcore = async (rateLimit: NonNullable<ConfigInput['rateLimit']>) => {
    const server = await startProfileServer(['redcore'], [migratedClient('redcore-app', [REDIRECT])], { config: { rateLimit } });
    servers.push(server);
    return server;
  };

  it('after 2 wrong client_secret values in the authorization URL (401 error page), the right one gets a 429 page with Retry-After', async () => {
    const server = await startRedcore({ tokenPerMinute: 100, clientAuthFailuresPerMinute: 2 });
    for (let i = 0; i < 2; i++) {
      const res = await authorize(server, 'wrong-secret');
      expect(res.status).toBe(401);
      expect(await res.text()).toContain('invalid_client');
    }
    const res = await authorize(server, PROFILE_SECRET);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await res.text()).toContain('temporarily_unavailable');
  });

  it('shares the per-address budget with the redCORE token route and the standard endpoints', async () => {
    const server = await startRedcore({ tokenPerMinute: 3 });
    expect((await authorize(server, PROFILE_SECRET)).status).toBe(303);
    const profileToken = await fetch(new URL('/index.php?option=token&api=oauth2', server.url), {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'authorization_code', code: 'lk_ac_nope', client_id: 'redcore-app', client_secret: PROFILE_SECRET, redirect_uri: REDIRECT }),
    });
    expect(profileToken.status).toBe(400);
    expect((await introspect(server, basicAuth('redcore-app', PROFILE_SECRET))).status).toBe(200);
    expect((await authorize(server, PROFILE_SECRET)).status).toBe(429);
    await expectLimited(await introspect(server, basicAuth('redcore-app', PROFILE_SECRET)));
  });
});
