import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AdminApi, adminToken, startAdminServer } from '../support/admin.ts';
import { codeGrant, expectJsonError, expectTokens, obtainCode, postToken, WEB_APP_BASIC } from '../support/flow-helpers.ts';
import { atConsent, codeIn, decide, expectEndedInteraction, userId } from '../support/open-interaction.ts';
import { TEST_PASSWORD, type TestServer } from '../support/server.ts';
import { parseForms, UserAgent, type Outcome } from '../support/user-agent.ts';

/**
 * Issue 10, defect 5: the user is read afresh at the consent decision, at the code exchange and at every refresh; and
 * disabling a user or changing their password ends the sign-ins they have open (sessions and interactions), by every
 * path: the admin API, the console, /account (the CLI's set-password is in test/cli/cli.test.ts). Over HTTP.
 */

let server: TestServer;

beforeEach(async () => {
  server = await startAdminServer();
});

afterEach(async () => {
  await server.close();
});

const formFor = (page: Outcome, action: string) => {
  const form = parseForms(page.html ?? '').find((f) => f.action === action);
  if (!form) throw new Error(`no form posting to ${action}`);
  return form;
};

const postForm = (agent: UserAgent, path: string, fields: Record<string, string>) =>
  agent.request(path, { method: 'POST', body: new URLSearchParams(fields), headers: { 'content-type': 'application/x-www-form-urlencoded' } });

/** root signed in to the console; posts one of its forms with the console's CSRF token. */
async function consoleAs(): Promise<(path: string, fields?: Record<string, string>) => Promise<Response>> {
  const agent = new UserAgent(server.url);
  const landed = await agent.login(await agent.start('/console/login'), 'root', TEST_PASSWORD);
  const csrf = formFor(landed, '/console/logout').fields['csrf'] ?? '';
  return (path, fields = {}) => postForm(agent, path, { csrf, ...fields });
}

const api = async () => new AdminApi(server, await adminToken(server));

describe('disabling a user or changing their password ends their open login: the consent posted afterwards issues no code', () => {
  it('disabled through the admin API', async () => {
    const open = await atConsent(server);
    expect((await (await api()).post(`/users/${await userId(server, 'alice')}/disable`)).status).toBe(200);
    expectEndedInteraction(await decide(open, 'allow'));
  });

  it('disabled in the console', async () => {
    const open = await atConsent(server);
    const post = await consoleAs();
    expect((await post(`/console/users/${await userId(server, 'alice')}/disable`)).status).toBe(303);
    expectEndedInteraction(await decide(open, 'allow'));
  });

  it('password reset through the admin API', async () => {
    const open = await atConsent(server);
    const res = await (await api()).post(`/users/${await userId(server, 'alice')}/reset-password`, { password: 'a brand new password' });
    expect(res.status).toBe(200);
    expectEndedInteraction(await decide(open, 'allow'));
  });

  it('password reset in the console', async () => {
    const open = await atConsent(server);
    const post = await consoleAs();
    expect((await post(`/console/users/${await userId(server, 'alice')}/reset-password`, { password: 'a brand new password' })).status).toBe(303);
    expectEndedInteraction(await decide(open, 'allow'));
  });

  it('password changed by the user on /account in another browser; the browser that changed it stays signed in', async () => {
    const open = await atConsent(server);
    const other = new UserAgent(server.url);
    await obtainCode(other); // signs alice in on a second browser
    const page = await other.start('/account');
    expect(page.status).toBe(200);
    const fields = formFor(page, '/account/password').fields;
    const changed = await postForm(other, '/account/password', { ...fields, currentPassword: TEST_PASSWORD, newPassword: 'a brand new password', confirmPassword: 'a brand new password' });
    expect(changed.status).toBe(303);
    expectEndedInteraction(await decide(open, 'allow'));
    expect((await other.request('/account')).status).toBe(200);
  });
});

describe('the user is read afresh at every step', () => {
  it('a user disabled while on the consent page gets no code, even if nothing else ended the login', async () => {
    const open = await atConsent(server);
    // Only the user row changes (as when another node disabled her and has not yet ended her sessions).
    await server.latchkey.storage.repos.users.update(await userId(server, 'alice'), { disabledAt: Math.floor(Date.now() / 1000) });
    const outcome = await decide(open, 'allow');
    expect(codeIn(outcome)).toBeNull();
    expect(outcome.page).toBe('login');
  });

  it('refuses a code issued before the user was disabled through the admin API, with invalid_grant (RFC 6749 §5.2)', async () => {
    const code = await obtainCode(new UserAgent(server.url));
    expect((await (await api()).post(`/users/${await userId(server, 'alice')}/disable`)).status).toBe(200);
    await expectJsonError(await postToken(server, codeGrant(code), { authorization: WEB_APP_BASIC }), 400, 'invalid_grant');
  });

  it('refuses the code of a user marked disabled before anything was revoked, with invalid_grant', async () => {
    const code = await obtainCode(new UserAgent(server.url));
    await server.latchkey.storage.repos.users.update(await userId(server, 'alice'), { disabledAt: Math.floor(Date.now() / 1000) });
    await expectJsonError(await postToken(server, codeGrant(code), { authorization: WEB_APP_BASIC }), 400, 'invalid_grant');
  });

  it("refuses a disabled user's refresh with invalid_grant (RFC 6749 §5.2), and a refresh works again once enabled", async () => {
    const tokens = await expectTokens(await postToken(server, codeGrant(await obtainCode(new UserAgent(server.url))), { authorization: WEB_APP_BASIC }));
    const id = await userId(server, 'alice');
    await server.latchkey.storage.repos.users.update(id, { disabledAt: Math.floor(Date.now() / 1000) });
    const refresh = { grant_type: 'refresh_token', refresh_token: tokens.refresh_token ?? '' };
    await expectJsonError(await postToken(server, refresh, { authorization: WEB_APP_BASIC }), 400, 'invalid_grant');
    // The refusal spent nothing: the token was not rotated away.
    await server.latchkey.storage.repos.users.update(id, { disabledAt: null });
    await expectTokens(await postToken(server, refresh, { authorization: WEB_APP_BASIC }));
  });

  it('refuses the refresh of a user disabled through the admin API, with invalid_grant', async () => {
    const tokens = await expectTokens(await postToken(server, codeGrant(await obtainCode(new UserAgent(server.url))), { authorization: WEB_APP_BASIC }));
    expect((await (await api()).post(`/users/${await userId(server, 'alice')}/disable`)).status).toBe(200);
    const refresh = { grant_type: 'refresh_token', refresh_token: tokens.refresh_token ?? '' };
    await expectJsonError(await postToken(server, refresh, { authorization: WEB_APP_BASIC }), 400, 'invalid_grant');
  });

  it('refuses the code of a deleted user with invalid_grant', async () => {
    const code = await obtainCode(new UserAgent(server.url));
    expect((await (await api()).delete(`/users/${await userId(server, 'alice')}`)).status).toBe(204);
    await expectJsonError(await postToken(server, codeGrant(code), { authorization: WEB_APP_BASIC }), 400, 'invalid_grant');
  });
});
