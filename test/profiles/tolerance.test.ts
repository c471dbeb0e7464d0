import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/load.ts';
import { buildLatchkey } from '../../src/main.ts';
import { PROFILE_NAMES } from '../../src/profiles/index.ts';
import type { TestServer } from '../support/server.ts';
import { authorizeAsUser, UserAgent } from '../support/user-agent.ts';
import { alice, json, logCapture, migratedClient, PROFILE_SECRET, redirected, startProfileServer } from './helpers.ts';

/**
 * Profiles add routes and never weaken the standard endpoints: with every profile off, the non-standard forms are
 * refused there and the profile paths do not exist; with every profile on, the standard endpoints answer the same.
 */

const REDIRECT = 'https://client.example/migrated';
const logs = logCapture();
let none: TestServer;
let all: TestServer;

beforeAll(async () => {
  const clients = [migratedClient('migrated', [REDIRECT])];
  none = await startProfileServer([], clients, { config: { logLevel: 'info' }, logStream: logs.stream });
  all = await startProfileServer([...PROFILE_NAMES], clients);
});
afterAll(async () => {
  await none?.close();
  await all?.close();
});

function standardAuthorize(server: TestServer, params: Record<string, string>): URL {
  const url = new URL('/oauth2/authorize', server.url);
  url.search = new URLSearchParams({ client_id: 'migrated', redirect_uri: REDIRECT, response_type: 'code', state: 'st', ...params }).toString();
  return url;
}

async function standardCode(server: TestServer): Promise<string> {
  return redirected(await authorizeAsUser(server, standardAuthorize(server, { scope: 'openid profile' }), alice)).searchParams.get('code') ?? '';
}

const postJson = (server: TestServer, path: string, body: Record<string, string>) =>
  fetch(new URL(path, server.url), { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

/** The same checks against the standard endpoints, with no profile and with every profile on. */
function standardEndpointsStayStrict(label: string, server: () => TestServer): void {
  describe(`standard endpoints with ${label}`, () => {
    it('refuse a JSON code exchange without grant_type with invalid_request (RFC 6749 §4.1.3)', async () => {
      const res = await postJson(server(), '/oauth2/token', { client_id: 'migrated', client_secret: PROFILE_SECRET, code: await standardCode(server()), redirect_uri: REDIRECT });
      expect(res.status).toBe(400);
      expect(await json(res)).toMatchObject({ error: 'invalid_request', error_description: 'grant_type is required' });
    });

    it('refuse a code exchange without the redirect_uri of the authorization request with invalid_grant (RFC 6749 §4.1.3)', async () => {
      const res = await postJson(server(), '/oauth2/token', { grant_type: 'authorization_code', client_id: 'migrated', client_secret: PROFILE_SECRET, code: await standardCode(server()) });
      expect(res.status).toBe(400);
      expect(await json(res)).toMatchObject({ error: 'invalid_grant' });
    });

    it('refuse a comma-separated scope with invalid_scope (RFC 6749 §3.3)', async () => {
      const location = redirected(await authorizeAsUser(server(), standardAuthorize(server(), { scope: 'openid,profile' }), alice));
      expect(location.searchParams.get('error')).toBe('invalid_scope');
      expect(location.searchParams.get('state')).toBe('st');
    });

    it('refuse an authorization request without response_type with invalid_request (RFC 6749 §4.1.1)', async () => {
      const url = standardAuthorize(server(), {});
      url.searchParams.delete('response_type');
      expect(redirected(await authorizeAsUser(server(), url, alice)).searchParams.get('error')).toBe('invalid_request');
    });

    it('ignore client_secret in the authorization request, right or wrong, as an unrecognised parameter (RFC 6749 §3.1)', async () => {
      for (const secret of [PROFILE_SECRET, 'wrong-secret-0123456789abcdef']) {
        const res = await new UserAgent(server().url).request(standardAuthorize(server(), { client_secret: secret }));
        expect(res.status).toBe(303);
        expect(res.headers.get('location')).toMatch(/^\/interaction\//);
      }
    });

    it('answer a code exchange with a space-separated scope string and no expires', async () => {
      const res = await postJson(server(), '/oauth2/token', { grant_type: 'authorization_code', client_id: 'migrated', client_secret: PROFILE_SECRET, code: await standardCode(server()), redirect_uri: REDIRECT });
      const body = await json(res);
      // id_token: the scope has openid (OpenID Connect Core §3.1.3.3).
      expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'id_token', 'refresh_token', 'scope', 'token_type']);
      expect(body['scope']).toBe('openid profile');
    });
  });
}

standardEndpointsStayStrict('no profile', () => none);
standardEndpointsStayStrict('every profile on', () => all);

describe('with every profile off', () => {
  it('has none of the profile paths (404)', async () => {
    const agent = new UserAgent(none.url);
    const gets = ['/index.php?option=token&api=oauth2&client_id=migrated', '/kraken/oauth2/authorize?client_id=migrated', '/oauth?client_id=migrated', '/login/oauth/authorize?client_id=migrated'];
    for (const path of gets) expect((await agent.request(new URL(path, none.url))).status, path).toBe(404);
    for (const path of ['/index.php?option=token&api=oauth2', '/kraken/oauth2/token', '/oauth/access_token', '/login/oauth/access_token']) {
      const res = await postJson(none, path, { client_id: 'migrated', client_secret: PROFILE_SECRET, code: 'lk_ac_x' });
      expect(res.status, path).toBe(404);
      expect(await json(res)).toMatchObject({ error: 'invalid_request' });
    }
  });

  // Runs after the suites above, which sent client_secret to the standard endpoint of this server.
  it('never logs a client_secret sent in a standard authorization request', () => {
    expect(logs.text()).toContain('client_secret=[redacted]');
    expect(logs.text()).not.toContain(PROFILE_SECRET);
    expect(logs.text()).not.toContain('wrong-secret-0123456789abcdef');
  });
});

describe('with every profile on', () => {
  it('publishes the same discovery document as with none (RFC 8414 §2)', async () => {
    const doc = async (s: TestServer) => JSON.stringify(await json(await fetch(new URL('/.well-known/oauth-authorization-server', s.url)))).replaceAll(s.url, 'ISSUER');
    const withAll = await doc(all);
    expect(withAll).toBe(await doc(none));
    expect(withAll).toContain('"token_endpoint":"ISSUER/oauth2/token"');
    expect(withAll).not.toMatch(/kraken|index\.php|\/oauth\/|login\/oauth/);
  });
});

describe('profile configuration', () => {
  it('refuses an unknown profile name at start-up, naming the key', () => {
    expect(() => parseConfig({ profiles: ['github'] })).toThrow(/profiles\.0/);
  });

  it('refuses a profile whose path is a configured standard path, naming both', async () => {
    const config = parseConfig({ database: ':memory:', demo: false, logLevel: 'silent', profiles: ['moltin'], paths: { authorization: '/oauth' } });
    const err = await buildLatchkey(config).then(
      async (lk) => {
        await lk.close();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/profiles: moltin needs \/oauth, which paths\.authorization already uses/);
  });

  it('defaults to no profile', () => {
    expect(parseConfig({}).profiles).toEqual([]);
  });
});
