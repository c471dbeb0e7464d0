import type { Server } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { registerClient, UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { InvalidTargetError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn } from '../../support/browser-flows.ts';
import { withPage, type SkippableContext } from '../../support/browser.ts';
import { postToken, WEB_APP_BASIC } from '../../support/flow-helpers.ts';
import { startServer, testConfig, type TestServer } from '../../support/server.ts';
import { notesMcpServer } from './notes-mcp-server.ts';
import { MCP_CLIENT_REDIRECT, recordingFetch, transcript, TestProvider, type Sent } from './sdk-client.ts';

/**
 * The official MCP TypeScript SDK, unchanged, against MCP servers protected by Latchkey's verifier (RFC 9728
 * metadata, RFC 6750 challenges) and a Latchkey test server that lets clients register (RFC 7591, registration.mode
 * open) and knows each MCP server as a resource (RFC 8707): discovery from the 401, authorization server metadata,
 * the SDK's own registration, PKCE, `resource`, the consent page naming the API clicked in Chromium, the token (an
 * RFC 9068 JWT the MCP server validates locally, or an opaque one it introspects), the tool call. Nothing is
 * registered by hand. Client ID metadata documents stay off: the SDK uses one only for an https clientMetadataUrl,
 * so they are proven with oauth4webapi (test/flows/metadata-documents/).
 */

const DOCS_SECRET = 'docs-mcp-introspection-secret-0123456789';

let latchkey: TestServer;
let notes: Server | undefined;
let calendar: Server | undefined;
let docs: Server | undefined;
let notesResource: string;
let calendarResource: string;
let docsResource: string;

/** Closes a server that was started; a set-up that failed early leaves it undefined, and teardown must not hang. */
const closeServer = (server: Server | undefined) => (server ? new Promise((r) => server.close(r)) : undefined);

/** A free loopback port: each MCP server's identifier is its own URL, which Latchkey's config names before it listens. */
function freePort(): Promise<number> {
  return import('node:net').then(
    (net) =>
      new Promise<number>((resolve) => {
        const s = net.createServer().listen(0, '127.0.0.1', () => {
          const port = (s.address() as { port: number }).port;
          s.close(() => resolve(port));
        });
      }),
  );
}

const listenOn = (server: Server, port: number) => new Promise<Server>((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));

beforeAll(async () => {
  const [notesPort, calendarPort, docsPort] = [await freePort(), await freePort(), await freePort()];
  notesResource = `http://127.0.0.1:${notesPort}/mcp`;
  calendarResource = `http://127.0.0.1:${calendarPort}/mcp`;
  docsResource = `http://127.0.0.1:${docsPort}/mcp`;
  latchkey = await startServer({
    clients: [
      ...(testConfig().clients ?? []),
      // The docs MCP server's identity for introspecting the opaque tokens issued for it (RFC 7662).
      { id: 'docs-mcp', name: 'Docs MCP server', secret: DOCS_SECRET, grantTypes: ['client_credentials'] },
    ],
    resources: [
      { id: notesResource, name: 'Notes MCP server', scopes: ['notes:read'], accessTokenFormat: 'jwt' },
      { id: calendarResource, name: 'Calendar MCP server', scopes: ['calendar:read'], accessTokenFormat: 'jwt' },
      { id: docsResource, name: 'Docs MCP server', scopes: ['docs:read'], accessTokenFormat: 'opaque', introspectionClient: 'docs-mcp' },
    ],
    // RFC 7591: MCP clients register themselves; their scopes must be among these.
    registration: { mode: 'open', scopes: ['notes:read', 'calendar:read', 'docs:read', 'offline_access'] },
  });
  notes = await listenOn(notesMcpServer({ issuer: latchkey.url, resource: notesResource, format: 'jwt' }), notesPort);
  calendar = await listenOn(notesMcpServer({ issuer: latchkey.url, resource: calendarResource, format: 'jwt', scope: 'calendar:read' }), calendarPort);
  docs = await listenOn(
    notesMcpServer({ issuer: latchkey.url, resource: docsResource, format: 'opaque', scope: 'docs:read', clientId: 'docs-mcp', clientSecret: DOCS_SECRET }),
    docsPort,
  );
});

afterAll(async () => {
  await closeServer(notes);
  await closeServer(calendar);
  await closeServer(docs);
  await latchkey?.close();
});

/** The person's part: Latchkey's login and the consent page (which must name the API) in Chromium; the code back. */
async function approveInBrowser(ctx: SkippableContext, authUrl: URL, apiName: string): Promise<string> {
  return withPage(ctx, async (page) => {
    let caught = '';
    await page.route(`${MCP_CLIENT_REDIRECT}**`, async (route) => {
      caught = new URL(route.request().url()).searchParams.get('code') ?? '';
      await route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>MCP client</title><h1>Back at the MCP client</h1>' });
    });
    await page.goto(String(authUrl));
    if (await page.getByLabel('Username').isVisible()) await signIn(page);
    await page.getByText('MCP test client').first().waitFor();
    await page.getByText(apiName).first().waitFor();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.getByRole('heading', { name: 'Back at the MCP client' }).waitFor();
    return caught;
  });
}

/** What an MCP host does for a server it knows only by URL: connect, authorize on the 401, connect again, call the tool. */
async function sdkConnects(ctx: SkippableContext, serverUrl: string, apiName: string) {
  const sent: Sent[] = [];
  const provider = new TestProvider();
  const transport = new StreamableHTTPClientTransport(new URL(serverUrl), { authProvider: provider, fetch: recordingFetch(sent) });
  await expect(new Client({ name: 'mcp-test-client', version: '1.0.0' }).connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
  const authUrl = provider.authorizationUrl;
  if (!authUrl) throw new Error('the SDK did not ask for an authorization');
  const code = await approveInBrowser(ctx, authUrl, apiName);
  expect(code).not.toBe('');
  await transport.finishAuth(code);
  const client = new Client({ name: 'mcp-test-client', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(serverUrl), { authProvider: provider, fetch: recordingFetch(sent) }));
  const result = await client.callTool({ name: 'list_notes', arguments: {} });
  await client.close();
  return { sent, provider, authUrl, result };
}

const at = (sent: readonly Sent[], path: string) => sent.filter((s) => new URL(s.url).pathname === path);

describe('the official MCP SDK client against MCP servers protected by Latchkey, with no manual registration', () => {
  it('discovers Latchkey from the 401, registers itself (RFC 7591), authorizes with PKCE and resource in the browser, and calls the tool with a JWT the server validates locally (RFC 9068)', async (ctx) => {
    const { sent, provider, authUrl, result } = await sdkConnects(ctx, notesResource, 'Notes MCP server');
    console.info(transcript('MCP SDK run against the notes MCP server (JWT access tokens)', sent, { [latchkey.url]: '<latchkey>', [new URL(notesResource).origin]: '<notes>' }, authUrl));
    console.info(`tool result (tools/call list_notes): ${JSON.stringify(result.content)}`);

    // RFC 9728 §5.1: the MCP server's challenge named its metadata, which named Latchkey.
    expect(sent[0]).toMatchObject({ method: 'POST', url: notesResource, status: 401 });
    expect(sent[0]?.challenge).toContain(`resource_metadata="${new URL(notesResource).origin}/.well-known/oauth-protected-resource/mcp"`);
    expect(at(sent, '/.well-known/oauth-protected-resource/mcp')[0]?.status).toBe(200);
    expect(at(sent, '/.well-known/oauth-authorization-server')[0]?.status).toBe(200);

    // RFC 7591 §3.1: the SDK registered itself, a native public client with a loopback redirect (RFC 8252 §7.3).
    const [registration] = at(sent, '/register');
    expect(registration).toMatchObject({ method: 'POST', status: 201 });
    expect(JSON.parse(registration?.body ?? '{}')).toEqual({ ...provider.clientMetadata, scope: 'notes:read' });
    expect(provider.clientMetadata).toMatchObject({ redirect_uris: [MCP_CLIENT_REDIRECT], token_endpoint_auth_method: 'none' });
    const clientId = provider.clientInformation()?.client_id ?? '';
    expect(clientId).not.toBe('');

    expect(authUrl.origin).toBe(latchkey.url);
    expect(Object.fromEntries(['client_id', 'code_challenge_method', 'scope', 'resource', 'redirect_uri'].map((k) => [k, authUrl.searchParams.get(k)]))).toEqual({
      client_id: clientId,
      code_challenge_method: 'S256',
      scope: 'notes:read',
      resource: notesResource, // RFC 8707 §2: a token for this MCP server
      redirect_uri: MCP_CLIENT_REDIRECT,
    });

    const [tokenRequest] = at(sent, '/oauth2/token');
    expect(tokenRequest?.status).toBe(200);
    const form = new URLSearchParams(tokenRequest?.body ?? '');
    expect({ grant: form.get('grant_type'), verifier: form.has('code_verifier'), resource: form.get('resource'), client_id: form.get('client_id') }).toEqual({
      grant: 'authorization_code',
      verifier: true,
      resource: notesResource,
      client_id: clientId,
    });

    // The token is Latchkey's RFC 9068 JWT for this MCP server, as oauth4webapi sees it too.
    const token = provider.tokens()?.access_token ?? '';
    const as = await oauth.processDiscoveryResponse(new URL(latchkey.url), await oauth.discoveryRequest(new URL(latchkey.url), { algorithm: 'oauth2', [oauth.allowInsecureRequests]: true }));
    const request = new Request(notesResource, { headers: { authorization: `Bearer ${token}` } });
    const claims = await oauth.validateJwtAccessToken(as, request, notesResource, { [oauth.allowInsecureRequests]: true });
    expect(claims).toMatchObject({ aud: notesResource, client_id: clientId, scope: 'notes:read', iss: latchkey.url });
    expect(result.content).toEqual([{ type: 'text', text: `2 notes for ${claims.sub}` }]);
    // initialize (refused, then admitted), notifications/initialized, tools/call; the SDK's GET for a server stream aside.
    expect(at(sent, '/mcp').filter((s) => s.method === 'POST').map((s) => s.status)).toEqual([401, 200, 202, 200]);
  });

  it("the same SDK client presenting the notes server's token to a second MCP server is refused with invalid_token: its audience is another resource (RFC 8707, RFC 9068 §4)", async (ctx) => {
    const { provider } = await sdkConnects(ctx, notesResource, 'Notes MCP server');
    const notesToken = provider.tokens()?.access_token;
    const sent: Sent[] = [];
    const client = new Client({ name: 'mcp-test-client', version: '1.0.0' });
    // The SDK answers the 401 by refreshing with resource=calendar; Latchkey refuses to stretch the notes grant to
    // another audience (RFC 8707 §2.2 invalid_target), and the SDK gives up with that error rather than authorizing anew.
    await expect(client.connect(new StreamableHTTPClientTransport(new URL(calendarResource), { authProvider: provider, fetch: recordingFetch(sent) }))).rejects.toBeInstanceOf(
      InvalidTargetError,
    );
    console.info(transcript("the same SDK client at the calendar MCP server, presenting the notes server's token", sent, { [latchkey.url]: '<latchkey>', [new URL(calendarResource).origin]: '<calendar>' }));
    const [refusal] = sent;
    expect(refusal).toMatchObject({ url: calendarResource, status: 401, authorization: `Bearer ${notesToken}` });
    expect(refusal?.challenge).toContain('error="invalid_token"');
    expect(refusal?.challenge).toContain(`resource_metadata="${new URL(calendarResource).origin}/.well-known/oauth-protected-resource/mcp"`);
    const [refresh] = at(sent, '/oauth2/token');
    const form = new URLSearchParams(refresh?.body ?? '');
    expect({ status: refresh?.status, error: refresh?.error, grant: form.get('grant_type'), resource: form.get('resource') }).toEqual({
      status: 400,
      error: 'invalid_target',
      grant: 'refresh_token',
      resource: calendarResource,
    });
    // Nothing registered again and no tool reached with the notes token.
    expect(at(sent, '/register')).toEqual([]);
    expect(sent.filter((s) => s.url === calendarResource).map((s) => s.status)).toEqual([401]);

    // A real Latchkey token for the calendar's own identifier is accepted there (client_credentials, web-app).
    const res = await postToken(latchkey, { grant_type: 'client_credentials', resource: calendarResource, scope: 'calendar:read' }, { authorization: WEB_APP_BASIC });
    const calendarToken = ((await res.json()) as { access_token: string }).access_token;
    const ok = new Client({ name: 'mcp-test-client', version: '1.0.0' });
    await ok.connect(new StreamableHTTPClientTransport(new URL(calendarResource), { authProvider: new TestProvider({ access_token: calendarToken, token_type: 'Bearer' }) }));
    expect((await ok.callTool({ name: 'list_notes', arguments: {} })).content).toEqual([{ type: 'text', text: '2 notes for web-app' }]);
    await ok.close();
  });

  it('refuses the SDK\'s registration of a http://localhost redirect URI with invalid_redirect_uri: loopback means an IP literal (RFC 8252 §8.3, RFC 7591 §3.2.2)', async () => {
    const sent: Sent[] = [];
    const clientMetadata = { ...new TestProvider().clientMetadata, redirect_uris: ['http://localhost:33418/callback'] };
    await expect(registerClient(latchkey.url, { clientMetadata, scope: 'notes:read', fetchFn: recordingFetch(sent) })).rejects.toThrow();
    expect(sent.map((r) => ({ path: new URL(r.url).pathname, status: r.status, error: r.error }))).toEqual([{ path: '/register', status: 400, error: 'invalid_redirect_uri' }]);
  });

  it('an MCP server taking opaque tokens checks them by introspection as its resource\'s introspection client (RFC 7662), after the same SDK flow', async (ctx) => {
    const { sent, provider, result } = await sdkConnects(ctx, docsResource, 'Docs MCP server');
    expect(at(sent, '/register')[0]?.status).toBe(201);
    expect(provider.tokens()?.access_token.split('.')).toHaveLength(1);
    expect(result.content).toEqual([{ type: 'text', text: '2 notes for alice' }]);
  });
});
