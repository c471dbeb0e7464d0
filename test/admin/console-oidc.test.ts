import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminApi, adminToken, startAdminServer } from '../support/admin.ts';
import { TEST_PASSWORD, type TestServer } from '../support/server.ts';
import { parseForms, UserAgent, type Outcome } from '../support/user-agent.ts';

/** The console's OpenID Connect fieldset: shown on the form, saved through the admin API's rules, errors by field. */

let server: TestServer;

beforeAll(async () => {
  server = await startAdminServer({ oidc: { pairwiseSalt: 'pairwise-salt-0123456789' } });
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

const post = (agent: UserAgent, fields: Record<string, string>) =>
  agent.request('/console/applications', { method: 'POST', body: new URLSearchParams(fields), headers: { 'content-type': 'application/x-www-form-urlencoded' } });

const base = { name: 'Relying party', grantTypes: 'authorization_code', responseTypes: 'code' };

describe('console: the OpenID Connect fieldset of an application', () => {
  it('is on the new application form with the server default algorithm named', async () => {
    const { agent } = await signedIn();
    const html = await (await agent.request('/console/applications/new')).text();
    expect(html).toContain('<legend>OpenID Connect</legend>');
    expect(html).toContain('Server default (RS256)');
    for (const name of ['idTokenSignedResponseAlg', 'userinfoSignedResponseAlg', 'subjectType', 'defaultMaxAge', 'postLogoutRedirectUris', 'backchannelLogoutUri', 'backchannelLogoutSessionRequired']) {
      expect(html).toContain(`name="${name}"`);
    }
  });

  it('shows why pairwise cannot work over two redirect URI hosts next to the field (422), keeping what was typed', async () => {
    const { agent, csrf } = await signedIn();
    const res = await post(agent, { ...base, csrf, redirectUris: 'https://a.example/cb\nhttps://b.example/cb', subjectType: 'pairwise', backchannelLogoutUri: 'https://a.example/bc#frag' });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toMatch(/id="f-subjectType-error"[^>]*>[^<]*one host/);
    expect(html).toMatch(/id="f-backchannelLogoutUri-error"[^>]*>[^<]*fragment/);
    expect(html).toContain('value="https://a.example/bc#frag"');
  });

  it('saves the metadata, which the admin API then shows', async () => {
    const { agent, csrf } = await signedIn();
    const res = await post(agent, {
      ...base,
      id: 'console-rp',
      csrf,
      redirectUris: 'https://rp.example/cb',
      idTokenSignedResponseAlg: 'EdDSA',
      userinfoSignedResponseAlg: 'ES256',
      subjectType: 'pairwise',
      defaultMaxAge: '900',
      postLogoutRedirectUris: 'https://rp.example/bye',
      backchannelLogoutUri: 'https://rp.example/bc',
      backchannelLogoutSessionRequired: 'yes',
    });
    expect(res.status, await res.clone().text()).toBeLessThan(400);
    const api = new AdminApi(server, await adminToken(server));
    expect((await api.get('/applications/console-rp')).body).toMatchObject({
      idTokenSignedResponseAlg: 'EdDSA',
      userinfoSignedResponseAlg: 'ES256',
      subjectType: 'pairwise',
      defaultMaxAge: 900,
      postLogoutRedirectUris: ['https://rp.example/bye'],
      backchannelLogoutUri: 'https://rp.example/bc',
      backchannelLogoutSessionRequired: true,
    });
  });
});
