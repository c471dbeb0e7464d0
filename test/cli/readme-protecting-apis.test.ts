import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { postToken, WEB_APP_BASIC } from '../support/flow-helpers.ts';
import { latchkey, type Run } from '../support/cli.ts';
import { startServer, testConfig, type TestServer } from '../support/server.ts';
import { introspectedOrdersApi } from '../flows/readme/introspected-api.ts';
import { ordersApi } from '../flows/readme/protected-api.ts';
import { TestProvider } from '../interop/mcp/sdk-client.ts';

/**
 * README "Protecting an API and MCP servers", end to end as written: every `latchkey` command of the section run by
 * the real bin against a running server's database, then the section's samples (test/flows/readme/) protecting
 * routes with the tokens that server issues, and its config blocks parsed. The MCP client's part is
 * test/interop/mcp/mcp-sdk.test.ts.
 */

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const SECTION = README.slice(README.indexOf('## Protecting an API and MCP servers\n'), README.indexOf('## Dynamic client registration\n'));

/** The section's `latchkey` commands, continuation lines joined, comments dropped, split as a shell would ("…" quoting). */
function commands(): string[][] {
  const out: string[][] = [];
  for (const block of SECTION.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const lines = (block[1] ?? '').replace(/\\\n\s*/g, ' ').split('\n');
    for (const line of lines.map((l) => l.replace(/\s+#.*$/, '').trim()).filter((l) => l.startsWith('latchkey '))) {
      out.push([...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '').slice(1));
    }
  }
  return out;
}

const jsonBlocks = (): unknown[] => [...SECTION.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1] ?? '') as unknown);

let dir: string;
let db: string;
let server: TestServer;
const runs = new Map<string, Run>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-readme-apis-'));
  db = join(dir, 'latchkey.db');
  // cacheTtlMs 0: what the CLI writes shows at once; orders.read is the introspected sample's scope.
  server = await startServer({ database: db, cacheTtlMs: 0, scopes: [{ name: 'orders.read', description: 'Read orders' }] });
  for (const args of commands()) runs.set(args.join(' '), await latchkey([...args, '-d', db]));
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function clientCredentials(params: Record<string, string>): Promise<string> {
  const res = await postToken(server, { grant_type: 'client_credentials', ...params }, { authorization: WEB_APP_BASIC });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

describe('README: Protecting an API and MCP servers, as written', () => {
  it('runs every latchkey command of the section successfully', () => {
    expect([...runs.keys()]).toEqual([
      'resources create https://api.example.com --name Example API --scope read --format jwt',
      'clients create --name My API --id my-api --grant-type client_credentials --introspect-any',
      'resources create https://notes.example.com/mcp --name Notes MCP server --scope notes:read --format jwt',
    ]);
    for (const [command, run] of runs) expect({ command, code: run.code, stderr: run.stderr }).toEqual({ command, code: 0, stderr: '' });
  });

  it('the Fastify sample admits a Latchkey JWT for https://api.example.com and answers the RFC 9728 document', async () => {
    const api = ordersApi(server.url);
    try {
      const meta = await api.inject({ method: 'GET', url: '/.well-known/oauth-protected-resource' });
      expect(meta.json()).toMatchObject({ resource: 'https://api.example.com', authorization_servers: [server.url], scopes_supported: ['read'] });
      const token = await clientCredentials({ resource: 'https://api.example.com', scope: 'read' });
      const ok = await api.inject({ method: 'GET', url: '/orders', headers: bearer(token) });
      expect({ status: ok.statusCode, body: ok.json() }).toEqual({ status: 200, body: { orders: [], for: 'web-app' } });
      // A token for the MCP server registered in the same section is another audience (RFC 9068 §4).
      const other = await api.inject({ method: 'GET', url: '/orders', headers: bearer(await clientCredentials({ resource: 'https://notes.example.com/mcp', scope: 'notes:read' })) });
      expect(other.statusCode).toBe(401);
      expect(other.headers['www-authenticate']).toContain('error="invalid_token"');
    } finally {
      await api.close();
    }
  });

  it('the introspection sample admits an opaque token, as the client my-api the command created, and challenges without one (RFC 7662, RFC 6750 §3)', async () => {
    const secret = /client_secret: (\S+)/.exec(runs.get('clients create --name My API --id my-api --grant-type client_credentials --introspect-any')?.stdout ?? '')?.[1] ?? '';
    expect(secret).not.toBe('');
    const api = introspectedOrdersApi(server.url, secret);
    try {
      const token = await clientCredentials({ scope: 'orders.read' });
      const ok = await api.inject({ method: 'GET', url: '/orders', headers: bearer(token) });
      expect({ status: ok.statusCode, orders: (ok.json() as { orders: unknown }).orders }).toEqual({ status: 200, orders: [] });
      const none = await api.inject({ method: 'GET', url: '/orders' });
      expect(none.statusCode).toBe(401);
    } finally {
      await api.close();
    }
  });

  it('the MCP server is a JWT resource named for the consent page; the registration config parses; the client metadata is what the MCP SDK sends', async () => {
    const shown = await latchkey(['resources', 'show', 'https://notes.example.com/mcp', '--json', '-d', db]);
    expect(JSON.parse(shown.stdout)).toMatchObject({ name: 'Notes MCP server', accessTokenFormat: 'jwt', scopes: ['notes:read'] });
    const [config, registration, ...rest] = jsonBlocks();
    expect(rest).toEqual([]);
    expect(parseConfig({ ...testConfig(), ...(config as object) }).registration).toMatchObject({ mode: 'open', scopes: expect.arrayContaining(['notes:read']) });
    // test/interop/mcp/mcp-sdk.test.ts proves the SDK sends exactly this (its TestProvider's metadata and the scope).
    expect(registration).toEqual({ ...new TestProvider().clientMetadata, scope: 'notes:read' });
  });
});
