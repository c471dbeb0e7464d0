import * as oauth from 'oauth4webapi';
import { CLI_CLIENT_ID } from '../../admin/built-in.ts';
import { ADMIN_SCOPE } from '../../core/scope.ts';
import { CliError } from '../context.ts';
import { authorizationCodeGrant } from './authorization-code.ts';
import { deviceGrant } from './device-grant.ts';
import { canOpenBrowser } from './loopback.ts';
import { forgetCache, isFresh, readCache, writeCache } from './cache.ts';
import { type FlowContext, NO_CREDENTIAL } from './flow-context.ts';
import { attempt, describeOAuthFailure } from './oauth-failure.ts';
import { refreshTokenGrant } from './other-grants.ts';
import { resolveProvider } from './provider.ts';
import { StdinLines } from './stdin-lines.ts';

/**
 * `latchkey admin login --server URL`: an administrator signs in once, in the browser or by the device flow, with Latchkey's own native
 * client `latchkey-cli` (src/admin/built-in.ts) and the `admin` scope; the token goes to the token cache of
 * `latchkey token`. The commands that take `--server URL` then call the admin API (docs/admin-api.md) with it,
 * refreshing it as needed, so a remote deployment is managed without access to its database.
 */

async function adminContext(server: string, stdin: StdinLines): Promise<FlowContext> {
  const provider = await resolveProvider({ issuer: server });
  return {
    provider,
    client: { client_id: CLI_CLIENT_ID },
    auth: oauth.None(),
    credential: NO_CREDENTIAL,
    dpop: undefined,
    scope: ADMIN_SCOPE,
    stdin,
    note: (message) => process.stderr.write(`latchkey: ${message}\n`),
  };
}

const expiry = (response: oauth.TokenEndpointResponse): number | undefined =>
  typeof response.expires_in === 'number' ? Math.floor(Date.now() / 1000) + response.expires_in : undefined;

export interface AdminLoginOptions {
  server: string;
  device?: boolean;
  browser: boolean;
  qr: boolean;
  timeout: number;
}

/**
 * `latchkey admin login --server URL` (registered in register.ts). The device flow (RFC 8628) when asked with
 * --device, or when a browser is wanted but none can be opened (an SSH session on the server): the person types the
 * code on /device from their laptop or phone, rather than copying a redirect address back into the shell.
 */
export async function adminLogin(opts: AdminLoginOptions): Promise<void> {
  const stdin = new StdinLines();
  try {
    const ctx = await adminContext(opts.server, stdin);
    const device = opts.device === true || (opts.browser && !canOpenBrowser());
    const response = device ? await deviceGrant(ctx, { qr: opts.qr }) : await authorizationCodeGrant(ctx, { browser: opts.browser, par: false, timeout: opts.timeout });
    const expiresAt = expiry(response);
    const grant = device ? 'device' : 'authorization_code';
    writeCache({ issuer: ctx.provider.as.issuer, clientId: CLI_CLIENT_ID, requestedScope: ADMIN_SCOPE, grant, credential: NO_CREDENTIAL, expiresAt, response });
    process.stderr.write(`latchkey: signed in to ${ctx.provider.as.issuer}; commands with --server ${opts.server} now use the admin API\n`);
  } finally {
    stdin.close();
  }
}

/** `latchkey admin logout --server URL`: revokes and forgets the admin token of that server. */
export async function adminLogout(opts: { server: string }): Promise<void> {
  const stdin = new StdinLines();
  try {
    const ctx = await adminContext(opts.server, stdin);
    const cached = readCache(ctx.provider.as.issuer, CLI_CLIENT_ID);
    const revocation = ctx.provider.as.revocation_endpoint;
    if (cached !== undefined && typeof revocation === 'string') {
      for (const token of [cached.response.refresh_token, cached.response.access_token]) {
        if (token === undefined) continue;
        await attempt('the revocation endpoint', async () => oauth.processRevocationResponse(await oauth.revocationRequest(ctx.provider.as, ctx.client, ctx.auth, token, ctx.provider.http)));
      }
    }
    forgetCache(ctx.provider.as.issuer, CLI_CLIENT_ID);
    process.stderr.write(`latchkey: signed out of ${ctx.provider.as.issuer}\n`);
  } finally {
    stdin.close();
  }
}

