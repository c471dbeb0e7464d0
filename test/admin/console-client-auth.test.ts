import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationView } from '../../src/admin/schemas.ts';
import { AdminApi, adminToken, startAdminServer } from '../support/admin.ts';
import { TEST_PASSWORD, type TestServer } from '../support/server.ts';
import { parseForms, UserAgent, type Outcome } from '../support/user-agent.ts';

/** The console's client authentication fieldset: private_key_jwt with keys, saved through the admin API's rules. */

const JWK = { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', kid: 'k1' };

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

const post = (agent: UserAgent, path: string, fields: Record<string, string>) =>
  agent.request(path, { method: 'POST', body: new URLSearchParams(fields), headers: { 'content-type': 'application/x-www-form-urlencoded' } });

const base = { name: 'Service', grantTypes: 'client_credentials' };

describe('console: client authentication of an application', () => {
  it('offers private_key_jwt with its keys on the new application form', async () => {
    const { agent } = await signedIn();
    const html = await (await agent.request('/console/applications/new')).text();
    expect(html).toContain('<legend>Client authentication</legend>');
    for (const name of ['tokenEndpointAuthMethod', 'jwks', 'jwksUri', 'tokenEndpointAuthSigningAlg']) expect(html).toContain(`name="${name}"`);
    expect(html).toContain('value="private_key_jwt"');
  });

  it('shows why a key cannot be used next to the field (422), keeping what was typed', async () => {
    const { agent, csrf } = await signedIn();
    const typed = JSON.stringify({ keys: [{ ...JWK, d: 'private-part' }] });
    const res = await post(agent, '/console/applications', { ...base, csrf, tokenEndpointAuthMethod: 'private_key_jwt', jwks: typed });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toMatch(/id="f-jwks-error"[^>]*>[^<]*private key/);
    const notJson = await post(agent, '/console/applications', { ...base, csrf, tokenEndpointAuthMethod: 'private_key_jwt', jwks: '{nope' });
    expect(notJson.status).toBe(422);
    expect(await notJson.text()).toMatch(/id="f-jwks-error"[^>]*>[^<]*JSON/);
  });

  it('creates a private_key_jwt application without a secret, then changes its jwks_uri', async () => {
    const { agent, csrf } = await signedIn();
    const res = await post(agent, '/console/applications', { ...base, id: 'console-svc', csrf, tokenEndpointAuthMethod: 'private_key_jwt', jwks: JSON.stringify({ keys: [JWK] }), tokenEndpointAuthSigningAlg: 'ES256' });
    expect(res.status).toBe(201);
    const page = await res.text();
    expect(page).not.toMatch(/client_secret|Copy it now/i);
    expect(page).toContain('none (authenticates with a private key JWT)');
    expect(page).not.toContain('Rotate secret');
    const api = new AdminApi(server, await adminToken(server));
    expect(applicationView.parse((await api.get('/applications/console-svc')).body)).toMatchObject({ tokenEndpointAuthMethod: 'private_key_jwt', tokenEndpointAuthSigningAlg: 'ES256', jwks: { keys: [JWK] }, hasSecret: false });
    const saved = await post(agent, '/console/applications/console-svc', { ...base, csrf, jwks: '', jwksUri: 'https://svc.example/jwks.json', tokenEndpointAuthSigningAlg: 'default' });
    expect(saved.status).toBe(303);
    expect(applicationView.parse((await api.get('/applications/console-svc')).body)).toMatchObject({ jwks: null, jwksUri: 'https://svc.example/jwks.json', tokenEndpointAuthSigningAlg: null });
  });

  it('creates a client_secret_jwt application: its secret is shown once, and the page names the method', async () => {
    const { agent, csrf } = await signedIn();
    expect(await (await agent.request('/console/applications/new')).text()).toContain('value="client_secret_jwt"');
    const res = await post(agent, '/console/applications', { ...base, id: 'console-hmac', csrf, tokenEndpointAuthMethod: 'client_secret_jwt', tokenEndpointAuthSigningAlg: 'default' });
    expect(res.status).toBe(201);
    const page = await res.text();
    expect(page).toMatch(/lk_cs_/);
    expect(page).toContain('client secret JWT (RFC 7523, HMAC)');
    const api = new AdminApi(server, await adminToken(server));
    expect(applicationView.parse((await api.get('/applications/console-hmac')).body)).toMatchObject({ tokenEndpointAuthMethod: 'client_secret_jwt', hasSecret: true });
  });
});
