import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { hash, verify } from '@node-rs/argon2';
import OAuth2Server, { Request, Response } from '@node-oauth/oauth2-server';
import type { AuthorizationCode, AuthorizationCodeModel, Client, ClientCredentialsModel, Falsey, RefreshToken, RefreshTokenModel, Token, User } from '@node-oauth/oauth2-server';
import { announce, BENCH, loginFormHtml, onStop, parseCookies, readBody, secretMatches, sha256 } from '../common.ts';

/**
 * @node-oauth/oauth2-server with an in-memory model (Maps, no eviction) behind a small node:http layer written for the
 * benchmark: the library has no HTTP server, no login page, no consent, and no introspection (reported n/a).
 * The login route checks the password with the same argon2id parameters as Latchkey and keeps a session in a Map;
 * the authorization endpoint approves for a signed-in user (consent remembered). Refresh tokens rotate
 * (`alwaysIssueNewRefreshToken`, the default); the client secret is compared as a SHA-256 digest in constant time,
 * as Latchkey does. PKCE is verified when the request carries it (the library cannot require it).
 */

const { version } = JSON.parse(readFileSync(new URL('../../node_modules/@node-oauth/oauth2-server/package.json', import.meta.url), 'utf8')) as { version: string };

const client: Client = {
  id: BENCH.clientId,
  redirectUris: [BENCH.redirectUri],
  grants: ['authorization_code', 'refresh_token', 'client_credentials'],
  accessTokenLifetime: BENCH.accessTokenTtl,
  refreshTokenLifetime: BENCH.refreshTokenTtl,
};
const clientSecretHash = sha256(BENCH.clientSecret);
const user: User = { id: 'alice-0001', username: BENCH.username, name: BENCH.userName, email: BENCH.email };
const passwordHash = await hash(BENCH.password, { algorithm: 2 });
const knownScopes = new Set(['openid', 'profile', 'email', BENCH.clientScope]);

const accessTokens = new Map<string, Token>();
const refreshTokens = new Map<string, RefreshToken>();
const codes = new Map<string, AuthorizationCode>();
const sessions = new Map<string, User>();

const model: AuthorizationCodeModel & RefreshTokenModel & ClientCredentialsModel = {
  async getClient(clientId: string, clientSecret: string | null) {
    if (clientId !== client.id) return null;
    if (clientSecret !== null && clientSecret !== undefined && !secretMatches(clientSecret, clientSecretHash)) return null;
    return client;
  },
  async saveToken(token: Token, c: Client, u: User) {
    const saved: Token = { ...token, client: c, user: u };
    accessTokens.set(token.accessToken, saved);
    if (token.refreshToken) {
      refreshTokens.set(token.refreshToken, {
        refreshToken: token.refreshToken,
        ...(token.refreshTokenExpiresAt ? { refreshTokenExpiresAt: token.refreshTokenExpiresAt } : {}),
        ...(token.scope ? { scope: token.scope } : {}),
        client: c,
        user: u,
      });
    }
    return saved;
  },
  async getAccessToken(accessToken: string) {
    return accessTokens.get(accessToken) ?? null;
  },
  async getRefreshToken(refreshToken: string) {
    return refreshTokens.get(refreshToken) ?? null;
  },
  async revokeToken(token: RefreshToken | Token) {
    return token.refreshToken !== undefined && refreshTokens.delete(token.refreshToken);
  },
  async saveAuthorizationCode(code: Pick<AuthorizationCode, 'authorizationCode' | 'expiresAt' | 'redirectUri' | 'scope' | 'codeChallenge' | 'codeChallengeMethod'>, c: Client, u: User) {
    const saved: AuthorizationCode = { ...code, client: c, user: u };
    codes.set(code.authorizationCode, saved);
    return saved;
  },
  async getAuthorizationCode(code: string) {
    return codes.get(code) ?? null;
  },
  async revokeAuthorizationCode(code: AuthorizationCode) {
    return codes.delete(code.authorizationCode);
  },
  async getUserFromClient(c: Client) {
    return { id: `client:${c.id}` };
  },
  async validateScope(_u: User, _c: Client, scope?: string[]): Promise<string[] | Falsey> {
    const requested = scope ?? [];
    return requested.every((s) => knownScopes.has(s)) ? requested : false;
  },
  async verifyScope(token: Token, scope: string[]) {
    return scope.every((s) => token.scope?.includes(s) ?? false);
  },
  async validateRedirectUri(redirectUri: string, c: Client) {
    return c.redirectUris?.includes(redirectUri) ?? false;
  },
};

