import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { TEST_PASSWORD, TEST_SECRET } from './server.ts';
import { authorizeAsUser, authorizeUrl, type UserAgent } from './user-agent.ts';

/** Plain-fetch helpers for negative flow tests, where a real client library would refuse to send the bad request. */

type Body = NonNullable<RequestInit['body']>;

export const WEB_REDIRECT = 'https://client.example/callback';

/** RFC 6749 §2.3.1: form-urlencode id and secret, then Base64. */
export const basicAuth = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

export const WEB_APP_BASIC = basicAuth('web-app', TEST_SECRET);

export interface PostOptions {
  authorization?: string;
  headers?: Record<string, string>;
}

/** POSTs a body (a form by default) to a path on the server. */
export function post(server: { url: string }, path: string, body: Record<string, string> | Body, options: PostOptions = {}): Promise<Response> {
  const headers = new Headers(options.headers);
  if (options.authorization !== undefined) headers.set('authorization', options.authorization);
  const isRecord = typeof body === 'object' && body !== null && Object.getPrototypeOf(body) === Object.prototype;
  return fetch(new URL(path, server.url), {
    method: 'POST',
    headers,
    body: isRecord ? new URLSearchParams(body as Record<string, string>) : (body as Body),
  });
}

export const postToken = (server: { url: string }, body: Record<string, string> | Body, options: PostOptions = {}) =>
  post(server, '/oauth2/token', body, options);

/** RFC 6749 §5.2: the status, a JSON body with `error`, and no caching. Returns the body. */
export async function expectJsonError(res: Response, status: number, error: string): Promise<Record<string, unknown>> {
  const text = await res.text();
  expect({ status: res.status, text }).toMatchObject({ status });
  expect(res.headers.get('content-type') ?? '').toMatch(/^application\/json/);
  expect(res.headers.get('cache-control') ?? '').toContain('no-store');
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(body['error']).toBe(error);
  return body;
}

export async function expectTokens(res: Response): Promise<{ access_token: string; refresh_token?: string; scope: string; token_type: string }> {
  const text = await res.text();
  expect({ status: res.status, text }).toMatchObject({ status: 200 });
  expect(res.headers.get('cache-control') ?? '').toContain('no-store');
  return JSON.parse(text) as { access_token: string; refresh_token?: string; scope: string; token_type: string };
}

/** After a refused request, the server must still answer a good one. */
export async function expectServerStillServes(server: { url: string }): Promise<void> {
  const res = await postToken(server, { grant_type: 'client_credentials' }, { authorization: WEB_APP_BASIC });
  expect(res.status).toBe(200);
  expect(((await res.json()) as { token_type: string }).token_type).toBe('Bearer');
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface CodeRequest {
  clientId?: string;
  redirectUri?: string;
  scope?: string;
  /** false: no code_challenge in the request. */
  pkce?: boolean;
  username?: string;
}

/** Runs the browser side as alice (or `username`) and returns a fresh authorization code with its PKCE verifier. */
export async function obtainCode(agent: UserAgent, req: CodeRequest = {}): Promise<{ code: string; verifier: string; redirectUri: string }> {
  const { verifier, challenge } = pkcePair();
  const redirectUri = req.redirectUri ?? WEB_REDIRECT;
  const pkce = req.pkce ?? true;
  const url = authorizeUrl(
    { url: agent.origin },
    {
      response_type: 'code',
      client_id: req.clientId ?? 'web-app',
      redirect_uri: redirectUri,
      scope: req.scope ?? 'openid profile',
      state: 'st',
      code_challenge: pkce ? challenge : undefined,
      code_challenge_method: pkce ? 'S256' : undefined,
    },
  );
  const out = await authorizeAsUser(agent, url, { username: req.username ?? 'alice', password: TEST_PASSWORD, decision: 'allow' });
  const code = out.location?.searchParams.get('code');
  if (!code) throw new Error(`no code: status ${out.status}, location ${out.location?.href ?? '-'}`);
  return { code, verifier, redirectUri };
}

export const codeGrant = (c: { code: string; verifier: string; redirectUri: string }): Record<string, string> => ({
  grant_type: 'authorization_code',
  code: c.code,
  code_verifier: c.verifier,
  redirect_uri: c.redirectUri,
});

export const bearer = (server: { url: string }, token: string) =>
  fetch(new URL('/userinfo', server.url), { headers: { authorization: `Bearer ${token}` } });

export async function introspectActive(server: { url: string }, token: string, authorization = WEB_APP_BASIC): Promise<boolean> {
  const res = await post(server, '/oauth2/introspect', { token }, { authorization });
  expect(res.status).toBe(200);
  return ((await res.json()) as { active: boolean }).active;
}