/** The cached admin access token of `server`, refreshed when it has expired. */
async function adminToken(server: string): Promise<{ issuer: string; token: string }> {
  const stdin = new StdinLines();
  try {
    const ctx = await adminContext(server, stdin);
    const { issuer } = ctx.provider.as;
    const cached = readCache(issuer, CLI_CLIENT_ID);
    const login = `run \`latchkey admin login --server ${server}\``;
    if (cached === undefined) throw new CliError(`not signed in to ${issuer}: ${login}`, 'invalid_argument');
    if (isFresh(cached, Math.floor(Date.now() / 1000))) return { issuer, token: cached.response.access_token };
    if (cached.response.refresh_token === undefined) throw new CliError(`the admin token for ${issuer} has expired: ${login}`);
    try {
      const response = await refreshTokenGrant(ctx, cached.response.refresh_token);
      writeCache({ ...cached, expiresAt: expiry(response), response: { ...response, refresh_token: response.refresh_token ?? cached.response.refresh_token } });
      return { issuer, token: response.access_token };
    } catch (err) {
      throw new CliError(`the admin sign-in for ${issuer} has ended (${(err as Error).message}): ${login}`, 'oauth_error');
    }
  } finally {
    // Nothing was read: stdin stays for the command.
    stdin.close();
  }
}

/** Every item of a paged admin API list (`{ items, nextCursor }`), over HTTP with the cached admin token. */
export async function adminApiList<T>(server: string, path: string): Promise<T[]> {
  const session = await adminToken(server);
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ limit: '100', ...(cursor === null ? {} : { cursor }) });
    const answer = await call(session, 'GET', `${path}${path.includes('?') ? '&' : '?'}${query}`);
    const body = (answer.body ?? {}) as { items?: T[]; nextCursor?: string | null; error?: string; message?: string; error_description?: string };
    if (answer.status < 200 || answer.status >= 300) {
      const why = body.error ?? `HTTP ${answer.status}`;
      const hint = answer.status === 401 ? `: run \`latchkey admin login --server ${server}\`` : '';
      throw new CliError(`the admin API at ${session.issuer} refused: ${why}${body.message ?? body.error_description ? ` (${body.message ?? body.error_description})` : ''}${hint}`, 'oauth_error');
    }
    items.push(...(body.items ?? []));
    cursor = body.nextCursor ?? null;
  } while (cursor !== null);
  return items;
}

/** The admin API's answer to one request: its status and JSON body (undefined when empty). */
export interface AdminApiAnswer {
  status: number;
  body: unknown;
}

/**
 * One admin API request over HTTP with the cached admin token (refreshed as needed). Every HTTP answer is returned,
 * so that a command can name its own options in a 422's fields; a 401 and an unreachable server are thrown.
 */
export async function adminApiRequest(server: string, method: string, path: string, body?: unknown): Promise<AdminApiAnswer> {
  const session = await adminToken(server);
  const answer = await call(session, method, path, body);
  if (answer.status === 401) throw new CliError(`the admin API at ${session.issuer} refused: invalid_token: run \`latchkey admin login --server ${server}\``, 'oauth_error');
  return answer;
}

/** One request with the cached admin token: the status and the JSON body (undefined when empty or not JSON). */
async function call(session: { issuer: string; token: string }, method: string, path: string, body?: unknown): Promise<AdminApiAnswer> {
  const { issuer, token } = session;
  const url = `${issuer.replace(/\/$/, '')}/admin/api/v1${path}`;
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(url, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  } catch (err) {
    throw await describeOAuthFailure(err, `the admin API at ${issuer}`);
  }
  const text = await res.text();
  try {
    return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
  } catch {
    return { status: res.status, body: undefined };
  }
}
