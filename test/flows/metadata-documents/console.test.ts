import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminApi, adminToken, startAdminServer } from '../../support/admin.ts';
import { expectJsonError, pkcePair, post } from '../../support/flow-helpers.ts';
import { TEST_PASSWORD, type TestServer } from '../../support/server.ts';
import { authorizeAsUser, authorizeUrl, parseForms, UserAgent, type Outcome } from '../../support/user-agent.ts';
import { startDocumentServer, type DocumentServer } from './document-server.ts';

/**
 * Clients made from Client ID Metadata Documents in the console: marked "metadata document" in the list, their
 * document's state on their page, no settings to edit, and a Disable button that refuses them everywhere (an error
 * page at the authorization endpoint, invalid_client at the token endpoint) and revokes their tokens.
 */

const REDIRECT = 'https://mcp-client.example/callback';
let server: TestServer;
let docs: DocumentServer;
let clientId: string;

beforeAll(async () => {
  docs = await startDocumentServer();
  server = await startAdminServer({ clientMetadataDocuments: { enabled: true, allowLoopbackHttp: true } });
  clientId = docs.url('/console-client.json');
  docs.serve('/console-client.json', { client_id: clientId, client_name: 'Console Assistant', redirect_uris: [REDIRECT], grant_types: ['authorization_code', 'refresh_token'] }, { cacheControl: 'max-age=3600' });
});

afterAll(async () => {
  await server?.close();
  await docs?.close();
});

async function codeFlow(): Promise<Outcome> {
  const { verifier, challenge } = pkcePair();
  const url = authorizeUrl(server, { response_type: 'code', client_id: clientId, redirect_uri: REDIRECT, scope: 'openid offline_access', state: 's', code_challenge: challenge, code_challenge_method: 'S256' });
  const out = await authorizeAsUser(server, url, { username: 'alice', password: TEST_PASSWORD, decision: 'allow' });
  const code = out.location?.searchParams.get('code');
  if (!code) return out;
  const res = await post(server, '/oauth2/token', { grant_type: 'authorization_code', client_id: clientId, code, code_verifier: verifier, redirect_uri: REDIRECT });
  return { ...out, html: await res.text(), status: res.status };
}

async function consoleAgent(): Promise<UserAgent> {
  const agent = new UserAgent(server.url);
  const login = await agent.start('/console/login');
  await agent.login(login, 'root', TEST_PASSWORD);
  return agent;
}

describe('a metadata-document client in the console', () => {
  it('is listed and shown as a metadata document, disabled through the generic Disable (refused everywhere, its document not fetched) and enabled again (the document fetched afresh)', async () => {
    const first = await codeFlow();
    expect(first.status).toBe(200);
    const refreshToken = (JSON.parse(first.html ?? '{}') as { refresh_token?: string }).refresh_token ?? '';
    expect(refreshToken).not.toBe('');

    const agent = await consoleAgent();
    const list = await agent.start('/console/applications');
    expect(list.html).toContain('Console Assistant');
    expect(list.html).toContain('metadata document');
    const path = `/console/applications/${encodeURIComponent(clientId)}`;
    const detail = await agent.start(path);
    expect(detail.html).toContain('Client metadata document');
    expect(detail.html).not.toContain('id="settings-heading"');

    const disable = parseForms(detail.html ?? '').find((f) => f.action === `${path}/disable`);
    expect(disable).toBeDefined();
    const done = await agent.request(disable?.action ?? '', { method: 'POST', body: new URLSearchParams(disable?.fields), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(done.status).toBe(303);
    expect((await agent.start(done.headers.get('location') ?? '')).html).toContain('The application is disabled');

    // Refused at the authorization endpoint (a page, no redirect) and at the token endpoint; its tokens are inactive.
    const page = await new UserAgent(server.url).start(authorizeUrl(server, { response_type: 'code', client_id: clientId, redirect_uri: REDIRECT, code_challenge: pkcePair().challenge, code_challenge_method: 'S256' }));
    expect(page.status).toBe(400);
    expect(page.location).toBeUndefined();
    expect(page.html).toContain('this application is disabled');
    await expectJsonError(await post(server, '/oauth2/token', { grant_type: 'refresh_token', client_id: clientId, refresh_token: refreshToken }), 401, 'invalid_client');
    const hitsWhileDisabled = docs.hits('/console-client.json');

    // Not editable through the admin API either: the document says what it is.
    const api = new AdminApi(server, await adminToken(server));
    const shown = await api.get(`/applications/${encodeURIComponent(clientId)}`);
    expect(shown.body).toMatchObject({ origin: 'metadata-document', disabled: true });
    expect((shown.body as { metadataDocument?: object }).metadataDocument).not.toHaveProperty('disabledAt');
    // One set of buttons: the generic Disable / Enable, no separate document ones.
    expect(detail.html).not.toContain('disable-document');
    // The same generic route of the admin API answers for it (already disabled: a no-op that shows it disabled).
    expect((await api.post(`/applications/${encodeURIComponent(clientId)}/disable`, {})).body).toMatchObject({ disabled: true });
    expect(docs.hits('/console-client.json')).toBe(hitsWhileDisabled);
    expect((await api.patch(`/applications/${encodeURIComponent(clientId)}`, { name: 'Renamed' })).status).toBe(409);

    const detailAgain = await agent.start(path);
    const enable = parseForms(detailAgain.html ?? '').find((f) => f.action === `${path}/enable`);
    expect(enable).toBeDefined();
    await agent.request(enable?.action ?? '', { method: 'POST', body: new URLSearchParams(enable?.fields), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect((await codeFlow()).status).toBe(200);
    // As for any application, disabling deleted nothing: what it held works again.
    expect((await post(server, '/oauth2/token', { grant_type: 'refresh_token', client_id: clientId, refresh_token: refreshToken })).status).toBe(200);
    // Enabled again, the document is fetched afresh before the client is used.
    expect(docs.hits('/console-client.json')).toBeGreaterThan(hitsWhileDisabled);
  });
});
