import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES, type ApiRoute } from '../../src/admin/api.ts';
import { FakeClock } from '../../src/core/clock.ts';
import { basicAuth, codeGrant, expectJsonError, expectTokens, obtainCode, post, postToken } from '../support/flow-helpers.ts';
import { ADMIN_API, ADMIN_CLI, ADMIN_CLI_REDIRECT, AdminApi, adminToken, expectApiError, startAdminServer } from '../support/admin.ts';
import { TEST_PASSWORD, type TestServer } from '../support/server.ts';
import { authorizeAsUser, authorizeUrl, UserAgent } from '../support/user-agent.ts';
import { pkcePair } from '../support/flow-helpers.ts';

/**
 * Who may call the admin API: an access token issued by this Latchkey (RFC 6750 §2.1), with the admin scope, of a
 * user who is an administrator now. Every route of the table is tried, so a route added later is covered too.
 */

const concrete = (r: ApiRoute) => r.path.replace(/\{[a-zA-Z]+\}/g, 'no-such-thing');
const body = (r: ApiRoute) => (r.body ? {} : undefined);
const each = API_ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const);

describe('admin API authorization (RFC 6750 §3.1)', () => {
  let server: TestServer;
  const clock = new FakeClock(Math.floor(Date.now() / 1000));
  let admin: string;
  let expired: string;
  let openidOnly: string;
  let demoted: string;

  beforeAll(async () => {
    server = await startAdminServer(
      {
        users: [
          { username: 'alice', password: TEST_PASSWORD },
          { username: 'root', password: TEST_PASSWORD, admin: true },
          { username: 'carol', password: TEST_PASSWORD, admin: true },
        ],
      },
      { clock },
    );
    expired = await adminToken(server);
    clock.advance(3601);
    admin = await adminToken(server);
    openidOnly = await adminToken(server, { scope: 'openid' });
    demoted = await adminToken(server, { username: 'carol' });
    const api = new AdminApi(server, admin);
    const users = (await api.get('/users?q=carol')).body as { items: { id: string }[] };
    const carol = users.items[0]?.id ?? '';
    expect((await api.patch(`/users/${carol}`, { isAdmin: false })).status).toBe(200);
  });

  afterAll(async () => {
    await server.close();
  });

  it.each(each)('%s without a token: 401 with a bare Bearer challenge and no error code', async (_name, route) => {
    const res = await new AdminApi(server, undefined).call(route.method, concrete(route), body(route));
    expectApiError(res, 401, 'invalid_token');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="latchkey-admin"(, DPoP algs="[^"]+")?$/);
  });

  it.each(each)('%s with an expired token: 401 invalid_token', async (_name, route) => {
    const res = await new AdminApi(server, expired).call(route.method, concrete(route), body(route));
    expectApiError(res, 401, 'invalid_token');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="latchkey-admin", error="invalid_token"/);
  });

  it.each(each)('%s with a token without the admin scope: 403 insufficient_scope naming the scope', async (_name, route) => {
    const res = await new AdminApi(server, openidOnly).call(route.method, concrete(route), body(route));
    expectApiError(res, 403, 'insufficient_scope');
    expect(res.headers.get('www-authenticate')).toContain('scope="admin"');
  });

  it.each(each)('%s with the admin-scoped token of a user who is no longer an administrator: 403 access_denied', async (_name, route) => {
    const res = await new AdminApi(server, demoted).call(route.method, concrete(route), body(route));
    expectApiError(res, 403, 'access_denied');
  });

  it.each(each)('%s with a valid administrator token gets past the guard (never 401/403)', async (_name, route) => {
    // Only reads are tried for real; writes to a missing entity end in 404/409/422, never in an auth error.
    const res = await new AdminApi(server, admin).call(route.method, concrete(route), body(route));
    expect([401, 403]).not.toContain(res.status);
    expect(res.status).toBeLessThan(500);
  });

  it('refuses an unknown or revoked token with 401 invalid_token', async () => {
    expectApiError(await new AdminApi(server, 'lk_at_not-a-token').get('/applications'), 401, 'invalid_token');
    const token = await adminToken(server);
    const revoke = await post(server, '/oauth2/revoke', { token, client_id: ADMIN_CLI });
    expect(revoke.status).toBe(200);
    expectApiError(await new AdminApi(server, token).get('/applications'), 401, 'invalid_token');
  });

  it('refuses a malformed Authorization header with 400 invalid_request, and a token in the query string as missing', async () => {
    expectApiError(await new AdminApi(server, undefined).call('GET', '/applications', undefined, { authorization: 'Bearer a b c' }), 400, 'invalid_request');
    const res = await fetch(`${server.url}${ADMIN_API}/applications?access_token=${encodeURIComponent(admin)}`);
    expect(res.status).toBe(401);
  });

  it('answers every call with Cache-Control: no-store', async () => {
    const res = await new AdminApi(server, admin).get('/settings/tokens');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('an unknown admin route is a JSON 404 not_found', async () => {
    expectApiError(await new AdminApi(server, admin).get('/nothing-here'), 404, 'not_found');
  });
});

describe('the admin scope is only for administrators, and only for clients registered with it', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startAdminServer({
      clients: [
        { id: 'web-app', name: 'Web App', secret: 'test-secret-0123456789abcdef', redirectUris: ['https://client.example/callback'], grantTypes: ['authorization_code', 'client_credentials'] },
        { id: ADMIN_CLI, name: 'Admin CLI', type: 'public', redirectUris: [ADMIN_CLI_REDIRECT], scopes: ['admin', 'openid'] },
        { id: 'ops-bot', name: 'Ops bot', secret: 'ops-bot-secret-0123456789', grantTypes: ['client_credentials'], scopes: ['admin'] },
      ],
    });
  });

  afterAll(async () => {
    await server.close();
  });

  it('redirects a non-administrator back with access_denied and issues no code (RFC 6749 §4.1.2.1)', async () => {
    const { challenge } = pkcePair();
    const url = authorizeUrl(server, { response_type: 'code', client_id: ADMIN_CLI, redirect_uri: ADMIN_CLI_REDIRECT, scope: 'admin', state: 's1', code_challenge: challenge, code_challenge_method: 'S256' });
    const out = await authorizeAsUser(server, url, { username: 'alice', password: TEST_PASSWORD, decision: 'allow' });
    expect(out.location?.searchParams.get('error')).toBe('access_denied');
    expect(out.location?.searchParams.get('state')).toBe('s1');
    expect(out.location?.searchParams.get('code')).toBeNull();
    // No consent page was shown for a scope the user could never grant.
    expect(out.agent.seen).not.toContain('consent');
  });

  it('refuses the admin scope to a client that does not list it, even when its scope list is open (invalid_scope)', async () => {
    const { challenge } = pkcePair();
    const url = authorizeUrl(server, { response_type: 'code', client_id: 'web-app', redirect_uri: 'https://client.example/callback', scope: 'openid admin', state: 's2', code_challenge: challenge, code_challenge_method: 'S256' });
    const out = await authorizeAsUser(server, url, { username: 'root', password: TEST_PASSWORD, decision: 'allow' });
    expect(out.location?.searchParams.get('error')).toBe('invalid_scope');
    const cc = await postToken(server, { grant_type: 'client_credentials', scope: 'admin' }, { authorization: basicAuth('web-app', 'test-secret-0123456789abcdef') });
    await expectJsonError(cc, 400, 'invalid_scope');
  });

  it('never issues the admin scope to a client acting for itself, even one registered with it: invalid_scope', async () => {
    // A client is not an administrator: the admin API wants a signed-in one (src/admin/auth.ts refuses a client token
    // with 403 as a second line), so the token endpoint does not issue admin through client_credentials at all.
    const ops = { authorization: basicAuth('ops-bot', 'ops-bot-secret-0123456789') };
    await expectJsonError(await postToken(server, { grant_type: 'client_credentials', scope: 'admin' }, ops), 400, 'invalid_scope');
    const tokens = await expectTokens(await postToken(server, { grant_type: 'client_credentials' }, ops));
    expect(tokens.scope).toBe('');
    expectApiError(await new AdminApi(server, tokens.access_token).get('/applications'), 403, 'insufficient_scope');
  });

  it('an administrator gets the admin scope and can call the API', async () => {
    const token = await adminToken(server);
    const res = await new AdminApi(server, token).get('/applications');
    expect(res.status).toBe(200);
  });

  it("a disabled administrator's token stops working: 401", async () => {
    const rootToken = await adminToken(server);
    const api = new AdminApi(server, rootToken);
    const created = await api.post('/users', { username: 'second-admin', password: TEST_PASSWORD, isAdmin: true });
    expect(created.status).toBe(201);
    const second = (created.body as { user: { id: string } }).user.id;
    const secondToken = await adminToken(server, { username: 'second-admin' });
    expect((await new AdminApi(server, secondToken).get('/users')).status).toBe(200);
    expect((await api.post(`/users/${second}/disable`)).status).toBe(200);
    expectApiError(await new AdminApi(server, secondToken).get('/users'), 401, 'invalid_token');
  });

  it("a disabled application's admin token stops working: 401, as at UserInfo and introspection", async () => {
    const api = new AdminApi(server, await adminToken(server));
    const ops = { id: 'ops-console', name: 'Ops console', type: 'public', redirectUris: [ADMIN_CLI_REDIRECT], scopes: ['admin'], grantTypes: ['authorization_code'] };
    expect((await api.post('/applications', ops)).status).toBe(201);
    const code = await obtainCode(new UserAgent(server.url), { clientId: ops.id, redirectUri: ADMIN_CLI_REDIRECT, scope: 'admin', username: 'root' });
    const opsToken = (await expectTokens(await postToken(server, { ...codeGrant(code), client_id: ops.id }))).access_token;
    expect((await new AdminApi(server, opsToken).get('/users')).status).toBe(200);
    expect((await api.post(`/applications/${ops.id}/disable`)).status).toBe(200);
    expectApiError(await new AdminApi(server, opsToken).get('/users'), 401, 'invalid_token');
    expect((await api.post(`/applications/${ops.id}/enable`)).status).toBe(200);
    expect((await new AdminApi(server, opsToken).get('/users')).status).toBe(200);
  });
});
