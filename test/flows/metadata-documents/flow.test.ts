import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, expectJsonError } from '../../support/flow-helpers.ts';
import { startServer, TEST_PASSWORD, type TestServer } from '../../support/server.ts';
import { authorizeAsUser, authorizeUrl, UserAgent, type UserChoices } from '../../support/user-agent.ts';
import { startDocumentServer, type DocumentServer } from './document-server.ts';

/**
 * OAuth Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document) with a real client library:
 * oauth4webapi uses the document's URL as its client_id, runs the code flow with PKCE through the real pages, and
 * refreshes and revokes as a public client. The documents are served on 127.0.0.1 under the development switch.
 */

const REDIRECT = 'https://mcp-client.example/callback';
const insecure = { [oauth.allowInsecureRequests]: true } as const;
const alice: UserChoices = { username: 'alice', password: TEST_PASSWORD, decision: 'allow' };

let server: TestServer;
let docs: DocumentServer;
let as: oauth.AuthorizationServer;

const documentFor = (url: string, extra: Record<string, unknown> = {}) => ({
  client_id: url,
  client_name: 'Assistant',
  redirect_uris: [REDIRECT],
  grant_types: ['authorization_code', 'refresh_token'],
  token_endpoint_auth_method: 'none',
  logo_uri: 'https://mcp-client.example/logo.png',
  ...extra,
});

beforeAll(async () => {
  docs = await startDocumentServer();
  server = await startServer({ clientMetadataDocuments: { enabled: true, allowLoopbackHttp: true } });
  const issuer = new URL(server.url);
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
});

afterAll(async () => {
  await server?.close();
  await docs?.close();
});

async function startFlow(clientId: string, extra: Record<string, string> = {}) {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = authorizeUrl(server, {
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT,
    scope: 'openid offline_access',
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...extra,
  });
  return { url, verifier, state };
}

async function fullFlow(clientId: string) {
  const client: oauth.Client = { client_id: clientId, token_endpoint_auth_method: 'none' };
  const st = await startFlow(clientId);
  const out = await authorizeAsUser(server, st.url, alice);
  if (!out.location) throw new Error(`no redirect: ${out.status} ${out.html ?? ''}`);
  const params = oauth.validateAuthResponse(as, client, out.location, st.state);
  const res = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, REDIRECT, st.verifier, insecure);
  return { client, tokens: await oauth.processAuthorizationCodeResponse(as, client, res) };
}

describe('metadata', () => {
  it('advertises client_id_metadata_document_supported in both metadata documents when enabled (draft §5)', async () => {
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      const meta = (await (await fetch(new URL(path, server.url))).json()) as Record<string, unknown>;
      expect(meta['client_id_metadata_document_supported']).toBe(true);
      expect(meta['token_endpoint_auth_methods_supported']).toContain('none');
    }
  });

  it('does not advertise it, nor fetch any document, when the feature is off (the default)', async () => {
    const off = await startServer();
    try {
      const meta = (await (await fetch(new URL('/.well-known/oauth-authorization-server', off.url))).json()) as Record<string, unknown>;
      expect(meta).not.toHaveProperty('client_id_metadata_document_supported');
      const url = docs.url('/off.json');
      docs.serve('/off.json', documentFor(url));
      const st = await startFlow(url);
      const out = await new UserAgent(off.url).start(authorizeUrl(off, Object.fromEntries(new URL(st.url).searchParams)));
      expect(out.status).toBe(400);
      expect(out.location).toBeUndefined();
      expect(docs.hits('/off.json')).toBe(0);
    } finally {
      await off.close();
    }
  });
});

describe('the code flow with PKCE, client_id = the document URL (oauth4webapi)', () => {
  it('issues, refreshes and revokes tokens for a public client described by its document', async () => {
    const url = docs.url('/assistant.json');
    docs.serve('/assistant.json', documentFor(url), { cacheControl: 'max-age=3600' });
    const { client, tokens } = await fullFlow(url);
    expect(tokens.access_token).toBeTruthy();
    expect(tokens.refresh_token).toBeTruthy();
    const refreshed = await oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token ?? '', insecure));
    expect(refreshed.access_token).toBeTruthy();
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, oauth.None(), refreshed.refresh_token ?? '', insecure));
  });

  it('serves a second flow within max-age from the stored client: the document is fetched once (draft §4.3)', async () => {
    const url = docs.url('/cached.json');
    docs.serve('/cached.json', documentFor(url), { cacheControl: 'public, max-age=3600' });
    await fullFlow(url);
    await fullFlow(url);
    expect(docs.hits('/cached.json')).toBe(1);
  });

  it('fetches a no-store document again on each use', async () => {
    const url = docs.url('/no-store.json');
    docs.serve('/no-store.json', documentFor(url), { cacheControl: 'no-store' });
    await fullFlow(url);
    const afterFirst = docs.hits('/no-store.json');
    await fullFlow(url);
    expect(afterFirst).toBeGreaterThanOrEqual(1);
    expect(docs.hits('/no-store.json')).toBeGreaterThan(afterFirst);
  });

  it('shows the client_id host and the redirect host on the consent page, the name being self-asserted (draft §6)', async () => {
    const url = docs.url('/consent.json');
    docs.serve('/consent.json', documentFor(url, { client_name: 'Totally Official Bank' }));
    const st = await startFlow(url);
    const out = await authorizeAsUser(server, st.url, { username: 'alice', password: TEST_PASSWORD });
    expect(out.page).toBe('consent');
    expect(out.html).toContain('Totally Official Bank');
    expect(out.html).toContain(new URL(url).host);
    expect(out.html).toContain('mcp-client.example');
  });
});

