import type { Server } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn } from '../../support/browser-flows.ts';
import { withPage } from '../../support/browser.ts';
import { startJwtIssuer, type JwtIssuer } from '../../support/jwt-issuer.ts';
import { startServer, testConfig, type TestServer } from '../../support/server.ts';
import { notesMcpServer } from './notes-mcp-server.ts';

/**
 * The official MCP TypeScript SDK, unchanged, against an MCP server protected by Latchkey's verifier (RFC 9728
 * metadata, RFC 6750 challenges) and a Latchkey test server: discovery from the 401, authorization server metadata,
 * PKCE, `resource`, the consent page clicked in Chromium, the token, the tool call. Until dynamic registration or
 * client metadata documents land, the client is pre-registered and handed to the SDK through clientInformation().
 */

const MCP_CLIENT_REDIRECT = 'https://mcp-client.example/callback';
const API_SECRET = 'notes-api-secret-0123456789abcdef';

let latchkey: TestServer;
let notes: Server;
let notesResource: string;
let jwtIssuer: JwtIssuer;
let calendar: Server;
let calendarResource: string;

/** Closes a server that was started; a set-up that failed early leaves it undefined, and teardown must not hang. */
const closeServer = (server: Server | undefined) => (server ? new Promise((r) => server.close(r)) : undefined);

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve(typeof a === 'object' && a !== null ? a.port : 0);
    }),
  );
}

/** What the SDK sent, for the report: every request's method, URL and form body (secrets are not involved). */
interface Sent {
  method: string;
  url: string;
  body: string | undefined;
  status: number;
  challenge: string | null;
}

function recordingFetch(log: Sent[]): typeof fetch {
  return async (input, init) => {
    const res = await fetch(input, init);
    const body = typeof init?.body === 'string' ? init.body : init?.body instanceof URLSearchParams ? init.body.toString() : undefined;
    log.push({ method: init?.method ?? 'GET', url: String(input instanceof Request ? input.url : input), body, status: res.status, challenge: res.headers.get('www-authenticate') });
    return res;
  };
}

