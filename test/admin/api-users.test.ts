import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageOf, userView, userWithPassword } from '../../src/admin/schemas.ts';
import { bearer, codeGrant, expectTokens, obtainCode, postToken, WEB_APP_BASIC } from '../support/flow-helpers.ts';
import { AdminApi, adminToken, expectApiError, expectFieldError, startAdminServer } from '../support/admin.ts';
import { TEST_PASSWORD, type TestServer } from '../support/server.ts';
import { authorizeUrl, UserAgent } from '../support/user-agent.ts';

/** Users through the admin API: create, list, read, update, disable and enable, reset the password, delete. */

const userPage = pageOf(userView);

/** Signs in once through the login page (and allows on the consent page); ok when the client got a code. */
async function signInStatus(server: TestServer, username: string, password: string): Promise<{ ok: boolean; html: string }> {
  const url = authorizeUrl(server, { response_type: 'code', client_id: 'web-app', redirect_uri: 'https://client.example/callback', scope: 'openid', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' });
  const agent = new UserAgent(server.url);
  let out = await agent.login(await agent.start(url), username, password);
  if (out.page === 'consent') out = await agent.consent(out, 'allow');
  return { ok: out.location?.searchParams.get('code') != null, html: out.html ?? '' };
}

describe('admin API: users', () => {
  let server: TestServer;
  let api: AdminApi;
  let rootId: string;

  beforeAll(async () => {
    server = await startAdminServer();
    api = new AdminApi(server, await adminToken(server));
    rootId = userPage.parse((await api.get('/users?q=root')).body).items[0]?.id ?? '';
  });

  afterAll(async () => {
    await server.close();
  });

  const create = async (body: Record<string, unknown>) => {
    const res = await api.post('/users', body);
    expect(res.status, res.text).toBe(201);
    return userWithPassword.parse(res.body);
  };

  it('creates a user with the given password, which is never echoed', async () => {
    const created = await create({ username: 'dave', password: 'dave-password-1', name: 'Dave', email: 'dave@example.com' });
    expect(created.password).toBeUndefined();
    expect(created.user).toMatchObject({ username: 'dave', name: 'Dave', email: 'dave@example.com', isAdmin: false, disabled: false });
    expect(api.occurrences('dave-password-1')).toBe(0);
    expect((await signInStatus(server, 'dave', 'dave-password-1')).ok).toBe(true);
  });

  it('generates a password when none is given and shows it in exactly one response', async () => {
    const created = await create({ username: 'erin' });
    const password = created.password ?? '';
    expect(password).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect((await api.get(`/users/${created.user.id}`)).status).toBe(200);
    expect((await api.get('/users?q=erin')).status).toBe(200);
    expect((await api.get('/audit-events?type=user.created')).status).toBe(200);
    expect(api.occurrences(password)).toBe(1);
    expect((await signInStatus(server, 'erin', password)).ok).toBe(true);
  });

  it('refuses a taken username with 409 naming the field', async () => {
    const res = await api.post('/users', { username: 'alice', password: 'long-enough-1' });
    expectApiError(res, 409, 'conflict');
    expect((res.body as { fields: Record<string, string> }).fields['username']).toBe('this username is taken');
  });

  it('validation: a short password, an invalid email, a padded username, an unknown field (422)', async () => {
    expect(expectFieldError(await api.post('/users', { username: 'x1', password: 'short' }), 'password')).toBe('use at least 8 characters');
    expectFieldError(await api.post('/users', { username: 'x2', email: 'not-an-email' }), 'email');
    expectFieldError(await api.post('/users', { username: ' x3' }), 'username');
    expectFieldError(await api.post('/users', { username: 'x4', admin: true }), 'admin');
    expectFieldError(await api.post('/users', { username: 'x5', isAdmin: 'yes' }), 'isAdmin');
  });

  it('updates the profile and the administrator flag', async () => {
    const { user } = await create({ username: 'frank' });
    const res = await api.patch(`/users/${user.id}`, { name: 'Frank F.', email: null, isAdmin: true });
    expect(res.status).toBe(200);
    expect(userView.parse(res.body)).toMatchObject({ name: 'Frank F.', email: null, isAdmin: true });
    expectFieldError(await api.patch(`/users/${user.id}`, { username: 'franky' }), 'username');
  });

  it('will not let an administrator remove their own rights, disable or delete themselves (409)', async () => {
    const demote = await api.patch(`/users/${rootId}`, { isAdmin: false });
    expectApiError(demote, 409, 'conflict');
    expect((demote.body as { fields: Record<string, string> }).fields['isAdmin']).toMatch(/your own account/);
    expectApiError(await api.post(`/users/${rootId}/disable`), 409, 'conflict');
    expectApiError(await api.delete(`/users/${rootId}`), 409, 'conflict');
  });

  it('disabling a user: tokens stop working, sessions end, sign-in is refused; enabling restores sign-in', async () => {
    const { user } = await create({ username: 'hank', password: TEST_PASSWORD });
    const agent = new UserAgent(server.url);
    const tokens = await expectTokens(await postToken(server, codeGrant(await obtainCode(agent, { username: 'hank' })), { authorization: WEB_APP_BASIC }));
    expect((await bearer(server, tokens.access_token)).status).toBe(200);
    const sessions = await api.get(`/sessions?userId=${user.id}`);
    expect((sessions.body as { items: unknown[] }).items).toHaveLength(1);

    const disabled = await api.post(`/users/${user.id}/disable`);
    expect(disabled.status).toBe(200);
    expect(userView.parse(disabled.body)).toMatchObject({ disabled: true, disabledAt: expect.any(String) });
    expect((await bearer(server, tokens.access_token)).status).toBe(401);
    await expect(postToken(server, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token ?? '' }, { authorization: WEB_APP_BASIC }).then((r) => r.status)).resolves.toBe(400);
    expect(((await api.get(`/sessions?userId=${user.id}`)).body as { items: unknown[] }).items).toHaveLength(0);
    const refused = await signInStatus(server, 'hank', TEST_PASSWORD);
    expect(refused.ok).toBe(false);
    expect(refused.html).toContain('This account is disabled');
    // A wrong password does not learn that the account is disabled.
    expect((await signInStatus(server, 'hank', 'wrong-password')).html).toContain('The username or password is incorrect.');

    const enabled = await api.post(`/users/${user.id}/enable`);
    expect(userView.parse(enabled.body)).toMatchObject({ disabled: false, disabledAt: null });
    expect((await signInStatus(server, 'hank', TEST_PASSWORD)).ok).toBe(true);
  });

  it('resetting the password: a generated one once, the old one refused, sessions ended', async () => {
    const { user } = await create({ username: 'ivy', password: TEST_PASSWORD });
    await obtainCode(new UserAgent(server.url), { username: 'ivy' });
    const res = await api.post(`/users/${user.id}/reset-password`);
    expect(res.status).toBe(200);
    const password = userWithPassword.parse(res.body).password ?? '';
    expect(password).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(((await api.get(`/sessions?userId=${user.id}`)).body as { items: unknown[] }).items).toHaveLength(0);
    expect((await signInStatus(server, 'ivy', TEST_PASSWORD)).ok).toBe(false);
    expect((await signInStatus(server, 'ivy', password)).ok).toBe(true);
    expect(api.occurrences(password)).toBe(1);
  });

  it('resetting to a chosen password returns no password, and refuses a short one (422)', async () => {
    const { user } = await create({ username: 'jack' });
    const res = await api.post(`/users/${user.id}/reset-password`, { password: 'jack-new-password' });
    expect(res.status).toBe(200);
    expect(userWithPassword.parse(res.body).password).toBeUndefined();
    expect((await signInStatus(server, 'jack', 'jack-new-password')).ok).toBe(true);
    expectFieldError(await api.post(`/users/${user.id}/reset-password`, { password: 'short' }), 'password');
  });

  it('deletes a user (204), then 404', async () => {
    const { user } = await create({ username: 'kate' });
    expect((await api.delete(`/users/${user.id}`)).status).toBe(204);
    expectApiError(await api.get(`/users/${user.id}`), 404, 'not_found');
    expectApiError(await api.post(`/users/${user.id}/disable`), 404, 'not_found');
    expectApiError(await api.patch(`/users/${user.id}`, { name: 'x' }), 404, 'not_found');
  });

  it('lists users by username, page by page, and searches username, name and email', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = userPage.parse((await api.get(`/users?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)).body);
      seen.push(...page.items.map((u) => u.username));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual([...seen].sort());
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toContain('alice');
    const find = async (q: string) => userPage.parse((await api.get(`/users?q=${encodeURIComponent(q)}`)).body).items.map((u) => u.username);
    expect(await find('LIDDELL')).toEqual(['alice']);
    expect(await find('alice@example')).toEqual(['alice']);
  });

  it("another administrator may demote an administrator, whose token then stops working (403)", async () => {
    await create({ username: 'second', password: TEST_PASSWORD, isAdmin: true });
    const secondApi = new AdminApi(server, await adminToken(server, { username: 'second' }));
    expect((await secondApi.patch(`/users/${rootId}`, { isAdmin: false })).status).toBe(200);
    expectApiError(await api.get('/users'), 403, 'access_denied');
    expect((await secondApi.patch(`/users/${rootId}`, { isAdmin: true })).status).toBe(200);
    expect((await api.get('/users')).status).toBe(200);
  });
});
