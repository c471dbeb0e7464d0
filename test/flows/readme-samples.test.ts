import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startJwtIssuer, type JwtIssuer } from '../support/jwt-issuer.ts';
import { ordersApi } from './readme/protected-api.ts';

/**
 * The README's code samples for protecting an API are these files, printed with `from 'latchkey'`: each sample a
 * test runs (this file, test/cli/readme-protecting-apis.test.ts against Latchkey, and test/interop/mcp/mcp-sdk.test.ts
 * for the MCP server), so the README cannot drift.
 */

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The ```ts block that follows `<!-- sample: path -->` in the README. */
function samples(): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of README.matchAll(/<!-- sample: (\S+) -->\n```ts\n([\s\S]*?)```/g)) {
    if (m[1] !== undefined && m[2] !== undefined) out.set(m[1], m[2]);
  }
  return out;
}

let issuer: JwtIssuer;
beforeAll(async () => {
  issuer = await startJwtIssuer(['ES256']);
});
afterAll(async () => {
  await issuer?.close();
});

describe('README: Protecting an API and MCP servers', () => {
  it('prints each sample file as it is, but importing the package', () => {
    const found = samples();
    expect([...found.keys()].sort()).toEqual(['test/flows/readme/introspected-api.ts', 'test/flows/readme/protected-api.ts', 'test/interop/mcp/notes-mcp-server.ts']);
    for (const [path, block] of found) {
      const source = readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8').replace(/'(\.\.\/)+src\/index\.ts'/g, "'latchkey'");
      expect(block, path).toBe(source);
    }
  });

  it('the Fastify sample admits a JWT for https://api.example.com and challenges without one (RFC 9728 §5.1)', async () => {
    const api = ordersApi(issuer.url);
    try {
      const meta = await api.inject({ method: 'GET', url: '/.well-known/oauth-protected-resource' });
      expect(meta.json()).toMatchObject({ resource: 'https://api.example.com', authorization_servers: [issuer.url], scopes_supported: ['read'] });
      const ok = await api.inject({ method: 'GET', url: '/orders', headers: { authorization: `Bearer ${await issuer.mint('https://api.example.com', { scope: 'read' })}` } });
      expect({ status: ok.statusCode, body: ok.json() }).toEqual({ status: 200, body: { orders: [], for: 'user-1' } });
      const none = await api.inject({ method: 'GET', url: '/orders' });
      expect(none.statusCode).toBe(401);
      expect(none.headers['www-authenticate']).toBe('Bearer realm="api", resource_metadata="https://api.example.com/.well-known/oauth-protected-resource", scope="read"');
      const elsewhere = await api.inject({ method: 'GET', url: '/orders', headers: { authorization: `Bearer ${await issuer.mint('https://other.example.com', { scope: 'read' })}` } });
      expect(elsewhere.statusCode).toBe(401);
    } finally {
      await api.close();
    }
  });
});