/** An in-memory OAuthClientProvider, as an MCP host would implement it; the browser step is the test's. */
class TestProvider implements OAuthClientProvider {
  authorizationUrl: URL | undefined;
  private verifier = '';
  private saved: OAuthTokens | undefined;
  private readonly client: OAuthClientInformationMixed;
  constructor(client: OAuthClientInformationMixed, tokens?: OAuthTokens) {
    this.client = client;
    this.saved = tokens;
  }
  get redirectUrl() {
    return MCP_CLIENT_REDIRECT;
  }
  get clientMetadata(): OAuthClientMetadata {
    return { client_name: 'MCP test client', redirect_uris: [MCP_CLIENT_REDIRECT], grant_types: ['authorization_code', 'refresh_token'], token_endpoint_auth_method: 'none' };
  }
  clientInformation() {
    return this.client;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(v: string) {
    this.verifier = v;
  }
  codeVerifier() {
    return this.verifier;
  }
}

beforeAll(async () => {
  latchkey = await startServer({
    scopes: [{ name: 'notes:read', description: 'Read your notes' }],
    clients: [
      ...(testConfig().clients ?? []),
      { id: 'mcp-client', name: 'MCP Test Client', type: 'public', redirectUris: [MCP_CLIENT_REDIRECT] },
      // The MCP server's own credentials, to introspect the opaque tokens issued to any client (RFC 7662).
      { id: 'notes-api', name: 'Notes API', secret: API_SECRET, grantTypes: ['client_credentials'], introspectAny: true },
    ],
  });
  notes = notesMcpServer({ issuer: latchkey.url, resource: 'http://127.0.0.1/placeholder', clientId: 'notes-api', clientSecret: API_SECRET });
  // The resource identifier is this server's own URL, so it is only known once listening: build it again there.
  const port = await listen(notes);
  notes.close();
  notesResource = `http://127.0.0.1:${port}/mcp`;
  notes = notesMcpServer({ issuer: latchkey.url, resource: notesResource, clientId: 'notes-api', clientSecret: API_SECRET });
  await new Promise<void>((resolve) => notes.listen(port, '127.0.0.1', resolve));

  // A second MCP server, another resource, verifying JWT access tokens from a stand-in issuer.
  jwtIssuer = await startJwtIssuer(['ES256']);
  calendar = notesMcpServer({ issuer: jwtIssuer.url, resource: 'http://127.0.0.1/placeholder', format: 'jwt' });
  const calendarPort = await listen(calendar);
  calendar.close();
  calendarResource = `http://127.0.0.1:${calendarPort}/mcp`;
  calendar = notesMcpServer({ issuer: jwtIssuer.url, resource: calendarResource, format: 'jwt' });
  await new Promise<void>((resolve) => calendar.listen(calendarPort, '127.0.0.1', resolve));
});

afterAll(async () => {
  await closeServer(notes);
  await closeServer(calendar);
  await jwtIssuer?.close();
  await latchkey?.close();
});

describe('the official MCP SDK client against an MCP server protected by Latchkey', () => {
  it('discovers Latchkey from the 401, authorizes with PKCE in the browser, and calls the tool', async (ctx) => {
    const sent: Sent[] = [];
    const provider = new TestProvider({ client_id: 'mcp-client' });
    const transport = new StreamableHTTPClientTransport(new URL(notesResource), { authProvider: provider, fetch: recordingFetch(sent) });
    const first = new Client({ name: 'mcp-test-client', version: '1.0.0' });
    await expect(first.connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);

    // RFC 9728 §5.1: the MCP server's challenge named its metadata, which named Latchkey.
    expect(sent[0]).toMatchObject({ method: 'POST', url: notesResource, status: 401 });
    expect(sent[0]?.challenge).toContain(`resource_metadata="http://127.0.0.1:${new URL(notesResource).port}/.well-known/oauth-protected-resource/mcp"`);
    const authUrl = provider.authorizationUrl;
    expect(authUrl?.origin).toBe(latchkey.url);
    expect(authUrl?.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authUrl?.searchParams.get('client_id')).toBe('mcp-client');
    expect(authUrl?.searchParams.get('scope')).toBe('notes:read');
    // RFC 8707 §2: the SDK asks for a token for this MCP server.
    expect(authUrl?.searchParams.get('resource')).toBe(notesResource);

    const code = await withPage(ctx, async (page) => {
      let caught = '';
      await page.route(`${MCP_CLIENT_REDIRECT}**`, async (route) => {
        caught = new URL(route.request().url()).searchParams.get('code') ?? '';
        await route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>MCP client</title><h1>Back at the MCP client</h1>' });
      });
      await page.goto(String(authUrl));
      if (await page.getByLabel('Username').isVisible()) await signIn(page);
      await page.getByText('MCP Test Client').first().waitFor();
      await page.getByRole('button', { name: 'Allow' }).click();
      await page.getByRole('heading', { name: 'Back at the MCP client' }).waitFor();
      return caught;
    });
    expect(code).not.toBe('');

    await transport.finishAuth(code);
    const tokenRequest = sent.find((s) => s.url.endsWith('/oauth2/token'));
    expect(tokenRequest?.status).toBe(200);
    const tokenForm = new URLSearchParams(tokenRequest?.body ?? '');
    expect({ grant: tokenForm.get('grant_type'), verifier: tokenForm.has('code_verifier'), resource: tokenForm.get('resource') }).toEqual({
      grant: 'authorization_code',
      verifier: true,
      resource: notesResource,
    });

    const client = new Client({ name: 'mcp-test-client', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(notesResource), { authProvider: provider, fetch: recordingFetch(sent) }));
    const result = await client.callTool({ name: 'list_notes', arguments: {} });
    expect(result.content).toEqual([{ type: 'text', text: '2 notes for alice' }]);
    await client.close();

    // For the report: what the SDK sent, in order (no secrets are involved; codes and tokens elided).
    console.info(
      'MCP SDK requests:\n' +
        sent.map((s) => `  ${s.method} ${s.url.replace(/code=[^&]+/, 'code=…')} -> ${s.status}${s.body ? ` [${s.body.replace(/(code|code_verifier)=[^&]+/g, '$1=…')}]` : ''}`).join('\n'),
    );
  });

  it("a second MCP server refuses the first server's token: its audience is another resource (RFC 8707, RFC 9068 §4)", async () => {
    const sent: Sent[] = [];
    const notesToken = await jwtIssuer.mint(notesResource, { scope: 'notes:read' });
    const provider = new TestProvider({ client_id: 'mcp-client' }, { access_token: notesToken, token_type: 'Bearer' });
    const client = new Client({ name: 'mcp-test-client', version: '1.0.0' });
    await expect(client.connect(new StreamableHTTPClientTransport(new URL(calendarResource), { authProvider: provider, fetch: recordingFetch(sent) }))).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
    // The SDK then starts authorizing afresh at the calendar's authorization server, as it should.
    expect(provider.authorizationUrl?.searchParams.get('resource')).toBe(calendarResource);
    const refusal = sent.find((s) => s.url === calendarResource);
    expect(refusal?.status).toBe(401);
    expect(refusal?.challenge).toContain('error="invalid_token"');
    expect(refusal?.challenge).toContain('/.well-known/oauth-protected-resource/mcp"');

    // The same issuer's token for the calendar's own identifier is accepted.
    const calendarToken = await jwtIssuer.mint(calendarResource, { scope: 'notes:read', username: 'alice' });
    const ok = new Client({ name: 'mcp-test-client', version: '1.0.0' });
    await ok.connect(new StreamableHTTPClientTransport(new URL(calendarResource), { authProvider: new TestProvider({ client_id: 'mcp-client' }, { access_token: calendarToken, token_type: 'Bearer' }) }));
    expect((await ok.callTool({ name: 'list_notes', arguments: {} })).content).toEqual([{ type: 'text', text: '2 notes for alice' }]);
    await ok.close();
  });
});