const oauth = new OAuth2Server({
  model,
  accessTokenLifetime: BENCH.accessTokenTtl,
  refreshTokenLifetime: BENCH.refreshTokenTtl,
  authorizationCodeLifetime: BENCH.codeTtl,
  alwaysIssueNewRefreshToken: true,
  allowBearerTokensInQueryString: false,
});

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  res.writeHead(status, { 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

const json = (res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}) =>
  send(res, status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...extra }, JSON.stringify(body));

function fromLibrary(res: ServerResponse, response: Response): void {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(response.headers ?? {})) if (typeof v === 'string') headers[k] = v;
  if (response.status === 302 || response.status === 303) return send(res, response.status, headers, '');
  json(res, response.status ?? 200, response.body, headers);
}

const oauthError = (res: ServerResponse, err: unknown) => {
  const e = err as { code?: number; name?: string; message?: string };
  json(res, typeof e.code === 'number' ? e.code : 500, { error: e.name ?? 'server_error', error_description: e.message ?? '' });
};

async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const query = Object.fromEntries(url.searchParams);
  const cookies = parseCookies(req.headers.cookie);
  const libraryRequest = (body: Record<string, string> = {}) => new Request({ method: req.method ?? 'GET', headers: req.headers as Record<string, string>, query, body });

  if (url.pathname === '/token' && req.method === 'POST') {
    const body = Object.fromEntries(new URLSearchParams(await readBody(req)));
    const response = new Response({ headers: {} });
    try {
      await oauth.token(libraryRequest(body), response);
      return fromLibrary(res, response);
    } catch (err) {
      return oauthError(res, err);
    }
  }
  if (url.pathname === '/authorize' && req.method === 'GET') {
    const signedIn = sessions.get(cookies.get('sid') ?? '');
    if (!signedIn) {
      return send(res, 303, { location: `/login?return=${encodeURIComponent(url.pathname + url.search)}` }, '');
    }
    const response = new Response({ headers: {} });
    try {
      await oauth.authorize(libraryRequest(), response, { authenticateHandler: { handle: () => signedIn } });
      return fromLibrary(res, response);
    } catch (err) {
      const location = response.headers?.['location'];
      if (typeof location === 'string') return send(res, 302, { location }, '');
      return oauthError(res, err);
    }
  }
  if (url.pathname === '/login') {
    if (req.method === 'GET') {
      return send(res, 200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }, loginFormHtml('/login', { return: query['return'] ?? '/' }));
    }
    const form = new URLSearchParams(await readBody(req));
    const back = form.get('return') ?? '/';
    if (form.get('username') !== BENCH.username || !(await verify(passwordHash, form.get('password') ?? '')) || !back.startsWith('/authorize?')) {
      return send(res, 401, { 'content-type': 'text/html; charset=utf-8' }, loginFormHtml('/login', { return: back }));
    }
    const sid = randomBytes(32).toString('base64url');
    sessions.set(sid, user);
    return send(res, 303, { location: back, 'set-cookie': `sid=${sid}; Path=/; HttpOnly; SameSite=Lax` }, '');
  }
  if (url.pathname === '/userinfo' && req.method === 'GET') {
    try {
      const token = await oauth.authenticate(libraryRequest(), new Response({ headers: {} }), { scope: ['openid'] });
      const u = token.user as User;
      return json(res, 200, { sub: u['id'] as string, name: u['name'] as string, preferred_username: u['username'] as string, email: u['email'] as string });
    } catch (err) {
      return oauthError(res, err);
    }
  }
  json(res, 404, { error: 'not_found' });
}

const server = createServer((req, res) => {
  route(req, res).catch(() => {
    if (!res.headersSent) json(res, 500, { error: 'server_error' });
    else res.end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  announce({
    port,
    version,
    endpoints: { token: '/token', authorization: '/authorize', resource: '/userinfo' },
    notes: ['in-memory Map model', 'own node:http layer', 'login route (argon2id)', 'no introspection'],
  });
});
onStop(
  () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
);