describe('refusals', () => {
  async function errorPage(clientId: string, extra: Record<string, string> = {}) {
    const st = await startFlow(clientId, extra);
    const out = await new UserAgent(server.url).start(st.url);
    // RFC 6749 §4.1.2.1: never redirect to a redirect URI that no verified client registered.
    expect(out.location).toBeUndefined();
    expect(out.status).toBe(400);
    return out.html ?? '';
  }

  it('refuses a document whose client_id is not its URL, with an error page (draft §4.1)', async () => {
    const url = docs.url('/mismatch.json');
    docs.serve('/mismatch.json', documentFor('https://someone-else.example/client.json'));
    expect(await errorPage(url)).toContain('does not equal its URL');
  });

  it('refuses a redirect_uri the document does not list, with an error page, never a redirect', async () => {
    const url = docs.url('/redirects.json');
    docs.serve('/redirects.json', documentFor(url));
    expect(await errorPage(url, { redirect_uri: 'https://attacker.example/cb' })).toContain('redirect_uri does not match');
  });

  it('refuses a document that is a redirect: the server must not follow it (draft §4.2)', async () => {
    const url = docs.url('/moved.json');
    docs.serve('/moved.json', '', { status: 302, location: docs.url('/assistant.json') });
    expect(await errorPage(url)).toContain('HTTP 302');
  });

  it('refuses a document that is not JSON, or not found', async () => {
    const html = docs.url('/page.json');
    docs.serve('/page.json', '<html></html>', { contentType: 'text/html' });
    expect(await errorPage(html)).toContain('not JSON');
    expect(await errorPage(docs.url('/missing.json'))).toContain('HTTP 404');
  });

  it('refuses a document asking for a shared-secret authentication method (draft §4.1)', async () => {
    const url = docs.url('/secret.json');
    docs.serve('/secret.json', documentFor(url, { token_endpoint_auth_method: 'client_secret_basic' }));
    expect(await errorPage(url)).toContain('token_endpoint_auth_method');
  });

  it('answers invalid_client at the token endpoint when the document cannot be fetched', async () => {
    const res = await post(server, '/oauth2/token', { grant_type: 'authorization_code', client_id: docs.url('/gone.json'), code: 'x', code_verifier: 'y'.repeat(43), redirect_uri: REDIRECT });
    const body = await expectJsonError(res, 401, 'invalid_client');
    expect(String(body['error_description'])).toContain('HTTP 404');
  });
});

describe('the SSRF guard at the authorization endpoint, without the development switch', () => {
  let guarded: TestServer;
  beforeAll(async () => {
    guarded = await startServer({ clientMetadataDocuments: { enabled: true } });
  });
  afterAll(async () => {
    await guarded?.close();
  });

  async function pageFor(clientId: string) {
    const url = authorizeUrl(guarded, { response_type: 'code', client_id: clientId, redirect_uri: REDIRECT, code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' });
    const out = await new UserAgent(guarded.url).start(url);
    expect(out.location).toBeUndefined();
    expect(out.status).toBe(400);
    return out.html ?? '';
  }

  it.each([
    ['localhost (loopback)', 'https://localhost/client.json'],
    ['the cloud metadata address', 'https://169.254.169.254/latest/meta-data/client.json'],
    ['an RFC 1918 address', 'https://10.0.0.1/client.json'],
    ['IPv6 loopback', 'https://[::1]/client.json'],
    ['an IPv4-mapped loopback', 'https://[::ffff:127.0.0.1]/client.json'],
  ])('refuses a document on %s with an error page that does not say what the name resolves to', async (_what, clientId) => {
    const html = await pageFor(clientId);
    expect(html).toContain('does not resolve to a public address');
    expect(html).not.toMatch(/127\.0\.0\.1\)|\(::1\)/);
  });

  it('does not treat an http client_id as a metadata document: it is just an unknown client', async () => {
    const url = docs.url('/plain-http.json');
    docs.serve('/plain-http.json', documentFor(url));
    expect(await pageFor(url)).toContain('not registered');
    expect(docs.hits('/plain-http.json')).toBe(0);
  });
});
