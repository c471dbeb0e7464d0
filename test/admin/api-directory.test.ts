import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES } from '../../src/admin/api.ts';
import { auditEventView, grantView, pageOf, scopeView, sessionView, tokenSettingsView } from '../../src/admin/schemas.ts';
import { bearer, codeGrant, expectJsonError, expectTokens, obtainCode, post, postToken, WEB_APP_BASIC } from '../support/flow-helpers.ts';
import { ADMIN_API, AdminApi, adminToken, expectApiError, expectFieldError, startAdminServer } from '../support/admin.ts';
import { TEST_PASSWORD, TEST_SECRET, type TestServer } from '../support/server.ts';
import { authorizeUrl, UserAgent } from '../support/user-agent.ts';

/** Scopes, token settings, grants and sessions, the audit log, and the OpenAPI document. */

const grantPage = pageOf(grantView);
const sessionPage = pageOf(sessionView);
const auditPage = pageOf(auditEventView);

describe('admin API: scopes, settings, grants, sessions, audit log', () => {
  let server: TestServer;
  let api: AdminApi;
  let aliceId: string;

  beforeAll(async () => {
    server = await startAdminServer();
    api = new AdminApi(server, await adminToken(server));
    aliceId = ((await api.get('/users?q=alice')).body as { items: { id: string }[] }).items[0]?.id ?? '';
  });

  afterAll(async () => {
    await server.close();
  });

  const aliceTokens = async () => {
    const agent = new UserAgent(server.url);
    return expectTokens(await postToken(server, codeGrant(await obtainCode(agent)), { authorization: WEB_APP_BASIC }));
  };

  describe('scopes', () => {
    it('lists the scopes, the admin scope marked built in', async () => {
      const res = await api.get('/scopes');
      const items = (res.body as { items: unknown[] }).items.map((s) => scopeView.parse(s));
      expect(items.map((s) => s.name)).toEqual(['admin', 'email', 'offline_access', 'openid', 'profile']);
      expect(items.find((s) => s.name === 'admin')?.builtIn).toBe(true);
    });

    it('creates (201) then replaces (200) a scope; the consent page and /userinfo use it', async () => {
      const created = await api.put('/scopes/calendar.read', { description: 'Read your calendar' });
      expect(created.status).toBe(201);
      expect(scopeView.parse(created.body)).toEqual({ name: 'calendar.read', description: 'Read your calendar', claims: [], builtIn: false });
      const replaced = await api.put('/scopes/calendar.read', { description: 'See your calendar', claims: ['email'] });
      expect(replaced.status).toBe(200);
      expect(scopeView.parse(replaced.body).claims).toEqual(['email']);
      const consent = await new UserAgent(server.url).start(authorizeUrl(server, { response_type: 'code', client_id: 'web-app', redirect_uri: 'https://client.example/callback', scope: 'calendar.read', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' }));
      expect(consent.page).toBe('login');
    });

    it('validation: a name with a space, an unknown claim, an empty description (422)', async () => {
      expectFieldError(await api.put('/scopes/bad%20name', { description: 'x' }), 'name');
      expect(expectFieldError(await api.put('/scopes/ok', { description: 'x', claims: ['password'] }), 'claims')).toMatch(/^item 1:/);
      expectFieldError(await api.put('/scopes/ok', { description: ' ' }), 'description');
      expectFieldError(await api.put('/scopes/ok', {}), 'description');
    });

    it('refuses to change or delete the admin scope, and to delete a scope an application lists (409)', async () => {
      expectApiError(await api.put('/scopes/admin', { description: 'mine' }), 409, 'conflict');
      expectApiError(await api.delete('/scopes/admin'), 409, 'conflict');
      const inUse = await api.delete('/scopes/openid');
      expectApiError(inUse, 409, 'conflict');
      expect((inUse.body as { error_description: string }).error_description).toContain('admin-cli');
    });

    it('deletes an unused scope (204), then 404', async () => {
      await api.put('/scopes/temporary', { description: 'Temporary' });
      expect((await api.delete('/scopes/temporary')).status).toBe(204);
      expectApiError(await api.delete('/scopes/temporary'), 404, 'not_found');
    });
  });

  describe('token settings', () => {
    it("reads the configuration file's lifetimes; a change applies to the next token issued; null goes back", async () => {
      const before = tokenSettingsView.parse((await api.get('/settings/tokens')).body);
      expect(before).toMatchObject({ accessTokenTtl: 3600, refreshTokenTtl: 2592000, codeTtl: 60, refreshTokenGraceSeconds: 0, overridden: [] });
      const changed = await api.patch('/settings/tokens', { accessTokenTtl: 120, refreshTokenTtl: 'never' });
      expect(changed.status).toBe(200);
      expect(tokenSettingsView.parse(changed.body)).toMatchObject({ accessTokenTtl: 120, refreshTokenTtl: 'never', overridden: ['accessTokenTtl', 'refreshTokenTtl'], configured: { accessTokenTtl: 3600 } });
      const cc = await expectTokens(await postToken(server, { grant_type: 'client_credentials' }, { authorization: WEB_APP_BASIC }));
      expect((cc as unknown as { expires_in: number }).expires_in).toBe(120);
      const back = await api.patch('/settings/tokens', { accessTokenTtl: null, refreshTokenTtl: null });
      expect(tokenSettingsView.parse(back.body)).toMatchObject({ accessTokenTtl: 3600, refreshTokenTtl: 2592000, overridden: [] });
      const cc2 = await expectTokens(await postToken(server, { grant_type: 'client_credentials' }, { authorization: WEB_APP_BASIC }));
      expect((cc2 as unknown as { expires_in: number }).expires_in).toBe(3600);
    });

    it('survives a restart: the setting is in the database, not in memory', async () => {
      expect((await api.patch('/settings/tokens', { codeTtl: 30 })).status).toBe(200);
      const tokens = server.latchkey.deps.config.tokens;
      expect(tokens.codeTtl).toBe(30);
      // What another node (or this one after a restart) would read:
      expect(await server.latchkey.storage.repos.settings.all()).toMatchObject({ 'tokens.codeTtl': 30 });
      expect((await api.patch('/settings/tokens', { codeTtl: null })).status).toBe(200);
      expect(await server.latchkey.storage.repos.settings.all()).toEqual({});
    });

    it('validation: zero, a word, too long a code lifetime or retry window, nothing to change, an unknown key (422)', async () => {
      expectFieldError(await api.patch('/settings/tokens', { accessTokenTtl: 0 }), 'accessTokenTtl');
      expectFieldError(await api.patch('/settings/tokens', { accessTokenTtl: 'never' }), 'accessTokenTtl');
      expectFieldError(await api.patch('/settings/tokens', { codeTtl: 3600 }), 'codeTtl');
      expectFieldError(await api.patch('/settings/tokens', { refreshTokenGraceSeconds: 301 }), 'refreshTokenGraceSeconds');
      expectFieldError(await api.patch('/settings/tokens', {}), 'body');
      expectFieldError(await api.patch('/settings/tokens', { idTokenTtl: 60 }), 'idTokenTtl');
    });
  });

  describe('grants and sessions', () => {
    it("lists a user's active grant with its tokens; revoking it kills the tokens and drops it from the list", async () => {
      const tokens = await aliceTokens();
      const listed = grantPage.parse((await api.get(`/grants?userId=${aliceId}&clientId=web-app`)).body);
      expect(listed.items).toHaveLength(1);
      const grant = listed.items[0];
      expect(grant).toMatchObject({ clientId: 'web-app', clientName: 'Web App', userId: aliceId, username: 'alice', scope: ['openid', 'profile'], activeTokens: 2, revokedAt: null });
      expect((await api.delete(`/grants/${grant?.id}`)).status).toBe(204);
      expect((await bearer(server, tokens.access_token)).status).toBe(401);
      await expectJsonError(await postToken(server, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token ?? '' }, { authorization: WEB_APP_BASIC }), 400, 'invalid_grant');
      expect(grantPage.parse((await api.get(`/grants?userId=${aliceId}&clientId=web-app`)).body).items).toHaveLength(0);
      const all = grantPage.parse((await api.get(`/grants?userId=${aliceId}&clientId=web-app&active=false`)).body);
      expect(all.items[0]).toMatchObject({ id: grant?.id, revokedAt: expect.any(String), activeTokens: 0 });
      expectApiError(await api.delete('/grants/no-such-grant'), 404, 'not_found');
    });

    it('pages through grants, newest first', async () => {
      for (let i = 0; i < 3; i++) await aliceTokens();
      const first = grantPage.parse((await api.get(`/grants?userId=${aliceId}&limit=2`)).body);
      expect(first.items).toHaveLength(2);
      expect(first.nextCursor).not.toBeNull();
      const second = grantPage.parse((await api.get(`/grants?userId=${aliceId}&limit=2&cursor=${encodeURIComponent(first.nextCursor ?? '')}`)).body);
      expect(second.items.length).toBeGreaterThanOrEqual(1);
      expect(new Set([...first.items, ...second.items].map((g) => g.id)).size).toBe(first.items.length + second.items.length);
      expectFieldError(await api.get('/grants?active=maybe'), 'active');
    });

    it('lists sessions and ends one (204); the person must sign in again; ending it twice is 404', async () => {
      const agent = new UserAgent(server.url);
      await obtainCode(agent);
      const sessions = sessionPage.parse((await api.get(`/sessions?userId=${aliceId}`)).body);
      expect(sessions.items.length).toBeGreaterThanOrEqual(1);
      for (const s of sessions.items) expect((await api.delete(`/sessions/${encodeURIComponent(s.id)}`)).status).toBe(204);
      expectApiError(await api.delete(`/sessions/${encodeURIComponent(sessions.items[0]?.id ?? '')}`), 404, 'not_found');
      const again = await agent.start(authorizeUrl(server, { response_type: 'code', client_id: 'web-app', redirect_uri: 'https://client.example/callback', scope: 'openid', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' }));
      expect(again.page).toBe('login');
    });

    it('signs a user out everywhere (204)', async () => {
      await obtainCode(new UserAgent(server.url));
      await obtainCode(new UserAgent(server.url));
      expect((await api.delete(`/users/${aliceId}/sessions`)).status).toBe(204);
      expect(sessionPage.parse((await api.get(`/sessions?userId=${aliceId}`)).body).items).toHaveLength(0);
      expectApiError(await api.delete('/users/nobody/sessions'), 404, 'not_found');
    });
  });

  describe('audit log', () => {
    const events = async (query: string) => {
      const res = await api.get(`/audit-events?${query}`);
      expect(res.status, res.text).toBe(200);
      return auditPage.parse(res.body).items;
    };

    it('records an administrative action with who, what, when and from where', async () => {
      await api.post('/applications', { name: 'Audited', id: 'audited', redirectUris: ['https://audited.example/cb'] });
      const [e] = await events('type=client.created&client=audited');
      expect(e).toMatchObject({ type: 'client.created', actorUsername: 'root', actorClientId: 'admin-cli', clientId: 'audited', ip: '127.0.0.1' });
      expect(Date.now() - Date.parse(e?.at ?? '')).toBeLessThan(60_000);
    });

    it('records sign-ins, failed sign-ins and lockouts with the username and address', async () => {
      const agent = new UserAgent(server.url);
      const url = authorizeUrl(server, { response_type: 'code', client_id: 'web-app', redirect_uri: 'https://client.example/callback', scope: 'openid', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' });
      let page = await agent.start(url);
      // Five free failures, then a lock that doubles with each failure. On a loaded machine the first 1 s lock may
      // lapse before the next attempt, so keep guessing until a lockout is recorded (locks grow: it soon must be).
      for (let i = 0; i < 10 && (await events('type=login.locked')).length === 0; i++) {
        page = await agent.login(page, 'mallory-target', `guess-${i}`);
      }
      const failed = await events('type=login.failed');
      expect(failed.filter((e) => e.details['username'] === 'mallory-target').length).toBeGreaterThanOrEqual(5);
      expect(failed[0]).toMatchObject({ ip: '127.0.0.1', clientId: 'web-app', details: { reason: 'bad_credentials' } });
      const locked = await events('type=login.locked');
      expect(locked[0]?.details).toMatchObject({ username: 'mallory-target' });
      await obtainCode(new UserAgent(server.url));
      expect((await events(`type=login.succeeded&user=${aliceId}`)).length).toBeGreaterThanOrEqual(1);
    });

    it('records a consent, a revocation (RFC 7009), a refresh-token reuse and a code replay', async () => {
      const agent = new UserAgent(server.url);
      await api.put('/scopes/notes', { description: 'Your notes' });
      await api.patch('/applications/web-app', { scopes: ['openid', 'profile', 'notes'] });
      const code = await obtainCode(agent, { scope: 'notes' });
      expect((await events(`type=consent.granted&user=${aliceId}&client=web-app`))[0]?.details['scope']).toEqual(['openid', 'profile', 'notes']);

      const tokens = await expectTokens(await postToken(server, codeGrant(code), { authorization: WEB_APP_BASIC }));
      await expectJsonError(await postToken(server, codeGrant(code), { authorization: WEB_APP_BASIC }), 400, 'invalid_grant');
      expect((await events('type=code.replayed&client=web-app'))[0]).toMatchObject({ actorClientId: 'web-app', userId: aliceId, ip: '127.0.0.1' });

      const fresh = await aliceTokens();
      await expectTokens(await postToken(server, { grant_type: 'refresh_token', refresh_token: fresh.refresh_token ?? '' }, { authorization: WEB_APP_BASIC }));
      await expectJsonError(await postToken(server, { grant_type: 'refresh_token', refresh_token: fresh.refresh_token ?? '' }, { authorization: WEB_APP_BASIC }), 400, 'invalid_grant');
      expect((await events('type=refresh_token.reused'))[0]).toMatchObject({ clientId: 'web-app', userId: aliceId, ip: '127.0.0.1' });

      expect((await post(server, '/oauth2/revoke', { token: tokens.access_token }, { authorization: WEB_APP_BASIC })).status).toBe(200);
      expect((await events('type=token.revoked'))[0]).toMatchObject({ actorClientId: 'web-app', details: { tokenType: 'access_token' } });
    });

    it('never holds a secret: no token, code, client secret or password in any event', async () => {
      const created = await api.post('/applications', { name: 'Secretive', id: 'secretive', grantTypes: ['client_credentials'], responseTypes: [] });
      const secret = (created.body as { clientSecret: string }).clientSecret;
      await api.post('/applications/secretive/rotate-secret');
      await api.post('/users', { username: 'pw-user', password: 'a-password-never-logged' });
      const all: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await api.get(`/audit-events?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        all.push(res.text);
        cursor = auditPage.parse(res.body).nextCursor;
      } while (cursor !== null);
      const text = all.join('\n');
      expect(text).not.toContain(secret);
      expect(text).not.toContain('a-password-never-logged');
      expect(text).not.toContain(TEST_PASSWORD);
      expect(text).not.toContain(TEST_SECRET);
      expect(text).not.toMatch(/lk_(at|rt|ac|cs|ss)_/);
      expect(text).toContain('client.secret_rotated');
    });

    it('filters by type, actor, client, user and time range, and pages newest first', async () => {
      const rootId = ((await api.get('/users?q=root')).body as { items: { id: string }[] }).items[0]?.id ?? '';
      const byActor = await events(`actor=${rootId}&limit=100`);
      expect(byActor.length).toBeGreaterThan(0);
      expect(byActor.every((e) => e.actorUserId === rootId)).toBe(true);
      const byClient = await events('client=secretive');
      expect(byClient.map((e) => e.type)).toEqual(['client.secret_rotated', 'client.created']);
      const byUser = await events(`user=${aliceId}&type=consent.granted`);
      expect(byUser.every((e) => e.userId === aliceId || e.actorUserId === aliceId)).toBe(true);
      expect(await events('since=2000-01-01&until=2000-12-31T23:59Z')).toEqual([]);
      const now = Math.floor(Date.now() / 1000);
      expect((await events(`since=${now - 600}&until=${now + 600}`)).length).toBeGreaterThan(0);
      const page1 = auditPage.parse((await api.get('/audit-events?limit=3')).body);
      const page2 = auditPage.parse((await api.get(`/audit-events?limit=3&cursor=${encodeURIComponent(page1.nextCursor ?? '')}`)).body);
      const times = [...page1.items, ...page2.items].map((e) => e.at);
      expect(times).toEqual([...times].sort().reverse());
      expect(new Set([...page1.items, ...page2.items].map((e) => e.id)).size).toBe(6);
    });

    it('validation: an unknown event type, a malformed time (422 naming the filter)', async () => {
      expectFieldError(await api.get('/audit-events?type=made.up'), 'type');
      expectFieldError(await api.get('/audit-events?since=yesterday'), 'since');
      expectFieldError(await api.get('/audit-events?until=2025-13-45'), 'until');
    });
  });
});

describe('the OpenAPI 3.1 document', () => {
  let server: TestServer;
  let doc: Record<string, unknown>;

  beforeAll(async () => {
    server = await startAdminServer();
    const res = await fetch(`${server.url}${ADMIN_API}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    doc = (await res.json()) as Record<string, unknown>;
  });

  afterAll(async () => {
    await server.close();
  });

  it('is OpenAPI 3.1 with this server, and the OAuth 2 flow that gives admin tokens', () => {
    expect(doc['openapi']).toBe('3.1.0');
    expect(doc['servers']).toEqual([{ url: `${server.url}${ADMIN_API}` }]);
    const scheme = (doc['components'] as { securitySchemes: Record<string, { flows: { authorizationCode: Record<string, unknown> } }> }).securitySchemes['latchkey'];
    expect(scheme?.flows.authorizationCode).toMatchObject({ authorizationUrl: `${server.url}/oauth2/authorize`, tokenUrl: `${server.url}/oauth2/token`, scopes: { admin: expect.any(String) } });
  });

  it('describes every route of the API, with its errors', () => {
    const paths = doc['paths'] as Record<string, Record<string, { responses: Record<string, unknown>; requestBody?: unknown }>>;
    for (const r of API_ROUTES) {
      const op = paths[r.path]?.[r.method.toLowerCase()];
      expect(op, `${r.method} ${r.path}`).toBeDefined();
      expect(Object.keys(op?.responses ?? {})).toEqual(expect.arrayContaining(['401', '403']));
      if (r.body) expect(op?.requestBody).toBeDefined();
      if (r.body || r.query) expect(op?.responses).toHaveProperty('422');
    }
    const count = Object.values(paths).reduce((n, item) => n + Object.keys(item).length, 0);
    expect(count).toBe(API_ROUTES.length);
  });

  it('every $ref points at a schema in the components, and the request schemas carry the validation rules', () => {
    const schemas = (doc['components'] as { schemas: Record<string, Record<string, unknown>> }).schemas;
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([A-Za-z]+)"/g)].map((m) => m[1] ?? '');
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of refs) expect(schemas, ref).toHaveProperty(ref);
    const create = schemas['ApplicationCreate'] as { required: string[]; additionalProperties: boolean; properties: Record<string, Record<string, unknown>> };
    expect(create.required).toEqual(['name']);
    expect(create.additionalProperties).toBe(false);
    expect(create.properties['type']).toMatchObject({ enum: ['confidential', 'public'], default: 'confidential' });
    expect(create.properties['id']).toMatchObject({ pattern: '^[A-Za-z0-9._~-]{1,200}$' });
    expect(JSON.stringify(schemas)).not.toContain('"$schema"');
  });
});
