import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { FakeClock } from '../../src/core/clock.ts';
import type { TestServer } from '../support/server.ts';
import { authorizeAsUser } from '../support/user-agent.ts';
import { alice, json, migratedClient, PROFILE_SECRET, redirected, startProfileServer, userinfo } from './helpers.ts';

/**
 * The per-client `accessTokenTtl: "never"` setting (redCORE: "These Tokens do not have an expiration time"), at the
 * standard endpoints: tokens without expiry and without expires_in (RFC 6749 §5.1: RECOMMENDED), for that client only.
 */

const REDIRECT = 'https://client.example/forever';
const clock = new FakeClock();
let server: TestServer;

beforeAll(async () => {
  server = await startProfileServer([], [migratedClient('forever', [REDIRECT], { accessTokenTtl: 'never', grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'] })], { clock });
});
afterAll(async () => {
  await server?.close();
});

const token = (body: Record<string, string>) =>
  fetch(new URL('/oauth2/token', server.url), { method: 'POST', body: new URLSearchParams({ client_id: 'forever', client_secret: PROFILE_SECRET, ...body }) });

async function codeTokens(): Promise<Record<string, unknown>> {
  const url = new URL('/oauth2/authorize', server.url);
  url.search = new URLSearchParams({ response_type: 'code', client_id: 'forever', redirect_uri: REDIRECT, scope: 'openid profile' }).toString();
  const code = redirected(await authorizeAsUser(server, url, alice)).searchParams.get('code') ?? '';
  return json(await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT }));
}

describe('client accessTokenTtl "never"', () => {
  it('issues code-flow access tokens without expires_in that still work years later, and introspect without exp', async () => {
    const tokens = await codeTokens();
    expect(tokens['access_token']).toMatch(/^lk_at_/);
    expect(tokens).not.toHaveProperty('expires_in');
    clock.advance(10 * 365 * 24 * 3600);
    expect((await userinfo(server, String(tokens['access_token']))).status).toBe(200);
    const res = await fetch(new URL('/oauth2/introspect', server.url), {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`forever:${PROFILE_SECRET}`).toString('base64')}` },
      body: new URLSearchParams({ token: String(tokens['access_token']) }),
    });
    const info = await json(res);
    expect(info['active']).toBe(true);
    expect(info).not.toHaveProperty('exp');
  });

  it('keeps refreshed access tokens non-expiring too', async () => {
    const first = await codeTokens();
    const next = await json(await token({ grant_type: 'refresh_token', refresh_token: String(first['refresh_token']) }));
    expect(next['access_token']).toMatch(/^lk_at_/);
    expect(next).not.toHaveProperty('expires_in');
  });

  it('leaves other clients on the server default (3600 s)', async () => {
    const res = await fetch(new URL('/oauth2/token', server.url), {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'web-app', client_secret: 'test-secret-0123456789abcdef' }),
    });
    expect(await json(res)).toMatchObject({ expires_in: 3600 });
  });

  it('is accepted by the config schema as "never" or seconds, and nothing else', () => {
    const client = (accessTokenTtl: unknown) => ({ clients: [{ id: 'c', name: 'C', secret: PROFILE_SECRET, accessTokenTtl }] });
    expect(parseConfig(client('never')).clients[0]?.accessTokenTtl).toBe('never');
    expect(parseConfig(client(600)).clients[0]?.accessTokenTtl).toBe(600);
    for (const bad of ['forever', 0, -1, 1.5]) expect(() => parseConfig(client(bad)), String(bad)).toThrow(/clients\.0\.accessTokenTtl/);
  });
});
