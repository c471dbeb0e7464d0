import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminApi, adminToken, startAdminServer } from '../../support/admin.ts';
import { TEST_PASSWORD, type TestServer } from '../../support/server.ts';
import { parseForms, UserAgent } from '../../support/user-agent.ts';

/** The console's application form has the DPoP switch (RFC 9449 §5.2 dpop_bound_access_tokens). */

let server: TestServer;

beforeAll(async () => {
  server = await startAdminServer();
});

afterAll(async () => {
  await server?.close();
});

describe('the console and DPoP', () => {
  it('creates an application that must use DPoP from the form, and shows the switch checked when editing it', async () => {
    const agent = new UserAgent(server.url);
    const landed = await agent.login(await agent.start('/console/login'), 'root', TEST_PASSWORD);
    const csrf = parseForms(landed.html ?? '').find((f) => f.action === '/console/logout')?.fields['csrf'] ?? '';
    const fields = { csrf, name: 'Bound API client', grantTypes: 'client_credentials', dpopBoundAccessTokens: 'true' };
    const res = await agent.request('/console/applications', { method: 'POST', body: new URLSearchParams(fields), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(201);
    const api = new AdminApi(server, await adminToken(server));
    const found = (await api.get('/applications?q=Bound')).body as { items: { id: string; dpopBoundAccessTokens: boolean }[] };
    expect(found.items[0]?.dpopBoundAccessTokens).toBe(true);
    const edit = await agent.request(`/console/applications/${encodeURIComponent(found.items[0]?.id ?? '')}`);
    expect(await edit.text()).toMatch(/name="dpopBoundAccessTokens" value="true"[^>]*checked/);
  });
});
