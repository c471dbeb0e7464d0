import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_CLI, ADMIN_CLI_REDIRECT, startAdminServer } from '../support/admin.ts';
import { codeGrant, expectJsonError, expectTokens, obtainCode, pkcePair, postToken, WEB_APP_BASIC, WEB_REDIRECT } from '../support/flow-helpers.ts';
import { atConsent, codeIn, decide, expectEndedInteraction, signInOnRequest, userId } from '../support/open-interaction.ts';
import { TEST_PASSWORD, type TestServer } from '../support/server.ts';
import { authorizeUrl, parseForms, UserAgent } from '../support/user-agent.ts';

/**
 * Issue 10, defect 2 and its kin: every check of the authorization request holds again when the decision is made,
 * an interaction that ended (error, denial, redirect) is gone, and what the user may hold is checked again when a
 * code is redeemed or a refresh token used. Over real HTTP.
 */

let server: TestServer;

beforeEach(async () => {
  server = await startAdminServer();
});

afterEach(async () => {
  await server.close();
});

describe('the admin scope refused to a non-administrator (RFC 6749 §4.1.2.1 access_denied)', () => {
  it('ends the interaction: decision=allow posted to it afterwards issues no code, for a normal client', async () => {
    const open = await signInOnRequest(server, { clientId: ADMIN_CLI, redirectUri: ADMIN_CLI_REDIRECT, scope: 'admin openid' });
    expect(open.page.location?.searchParams.get('error')).toBe('access_denied');
    expect(codeIn(open.page)).toBeNull();
    expectEndedInteraction(await decide(open, 'allow'));
  });

  it("ends the interaction: decision=allow posted to it afterwards issues no code, for the console's own client", async () => {
    // The console's own sign-in: /console/login starts the request (state and PKCE in its cookie).
    const agent = new UserAgent(server.url);
    const login = await agent.start('/console/login');
    const form = parseForms(login.html ?? '')[0];
    const refused = await agent.login(login, 'alice', TEST_PASSWORD);
    expect(refused.status).toBe(403);
    expect(refused.html ?? '').toContain('Not an administrator');
    const open = { agent, page: refused, verifier: '', redirectUri: '', consentAction: (form?.action ?? '').replace(/\/login$/, '/consent'), csrf: form?.fields['csrf'] ?? '' };
    expectEndedInteraction(await decide(open, 'allow'));
  });

  it('is refused again at consent time: an administrator demoted while on the consent page gets access_denied, no code', async () => {
    const open = await atConsent(server, { clientId: ADMIN_CLI, redirectUri: ADMIN_CLI_REDIRECT, scope: 'admin openid', username: 'root' });
    await server.latchkey.storage.repos.users.update(await userId(server, 'root'), { isAdmin: false });
    const outcome = await decide(open, 'allow');
    expect(codeIn(outcome)).toBeNull();
    expect(outcome.location?.searchParams.get('error')).toBe('access_denied');
    // And the interaction is gone: a second try is refused too.
    expectEndedInteraction(await decide(open, 'allow'));
  });

  it('refuses to redeem a code with the admin scope for a user demoted since, with invalid_grant (RFC 6749 §5.2)', async () => {
    const code = await obtainCode(new UserAgent(server.url), { clientId: ADMIN_CLI, redirectUri: ADMIN_CLI_REDIRECT, scope: 'admin', username: 'root' });
    await server.latchkey.storage.repos.users.update(await userId(server, 'root'), { isAdmin: false });
    await expectJsonError(await postToken(server, { ...codeGrant(code), client_id: ADMIN_CLI }), 400, 'invalid_grant');
  });

  it('refuses a refresh that would carry admin for a user who is no longer an administrator, with invalid_grant (RFC 6749 §5.2)', async () => {
    const code = await obtainCode(new UserAgent(server.url), { clientId: ADMIN_CLI, redirectUri: ADMIN_CLI_REDIRECT, scope: 'admin openid', username: 'root' });
    const tokens = await expectTokens(await postToken(server, { ...codeGrant(code), client_id: ADMIN_CLI }));
    expect(tokens.scope.split(' ')).toContain('admin');
    await server.latchkey.storage.repos.users.update(await userId(server, 'root'), { isAdmin: false });
    const refresh = { grant_type: 'refresh_token', refresh_token: tokens.refresh_token ?? '', client_id: ADMIN_CLI };
    await expectJsonError(await postToken(server, refresh), 400, 'invalid_grant');
    // Asking for less does not help: the refresh token itself still carries admin.
    await expectJsonError(await postToken(server, { ...refresh, scope: 'openid' }), 400, 'invalid_grant');
  });
});

