import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminApi, adminToken, startAdminServer } from '../support/admin.ts';
import { TEST_PASSWORD, type TestServer } from '../support/server.ts';
import { parseForms, UserAgent, type Outcome } from '../support/user-agent.ts';

/** The console's request policy of an application: pushed (RFC 9126 §6) and signed (RFC 9101 §10.5) requests. */

let server: TestServer;

beforeAll(async () => {
  server = await startAdminServer();
});

afterAll(async () => {
  await server?.close();
});

async function signedIn(): Promise<{ agent: UserAgent; csrf: string }> {
  const agent = new UserAgent(server.url);
  const landed: Outcome = await agent.login(await agent.start('/console/login'), 'root', TEST_PASSWORD);
  const csrf = parseForms(landed.html ?? '').find((f) => f.action === '/console/logout')?.fields['csrf'] ?? '';
  return { agent, csrf };
}

describe('console: pushed and signed authorization requests of an application', () => {
  it('offers both choices on the new application form, set to the server default', async () => {
    const { agent } = await signedIn();
    const html = await (await agent.request('/console/applications/new')).text();
    for (const name of ['requirePushedAuthorizationRequests', 'requireSignedRequestObject']) expect(html).toContain(`name="${name}"`);
    expect(html).toContain('Pushed authorization requests (RFC 9126)');
  });

  it('saves Required and Optional, which the admin API then shows as true and false', async () => {
    const { agent, csrf } = await signedIn();
    const res = await agent.request('/console/applications', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        csrf, id: 'console-par', name: 'Bank', grantTypes: 'authorization_code', responseTypes: 'code', redirectUris: 'https://bank.example/cb',
        requirePushedAuthorizationRequests: 'yes', requireSignedRequestObject: 'no',
      }),
    });
    expect(res.status, await res.clone().text()).toBeLessThan(400);
    const api = new AdminApi(server, await adminToken(server));
    expect((await api.get('/applications/console-par')).body).toMatchObject({ requirePushedAuthorizationRequests: true, requireSignedRequestObject: false });
  });
});
