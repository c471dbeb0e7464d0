import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import OAuth2Server, { type Client, type PasswordModel, Request, Response, type Token, type User } from '@node-oauth/oauth2-server';

/**
 * A legacy provider with the password grant and no metadata: @node-oauth/oauth2-server (a dev dependency) with an
 * in-memory model, its token endpoint at /oauth/token. `latchkey token --grant password` is tested against it, since
 * neither Latchkey nor node-oidc-provider has that grant (RFC 9700 §2.4).
 */

export const LEGACY_SECRET = 'legacy-client-secret-0123456789';
export const LEGACY_PASSWORD = 'legacy alice password';

export async function startLegacyProvider(): Promise<{ url: string; close(): Promise<void> }> {
  const client: Client = { id: 'legacy-app', grants: ['password', 'refresh_token'] };
  const tokens = new Map<string, Token>();
  const model: PasswordModel = {
    getClient: async (id: string, secret: string | null) => (id === client.id && secret === LEGACY_SECRET ? client : null),
    getUser: async (username: string, password: string) => (username === 'alice' && password === LEGACY_PASSWORD ? { id: 'alice' } : false),
    saveToken: async (token: Token, c: Client, u: User) => {
      const saved: Token = { ...token, client: c, user: u };
      tokens.set(token.accessToken, saved);
      return saved;
    },
    getAccessToken: async (accessToken: string) => tokens.get(accessToken) ?? null,
    validateScope: async (_u: User, _c: Client, scope?: string[]) => scope ?? ['read'],
  };
  const oauth = new OAuth2Server({ model, accessTokenLifetime: 3600 });
  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8').on('data', (d: string) => (raw += d));
    req.on('end', () => {
      void (async () => {
        const send = (status: number, body: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
          res.end(JSON.stringify(body));
        };
        if (req.url !== '/oauth/token' || req.method !== 'POST') return send(404, { error: 'not_found' });
        const request = new Request({ method: 'POST', headers: req.headers as Record<string, string>, query: {}, body: Object.fromEntries(new URLSearchParams(raw)) });
        const response = new Response({ headers: {} });
        try {
          await oauth.token(request, response);
          send(response.status ?? 200, response.body);
        } catch (err) {
          const e = err as { code?: number; name?: string; message?: string };
          send(e.code ?? 500, { error: e.name ?? 'server_error', error_description: e.message ?? '' });
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