describe('the authorization request is checked again when the decision is made', () => {
  it('refuses a decision once the redirect URI is no longer registered: error page, no code sent there (RFC 6749 §4.1.2.1)', async () => {
    const open = await atConsent(server);
    await server.latchkey.storage.repos.clients.update('web-app', { redirectUris: ['http://127.0.0.1/cb'] }, Math.floor(Date.now() / 1000));
    const outcome = await decide(open, 'allow');
    expect(outcome.location).toBeUndefined();
    expect(outcome.status).toBe(400);
    expect(outcome.html ?? '').toContain('invalid_request');
  });

  it('refuses a decision once the client may no longer ask for a scope: invalid_scope, no code (RFC 6749 §4.1.2.1)', async () => {
    const open = await atConsent(server, { scope: 'openid profile' });
    await server.latchkey.storage.repos.clients.update('web-app', { scopes: ['openid'] }, Math.floor(Date.now() / 1000));
    const outcome = await decide(open, 'allow');
    expect(codeIn(outcome)).toBeNull();
    expect(outcome.location?.searchParams.get('error')).toBe('invalid_scope');
  });

  it('grants what the consent page showed: scopes registered for the client meanwhile do not slip into an omitted scope', async () => {
    const open = await atConsent(server, { scope: null });
    expect(open.page.html ?? '').not.toContain('profile');
    await server.latchkey.storage.repos.clients.update('web-app', { scopes: ['openid', 'profile'] }, Math.floor(Date.now() / 1000));
    const code = codeIn(await decide(open, 'allow')) ?? '';
    const grant = { grant_type: 'authorization_code', code, code_verifier: open.verifier, redirect_uri: open.redirectUri };
    const tokens = await expectTokens(await postToken(server, grant, { authorization: WEB_APP_BASIC }));
    expect(tokens.scope ?? '').toBe('');
  });
});

describe('an interaction that ended is gone', () => {
  it('after a denial, decision=allow on the same interaction issues no code', async () => {
    const open = await atConsent(server);
    expect((await decide(open, 'deny')).location?.searchParams.get('error')).toBe('access_denied');
    expectEndedInteraction(await decide(open, 'allow'));
  });

  it('after the code went to the client, decision=allow on the same interaction issues no second code', async () => {
    const open = await atConsent(server);
    expect(codeIn(await decide(open, 'allow'))).not.toBeNull();
    expectEndedInteraction(await decide(open, 'allow'));
  });

  it('of 8 decisions posted at once to one interaction, exactly one gets a code', async () => {
    const open = await atConsent(server);
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => decide(open, 'allow')));
    expect(outcomes.filter((o) => codeIn(o) !== null)).toHaveLength(1);
  });

  it('a consent page shown to one person cannot be accepted after another signed in on the same browser', async () => {
    const agent = new UserAgent(server.url);
    await obtainCode(agent); // alice is signed in and has consented to web-app
    const url = authorizeUrl(server, { response_type: 'code', client_id: 'web-app', redirect_uri: WEB_REDIRECT, scope: 'openid', prompt: 'consent', code_challenge: pkcePair().challenge, code_challenge_method: 'S256' });
    const shown = await agent.start(url);
    expect(shown.page).toBe('consent');
    expect(shown.html ?? '').toContain('Alice Liddell');
    const form = parseForms(shown.html ?? '')[0];
    // root signs in on the same browser through another request; the SSO session is now root's.
    await signInOnRequest(server, { agent, clientId: ADMIN_CLI, redirectUri: ADMIN_CLI_REDIRECT, scope: 'openid', username: 'root', prompt: 'login' });
    const outcome = await decide({ agent, page: shown, verifier: '', redirectUri: '', consentAction: form?.action ?? '', csrf: form?.fields['csrf'] ?? '' }, 'allow');
    expect(codeIn(outcome)).toBeNull();
    expect(outcome.page).toBe('login');
  });

  it('signing out ends a login made on an open interaction: the consent posted afterwards issues no code', async () => {
    const open = await atConsent(server);
    const logout = await open.agent.request('/logout', {
      method: 'POST',
      body: new URLSearchParams({ csrf: open.csrf }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(logout.status).toBe(200);
    const outcome = await decide(open, 'allow');
    expect(codeIn(outcome)).toBeNull();
    // The next person at this browser is asked to sign in; nothing is issued for the one who left.
    expect(outcome.page).toBe('login');
  });
});

describe('a normal code still works (the checks above refuse only what they should)', () => {
  it('redeems a code from an allowed consent, once', async () => {
    const open = await atConsent(server);
    const code = codeIn(await decide(open, 'allow')) ?? '';
    const grant = { grant_type: 'authorization_code', code, code_verifier: open.verifier, redirect_uri: open.redirectUri };
    await expectTokens(await postToken(server, grant, { authorization: WEB_APP_BASIC }));
  });
});
