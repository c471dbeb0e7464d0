import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminApi, adminToken, startAdminServer } from '../support/admin.ts';
import { TEST_PASSWORD, type TestServer } from '../support/server.ts';
import { parseForms, UserAgent } from '../support/user-agent.ts';

/** The console's "Token exchange" section of an application (RFC 8693 §5: its policy), over HTTP as a form posts it. */

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const API = 'https://orders.example/';

let server: TestServer;
let api: AdminApi;

beforeAll(async () => {
  server = await startAdminServer({
    scopes: [{ name: 'orders.read', description: 'Read your orders' }],
    resources: [{ id: API, name: 'Orders API', scopes: ['orders.read'] }],
  });
  api = new AdminApi(server, await adminToken(server));
});

afterAll(async () => {
  await server?.close();
});

async function signedIn(): Promise<{ agent: UserAgent; csrf: string }> {
  const agent = new UserAgent(server.url);
  const landed = await agent.login(await agent.start('/console/login'), 'root', TEST_PASSWORD);
  const csrf = parseForms(landed.html ?? '').find((f) => f.action === '/console/logout')?.fields['csrf'] ?? '';
  return { agent, csrf };
}

/** Posts the form as a browser would: repeated names for ticked boxes; the hidden responseTypes=code of a server without the implicit grant. */
async function submit(agent: UserAgent, path: string, fields: [string, string][]): Promise<{ status: number; html: string }> {
  const res = await agent.request(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams([['responseTypes', 'code'], ...fields]) });
  return { status: res.status, html: await res.text() };
}

const policyFields = (csrf: string, id: string): [string, string][] => [
  ['csrf', csrf], ['id', id], ['name', 'Gateway'], ['grantTypes', EXCHANGE],
  ['tokenExchangeEnabled', 'true'], ['tokenExchangeSubjectTypes', 'access_token'], ['tokenExchangeSubjectTypes', 'jwt'],
  ['tokenExchangeAllows', 'impersonation'], ['tokenExchangeAllows', 'otherClientsTokens'], ['tokenExchangeResources', API], ['tokenExchangeScopes', 'orders.read'],
];

describe('console: an application\'s token exchange policy', () => {
  it('the new application form explains the section and offers the token exchange and JWT bearer grants, the registered APIs and the scopes', async () => {
    const { agent } = await signedIn();
    const html = await (await agent.request('/console/applications/new')).text();
    expect(html).toContain('<legend>Token exchange</legend>');
    expect(html).toContain('Off, the default: the application may not exchange.');
    for (const value of [EXCHANGE, JWT_BEARER]) expect(html).toContain(`name="grantTypes" value="${value}"`);
    expect(html).toContain(`name="tokenExchangeResources" value="${API}"`);
    expect(html).toContain('name="tokenExchangeScopes" value="orders.read"');
    expect(html).not.toMatch(/name="tokenExchangeEnabled" value="true"[^>]*checked/);
  });

  it('creates an application with only the token exchange grant from the form as a browser posts it (its hidden response type code is dropped, as the CLI does)', async () => {
    const { agent, csrf } = await signedIn();
    const created = await submit(agent, '/console/applications', [['csrf', csrf], ['id', 'console-exchange-only'], ['name', 'Exchanger'], ['grantTypes', EXCHANGE]]);
    expect(created.status, created.html.match(/lk-error-summary[\s\S]*?<\/div>/)?.[0]).toBe(201);
    expect((await api.get('/applications/console-exchange-only')).body).toMatchObject({ grantTypes: [EXCHANGE], responseTypes: [], tokenExchange: null });
  });

  it('turns a policy on from the form, shows it ticked when editing, and turns it off again', async () => {
    const { agent, csrf } = await signedIn();
    expect((await submit(agent, '/console/applications', policyFields(csrf, 'console-gw'))).status).toBe(201);
    expect((await api.get('/applications/console-gw')).body).toMatchObject({
      tokenExchange: { subjectTokenTypes: ['access_token', 'jwt'], resources: [API], scopes: ['orders.read'], impersonation: true, delegation: false, otherClientsTokens: true, refreshTokens: false },
    });
    const edit = await (await agent.request('/console/applications/console-gw')).text();
    expect(edit).toMatch(/name="tokenExchangeEnabled" value="true"[^>]*checked/);
    expect(edit).toMatch(/name="tokenExchangeSubjectTypes" value="jwt"[^>]*checked/);
    expect(edit).toMatch(new RegExp(`name="grantTypes" value="${EXCHANGE}"[^>]*checked`));
    const off = await submit(agent, '/console/applications/console-gw', [['csrf', csrf], ['name', 'Gateway'], ['grantTypes', EXCHANGE], ['tokenExchangeSubjectTypes', 'jwt']]);
    expect(off.status).toBe(303);
    expect((await api.get('/applications/console-gw')).body).toMatchObject({ tokenExchange: null, grantTypes: [EXCHANGE] });
  });

  it('refuses a policy without a token type, or without the grant, with 422 and the message at its field, linked from the summary', async () => {
    const { agent, csrf } = await signedIn();
    const noType = await submit(agent, '/console/applications', policyFields(csrf, 'console-bad').filter(([k]) => k !== 'tokenExchangeSubjectTypes'));
    expect(noType.status).toBe(422);
    expect(noType.html).toContain('<a href="#f-tokenExchangeSubjectTypes">Tokens it may exchange: at least one subject token type</a>');
    expect(noType.html).toMatch(/id="f-tokenExchangeSubjectTypes-error">at least one subject token type</);
    const noGrant = await submit(agent, '/console/applications', policyFields(csrf, 'console-bad').map(([k, v]) => [k, k === 'grantTypes' ? 'client_credentials' : v]));
    expect(noGrant.status).toBe(422);
    expect(noGrant.html).toMatch(new RegExp(`id="f-tokenExchangeEnabled-error">a token exchange policy needs the grant type ${EXCHANGE}<`));
    // The refused form comes back as it was sent.
    expect(noGrant.html).toMatch(/name="tokenExchangeScopes" value="orders.read"[^>]*checked/);
    expect((await api.get('/applications/console-bad')).status).toBe(404);
  });
});
