import { expect } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.ts';
import type { Clock } from '../../src/core/clock.ts';
import { codeGrant, expectTokens, obtainCode, postToken } from './flow-helpers.ts';
import { startServer, testConfig, TEST_PASSWORD, type TestServer } from './server.ts';
import { UserAgent } from './user-agent.ts';

/** Helpers for the admin API, console and account tests (issue 6). */

export const ADMIN_API = '/admin/api/v1';
/** A script's own public client that lists the admin scope, as the docs describe for automation. */
export const ADMIN_CLI = 'admin-cli';
export const ADMIN_CLI_REDIRECT = 'http://127.0.0.1/cb';

/** The baseline test config plus an administrator (root) and a client allowed to request the admin scope. */
export function adminConfig(overrides: Partial<ConfigInput> = {}): Partial<ConfigInput> {
  const base = testConfig();
  return {
    clients: [
      ...(base.clients ?? []),
      { id: ADMIN_CLI, name: 'Admin CLI', type: 'public', redirectUris: [ADMIN_CLI_REDIRECT], scopes: ['admin', 'openid', 'profile'], grantTypes: ['authorization_code', 'refresh_token'] },
    ],
    users: [...(base.users ?? []), { username: 'root', password: TEST_PASSWORD, name: 'Root Admin', admin: true }],
    ...overrides,
  };
}

export function startAdminServer(overrides: Partial<ConfigInput> = {}, options: { clock?: Clock; logStream?: NodeJS.WritableStream } = {}): Promise<TestServer> {
  return startServer(adminConfig(overrides), options);
}

/** An access token from the real authorization code flow (PKCE) as `username`, through admin-cli. */
export async function adminToken(server: TestServer, o: { username?: string; scope?: string } = {}): Promise<string> {
  const agent = new UserAgent(server.url);
  const code = await obtainCode(agent, { clientId: ADMIN_CLI, redirectUri: ADMIN_CLI_REDIRECT, scope: o.scope ?? 'admin', username: o.username ?? 'root' });
  const tokens = await expectTokens(await postToken(server, { ...codeGrant(code), client_id: ADMIN_CLI }));
  return tokens.access_token;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON; tests read it through the API's own zod schemas (src/admin/schemas.ts), which checks them too. */
  body: unknown;
}

/** Calls the admin API; every response body is kept, to check later that a secret appeared in exactly one. */
export class AdminApi {
  readonly texts: string[] = [];
  readonly server: TestServer;
  token: string | undefined;

  constructor(server: TestServer, token: string | undefined) {
    this.server = server;
    this.token = token;
  }

  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> {
    const h = new Headers(headers);
    if (this.token !== undefined && !h.has('authorization')) h.set('authorization', `Bearer ${this.token}`);
    if (body !== undefined && !h.has('content-type')) h.set('content-type', 'application/json');
    const res = await fetch(new URL(ADMIN_API + path, this.server.url), {
      method,
      headers: h,
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    this.texts.push(text);
    let parsed: unknown = undefined;
    if (text !== '' && (res.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, text, body: parsed };
  }

  get = (path: string) => this.call('GET', path);
  post = (path: string, body?: unknown) => this.call('POST', path, body);
  patch = (path: string, body: unknown) => this.call('PATCH', path, body);
  put = (path: string, body: unknown) => this.call('PUT', path, body);
  delete = (path: string) => this.call('DELETE', path);

  /** How many of the responses so far contain `needle`. */
  occurrences(needle: string): number {
    return this.texts.filter((t) => t.includes(needle)).length;
  }
}

/** A 422 naming `field`; returns the field's message. */
export function expectFieldError(res: ApiResponse, field: string): string {
  expect({ status: res.status, body: res.body }).toMatchObject({ status: 422, body: { error: 'invalid_request' } });
  const message = (res.body as { fields?: Record<string, string> }).fields?.[field];
  expect(message, `fields.${field} in ${res.text}`).toEqual(expect.any(String));
  return message ?? '';
}

export function expectApiError(res: ApiResponse, status: number, error: string): void {
  expect({ status: res.status, error: (res.body as { error?: string } | undefined)?.error }).toEqual({ status, error });
  expect(res.headers.get('cache-control') ?? '').toContain('no-store');
}
