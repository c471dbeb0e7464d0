import type * as oauth from 'oauth4webapi';
import { CliError } from '../context.ts';
import { authorizationCodeGrant } from './authorization-code.ts';
import { answersFor, type CachedToken, isFresh, readCache, writeCache } from './cache.ts';
import { deviceGrant } from './device-grant.ts';
import type { FlowContext } from './flow-context.ts';
import { checkJwt } from './jwt-check.ts';
import { GRANTS, type ProviderClientOptions } from './option-defs.ts';
import { flowContext } from './options.ts';
import { clientCredentialsGrant, passwordGrant, refreshTokenGrant } from './other-grants.ts';
import { refuseSecretsInArgv } from './secret-sources.ts';
import { StdinLines } from './stdin-lines.ts';
import { renderAnswer, type TokenAnswer } from './token-output.ts';

type Grant = (typeof GRANTS)[number];

export interface TokenOptions extends ProviderClientOptions {
  grant?: string;
  redirectUri?: string;
  browser: boolean;
  refreshTokenStdin?: boolean;
  username?: string;
  passwordStdin?: boolean;
  par?: boolean;
  resource?: string[];
  qr: boolean;
  print?: string;
  export?: boolean;
  fresh?: boolean;
  cache: boolean;
  timeout: number;
}

/** `latchkey token` (registered in register.ts, loaded only when run). */
export async function runToken(opts: TokenOptions): Promise<void> {
  refuseSecretsInArgv(process.argv.slice(2));
  const stdin = new StdinLines();
  try {
    const ctx = { ...(await flowContext(opts, stdin)), resources: opts.resource ?? [] };
    const answer = await obtain(ctx, opts);
    process.stdout.write(renderAnswer(answer, opts, Math.floor(Date.now() / 1000), process.stdout.isTTY === true));
  } finally {
    stdin.close();
  }
}

function grantOf(value: string | undefined): Grant {
  if (value === undefined) return 'authorization_code';
  if (!(GRANTS as readonly string[]).includes(value)) throw new CliError(`--grant "${value}": use one of ${GRANTS.join(', ')}`);
  return value as Grant;
}

/** From the cache while valid, refreshed when it has a refresh token, else by running the grant. */
async function obtain(ctx: FlowContext, opts: TokenOptions): Promise<TokenAnswer> {
  const grant = grantOf(opts.grant);
  const issuer = ctx.provider.as.issuer;
  const clientId = ctx.client.client_id;
  const requestedScope = ctx.scope ?? '';
  const requestedResources = (ctx.resources ?? []).join(' ');
  const now = () => Math.floor(Date.now() / 1000);
  // An explicit refresh or password grant is the point of the command: it never answers from the cache.
  const cached = opts.cache && opts.fresh !== true && grant !== 'refresh_token' && grant !== 'password' ? readCache(issuer, clientId) : undefined;
  if (cached !== undefined && answersFor(cached, { grant, requestedScope, requestedResources, credential: ctx.credential })) {
    if (isFresh(cached, now())) return { response: cached.response, expiresAt: cached.expiresAt, idToken: undefined, origin: 'cache' };
    if (cached.response.refresh_token !== undefined) {
      try {
        return await finish(ctx, opts, grant, await refreshTokenGrant(ctx, cached.response.refresh_token), 'refreshed', cached);
      } catch (err) {
        // An expired or revoked refresh token: start over with the grant, as --fresh would.
        if (!(err instanceof CliError) || err.code !== 'oauth_error') throw err;
        ctx.note(`the cached refresh token no longer works (${err.message}); signing in again`);
      }
    }
  }
  return finish(ctx, opts, grant, await runGrant(ctx, opts, grant), 'grant', undefined);
}

async function runGrant(ctx: FlowContext, opts: TokenOptions, grant: Grant): Promise<oauth.TokenEndpointResponse> {
  switch (grant) {
    case 'authorization_code':
      return authorizationCodeGrant(ctx, { ...(opts.redirectUri === undefined ? {} : { redirectUri: opts.redirectUri }), browser: opts.browser, par: opts.par === true, timeout: opts.timeout });
    case 'client_credentials':
      return clientCredentialsGrant(ctx);
    case 'refresh_token':
      if (opts.refreshTokenStdin !== true) throw new CliError('--grant refresh_token: give the refresh token with --refresh-token-stdin');
      return refreshTokenGrant(ctx, await ctx.stdin.secret('--refresh-token-stdin'));
    case 'device':
      return deviceGrant(ctx, { qr: opts.qr });
    case 'password':
      if (opts.username === undefined) throw new CliError('--grant password: --username is required');
      if (opts.passwordStdin !== true) throw new CliError('--grant password: give the password with --password-stdin');
      return passwordGrant(ctx, opts.username, await ctx.stdin.secret('--password-stdin'));
  }
}

async function finish(ctx: FlowContext, opts: TokenOptions, grant: Grant, response: oauth.TokenEndpointResponse, origin: TokenAnswer['origin'], previous: CachedToken | undefined): Promise<TokenAnswer> {
  const expiresAt = typeof response.expires_in === 'number' ? Math.floor(Date.now() / 1000) + response.expires_in : undefined;
  // RFC 6749 §6: a refresh response may omit the refresh token (no rotation): the old one stays usable.
  const kept: oauth.TokenEndpointResponse =
    response.refresh_token === undefined && previous?.response.refresh_token !== undefined ? { ...response, refresh_token: previous.response.refresh_token } : response;
  if (opts.cache) {
    writeCache({ issuer: ctx.provider.as.issuer, clientId: ctx.client.client_id, requestedScope: ctx.scope ?? '', requestedResources: (ctx.resources ?? []).join(' '), grant, credential: ctx.credential, expiresAt, response: kept });
  }
  const idToken = kept.id_token === undefined ? undefined : await checkJwt(kept.id_token, ctx.provider, ctx.client.client_id);
  return { response: kept, expiresAt, idToken, origin };
}
