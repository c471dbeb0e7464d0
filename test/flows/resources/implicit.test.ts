import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, TEST_PASSWORD, TEST_SECRET, type TestServer } from '../../support/server.ts';
import { authorizeAsUser } from '../../support/user-agent.ts';
import { ACR_PASSWORD } from '../../../src/core/oidc/acr.ts';
import { apiRequest, discover, insecure, JWT_API, OPAQUE_API, resourcesConfig } from './fixtures.ts';

/** RFC 8707 with the implicit grant (where features.implicit is on): the access token from the authorization endpoint. */

const REDIRECT = 'https://implicit.example/cb';
let server: TestServer;
let as: oauth.AuthorizationServer;

beforeAll(async () => {
  const base = resourcesConfig();
  server = await startServer({
    ...base,
    features: { implicit: true },
    clients: [...(base.clients ?? []), { id: 'implicit-app', name: 'Implicit App', secret: TEST_SECRET, redirectUris: [REDIRECT], responseTypes: ['code', 'token'] }],
  });
  as = await discover(server.url);
});

afterAll(async () => {
  await server?.close();
});

function tokenRequest(resources: readonly string[]): URL {
  const url = new URL('/oauth2/authorize', server.url);
  for (const [k, v] of Object.entries({ response_type: 'token', client_id: 'implicit-app', redirect_uri: REDIRECT, scope: 'notes.read calendar.read', state: 'st' })) url.searchParams.set(k, v);
  for (const r of resources) url.searchParams.append('resource', r);
  return url;
}

describe('response_type=token with a resource (RFC 8707 §2.1, RFC 9068)', () => {
  it('returns a JWT access token for the JWT resource, scope narrowed to it, that oauth4webapi validates', async () => {
    const out = await authorizeAsUser(server, tokenRequest([JWT_API]), { username: 'alice', password: TEST_PASSWORD, decision: 'allow' });
    const fragment = new URLSearchParams(out.location?.hash.slice(1) ?? '');
    const token = fragment.get('access_token') ?? '';
    expect(fragment.get('scope')).toBe('notes.read');
    expect(fragment.get('expires_in')).toBe('300');
    const claims = await oauth.validateJwtAccessToken(as, apiRequest(token), JWT_API, insecure);
    expect(claims.client_id).toBe('implicit-app');
    // RFC 9068 §2.2.1: how the user signed in.
    expect(claims['acr']).toBe(ACR_PASSWORD);
  });

  it('redirects invalid_target for two resources: the one access token has one audience', async () => {
    const out = await authorizeAsUser(server, tokenRequest([JWT_API, OPAQUE_API]), { username: 'alice', password: TEST_PASSWORD, decision: 'allow' });
    expect(new URLSearchParams(out.location?.hash.slice(1) ?? '').get('error')).toBe('invalid_target');
  });
});
