import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, codeGrant, expectJsonError, expectTokens, obtainCode, postToken } from '../support/flow-helpers.ts';
import { startServer, testConfig, type TestServer } from '../support/server.ts';
import { UserAgent } from '../support/user-agent.ts';

/**
 * Scope rules found by real clients (issue 10): declared scopes add to the built-in ones, internal scopes stay out of
 * the metadata, and client_credentials grants only scopes that mean something without a user.
 */

const SECRET = 'scope-rules-secret-0123456789';
let server: TestServer;

beforeAll(async () => {
  server = await startServer({
    // Declaring a scope must not drop openid, profile and email.
    scopes: [
      { name: 'reports:read', description: 'Read your reports' },
      { name: 'contacts', description: 'See your contacts', claims: ['email'] },
    ],
    clients: [
      ...(testConfig().clients ?? []),
      { id: 'service', name: 'Service', secret: SECRET, grantTypes: ['client_credentials'], responseTypes: [], scopes: ['reports:read', 'profile', 'openid', 'contacts'] },
      { id: 'ops', name: 'Ops script', secret: SECRET, grantTypes: ['client_credentials'], responseTypes: [], scopes: ['admin', 'reports:read'] },
      { id: 'oidc-app', name: 'OIDC App', secret: SECRET, redirectUris: ['https://oidc.example/cb'], scopes: ['openid', 'profile', 'email', 'reports:read'] },
    ],
  });
});

afterAll(async () => {
  await server?.close();
});

const clientCredentials = (id: string, scope?: string) =>
  postToken(server, { grant_type: 'client_credentials', ...(scope === undefined ? {} : { scope }) }, { authorization: basicAuth(id, SECRET) });

describe('declared scopes add to the built-in ones', () => {
  it('keeps openid, profile and email when the config file declares other scopes', async () => {
    const scope = 'openid profile email reports:read';
    const code = await obtainCode(new UserAgent(server.url), { clientId: 'oidc-app', redirectUri: 'https://oidc.example/cb', scope });
    const tokens = await expectTokens(await postToken(server, codeGrant(code), { authorization: basicAuth('oidc-app', SECRET) }));
    expect(tokens.scope).toBe(scope);
  });
});

describe('authorization server metadata (RFC 8414 §2)', () => {
  it('lists the declared and built-in scopes in scopes_supported, but not the internal admin scope', async () => {
    const issuer = new URL(server.latchkey.deps.config.issuer);
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', [oauth.allowInsecureRequests]: true }));
    expect(as.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'reports:read', 'contacts']));
    expect(as.scopes_supported).not.toContain('admin');
  });
});

describe('client_credentials grants only scopes that make sense without a user (RFC 6749 §4.4, §3.3)', () => {
  it('grants, when scope is omitted, the registered scopes that need no user', async () => {
    const body = await expectTokens(await clientCredentials('service'));
    expect(body.scope).toBe('reports:read');
  });

  it.each([
    ['profile', 'an OpenID Connect user scope'],
    ['openid', 'the OpenID Connect scope'],
    ['contacts', 'a scope that releases user claims'],
    ['reports:read profile', 'a mix'],
  ])('refuses an explicit request for %s (%s) with 400 invalid_scope (RFC 6749 §5.2)', async (scope) => {
    const body = await expectJsonError(await clientCredentials('service', scope), 400, 'invalid_scope');
    expect(String(body['error_description'])).toMatch(/needs? a (signed-in )?user/);
  });

  it('grants an explicit request for a scope that needs no user', async () => {
    expect((await expectTokens(await clientCredentials('service', 'reports:read'))).scope).toBe('reports:read');
  });

  it('never grants the admin scope to a client acting for itself: a client is not an administrator', async () => {
    await expectJsonError(await clientCredentials('ops', 'admin'), 400, 'invalid_scope');
    expect((await expectTokens(await clientCredentials('ops'))).scope).toBe('reports:read');
  });
});

describe('a client that lists an unknown scope stops start-up', () => {
  it('names the client and the scope', async () => {
    const clients = [{ id: 'calendar-app', name: 'Calendar', secret: SECRET, redirectUris: ['https://cal.example/cb'], scopes: ['openid', 'calendar'] }];
    await expect(startServer({ clients })).rejects.toThrow(/clients\.0\.scopes: client "calendar-app" lists the unknown scope "calendar"/);
  });

  it('names a built-in scope the file removed', async () => {
    const clients = [{ id: 'mail-app', name: 'Mail', secret: SECRET, redirectUris: ['https://mail.example/cb'], scopes: ['email'] }];
    await expect(startServer({ scopes: [{ name: 'email', remove: true }], clients })).rejects.toThrow(/client "mail-app" lists the unknown scope "email"/);
  });
});
