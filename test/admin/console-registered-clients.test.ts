import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, expectJsonError, postToken } from '../support/flow-helpers.ts';
import { startAdminServer } from '../support/admin.ts';
import { TEST_PASSWORD, type TestServer } from '../support/server.ts';
import { parseForms, UserAgent, type Outcome } from '../support/user-agent.ts';

/** The console shows clients that registered themselves (RFC 7591) as such, and disables and enables them. */

let server: TestServer;
let agent: UserAgent;
let registered: { client_id: string; client_secret: string };

beforeAll(async () => {
  server = await startAdminServer({ registration: { mode: 'open', perHour: 0 } });
  agent = new UserAgent(server.url);
  await agent.login(await agent.start('/console/login'), 'root', TEST_PASSWORD);
  const res = await fetch(new URL('/register', server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ redirect_uris: ['https://app.example/cb'], client_name: 'Stranger App' }) });
  registered = (await res.json()) as typeof registered;
});
afterAll(async () => {
  await server?.close();
});

const open = async (path: string): Promise<Outcome> => agent.follow(await agent.request(path));
const submit = async (page: Outcome, action: string): Promise<Outcome> => {
  const form = parseForms(page.html ?? '').find((f) => f.action === action);
  if (!form) throw new Error(`no form posting to ${action}`);
  return agent.follow(await agent.request(action, { method: 'POST', body: new URLSearchParams(form.fields), headers: { 'content-type': 'application/x-www-form-urlencoded' } }));
};

describe('console: registered clients', () => {
  it('marks the client in the list and on its page; an operator\'s client is not marked', async () => {
    const list = await open('/console/applications');
    const row = (list.html ?? '').split('<tr>').find((r) => r.includes('Stranger App')) ?? '';
    expect(row).toContain('registered itself');
    const own = (list.html ?? '').split('<tr>').find((r) => r.includes('Web App')) ?? '';
    expect(own).not.toContain('registered itself');
    const detail = await open(`/console/applications/${registered.client_id}`);
    expect(detail.html).toContain('not reviewed by an administrator');
  });

  it('disables the client (refused at the token endpoint), then enables it again', async () => {
    const path = `/console/applications/${registered.client_id}`;
    const disabled = await submit(await open(path), `${path}/disable`);
    expect(disabled.status).toBe(200);
    expect(disabled.html).toContain('The application is disabled');
    const auth = basicAuth(registered.client_id, registered.client_secret);
    await expectJsonError(await postToken(server, { grant_type: 'refresh_token', refresh_token: 'x' }, { authorization: auth }), 401, 'invalid_client');
    const enabled = await submit(disabled, `${path}/enable`);
    expect(enabled.html).toContain('The application is enabled again');
    await expectJsonError(await postToken(server, { grant_type: 'refresh_token', refresh_token: 'x' }, { authorization: auth }), 400, 'unauthorized_client');
  });
});
