import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AdminApi, adminToken, startAdminServer } from '../support/admin.ts';
import { codeGrant, expectJsonError, expectTokens, obtainCode, postToken, WEB_APP_BASIC } from '../support/flow-helpers.ts';
import { userId } from '../support/open-interaction.ts';
import { TEST_PASSWORD, type TestServer } from '../support/server.ts';
import { parseForms, UserAgent, type Outcome } from '../support/user-agent.ts';

/**
 * Issue 10, defect 4: a code issued before its grant was revoked must not redeem. RFC 6749 §5.2: invalid_grant when
 * the grant is "invalid, expired, revoked". Each way of revoking, over HTTP: the admin API, the console, /account.
 */

let server: TestServer;

beforeEach(async () => {
  server = await startAdminServer();
});

afterEach(async () => {
  await server.close();
});

/** alice's grant to web-app that the code belongs to (she has no other). */
async function aliceGrantId(api: AdminApi): Promise<string> {
  const res = await api.get(`/grants?userId=${encodeURIComponent(await userId(server, 'alice'))}&clientId=web-app&active=false`);
  expect(res.status).toBe(200);
  const items = (res.body as { items: { id: string }[] }).items;
  expect(items).toHaveLength(1);
  return items[0]?.id ?? '';
}

const formFor = (page: Outcome, action: string) => {
  const form = parseForms(page.html ?? '').find((f) => f.action === action);
  if (!form) throw new Error(`no form posting to ${action}`);
  return form;
};

const postForm = (agent: UserAgent, path: string, fields: Record<string, string>) =>
  agent.request(path, { method: 'POST', body: new URLSearchParams(fields), headers: { 'content-type': 'application/x-www-form-urlencoded' } });

describe('a code whose grant was revoked before it was redeemed (RFC 6749 §5.2 invalid_grant)', () => {
  it('is refused after the grant is revoked through the admin API (DELETE /grants/{id})', async () => {
    const code = await obtainCode(new UserAgent(server.url));
    const api = new AdminApi(server, await adminToken(server));
    expect((await api.delete(`/grants/${encodeURIComponent(await aliceGrantId(api))}`)).status).toBe(204);
    await expectJsonError(await postToken(server, codeGrant(code), { authorization: WEB_APP_BASIC }), 400, 'invalid_grant');
  });

  it('is refused after the grant is revoked in the console', async () => {
    const code = await obtainCode(new UserAgent(server.url));
    const grantId = await aliceGrantId(new AdminApi(server, await adminToken(server)));
    const admin = new UserAgent(server.url);
    const landed = await admin.login(await admin.start('/console/login'), 'root', TEST_PASSWORD);
    const csrf = formFor(landed, '/console/logout').fields['csrf'] ?? '';
    const res = await postForm(admin, `/console/grants/${encodeURIComponent(grantId)}/revoke`, { csrf });
    expect(res.status).toBe(303);
    await expectJsonError(await postToken(server, codeGrant(code), { authorization: WEB_APP_BASIC }), 400, 'invalid_grant');
  });

  it('is refused after the user revokes the application on /account', async () => {
    const agent = new UserAgent(server.url);
    const code = await obtainCode(agent);
    const page = await agent.start('/account');
    expect(page.status).toBe(200);
    const res = await postForm(agent, '/account/applications/web-app/revoke', formFor(page, '/account/applications/web-app/revoke').fields);
    expect(res.status).toBe(303);
    await expectJsonError(await postToken(server, codeGrant(code), { authorization: WEB_APP_BASIC }), 400, 'invalid_grant');
  });

  it('stays refused when the client retries: no token at any point', async () => {
    const code = await obtainCode(new UserAgent(server.url));
    const api = new AdminApi(server, await adminToken(server));
    await api.delete(`/grants/${encodeURIComponent(await aliceGrantId(api))}`);
    for (let i = 0; i < 2; i++) await expectJsonError(await postToken(server, codeGrant(code), { authorization: WEB_APP_BASIC }), 400, 'invalid_grant');
  });

  it('a code of a grant that was not revoked still redeems (the revocation of another grant does not touch it)', async () => {
    const agent = new UserAgent(server.url);
    const first = await obtainCode(agent);
    const api = new AdminApi(server, await adminToken(server));
    await api.delete(`/grants/${encodeURIComponent(await aliceGrantId(api))}`);
    const second = await obtainCode(agent);
    await expectTokens(await postToken(server, codeGrant(second), { authorization: WEB_APP_BASIC }));
    await expectJsonError(await postToken(server, codeGrant(first), { authorization: WEB_APP_BASIC }), 400, 'invalid_grant');
  });
});
