import * as oauth from 'oauth4webapi';
import { CliError } from '../context.ts';
import { forgetCache, readCache } from './cache.ts';
import type { FlowContext } from './flow-context.ts';
import { checkJwt } from './jwt-check.ts';
import { attempt } from './oauth-failure.ts';
import type { ProviderClientOptions } from './option-defs.ts';
import { flowContext } from './options.ts';
import { endpoint, resolveProvider } from './provider.ts';
import { refuseSecretsInArgv } from './secret-sources.ts';
import { StdinLines } from './stdin-lines.ts';
import { idTokenLines } from './token-output.ts';

const WHICH = ['access_token', 'refresh_token', 'id_token'] as const;
type Which = (typeof WHICH)[number];

export interface ToolOptions extends ProviderClientOptions {
  tokenStdin?: boolean;
  which?: string;
  audience?: string;
}

const isTty = () => process.stdout.isTTY === true;
const print = (text: string) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);

/** `latchkey token inspect`: decodes a JWT and verifies it against the provider keys; fails when it is not verified. */
export function inspectToken(opts: ToolOptions): Promise<void> {
  return withStdin(async (stdin) => {
    const provider = await resolveProvider(opts);
    const jwt = await tokenFrom(opts, stdin, provider.as.issuer);
    const checked = await checkJwt(jwt, provider, opts.audience);
    print(opts.json === true || !isTty() ? JSON.stringify(checked, null, 2) : [`header: ${JSON.stringify(checked.header)}`, ...idTokenLines(checked, 'JWT')].join('\n'));
    if (!checked.verified) throw new CliError(`the token is NOT verified: ${checked.problem ?? 'unknown'}`, 'invalid_response');
  });
}

/** `latchkey token introspect`: whether a token is active, and what it carries (RFC 7662). */
export function introspectToken(opts: ToolOptions): Promise<void> {
  return withStdin(async (stdin) => {
    const ctx = await flowContext(opts, stdin);
    endpoint(ctx.provider, 'introspection_endpoint');
    const which = whichOf(opts.which);
    const value = await tokenFrom(opts, stdin, ctx.provider.as.issuer, ctx);
    const result = await attempt('the introspection endpoint', async () => {
      const res = await oauth.introspectionRequest(ctx.provider.as, ctx.client, ctx.auth, value, { ...ctx.provider.http, additionalParameters: hint(opts, which) });
      return oauth.processIntrospectionResponse(ctx.provider.as, ctx.client, res);
    });
    print(opts.json === true || !isTty() ? JSON.stringify(result, null, 2) : Object.entries(result).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join('\n'));
  });
}

/** `latchkey token revoke`: revokes a token (RFC 7009). */
export function revokeToken(opts: ToolOptions): Promise<void> {
  return withStdin(async (stdin) => {
    const ctx = await flowContext(opts, stdin);
    const which = whichOf(opts.which);
    const value = await tokenFrom(opts, stdin, ctx.provider.as.issuer, ctx);
    await revoke(ctx, value, opts.tokenStdin === true ? undefined : which);
    process.stderr.write('latchkey: revoked (RFC 7009 §2.2: the server answers the same for a token it did not know)\n');
  });
}

/** `latchkey token logout`: revokes the cached tokens of this issuer and client, and forgets them. */
export function logoutToken(opts: ToolOptions): Promise<void> {
  return withStdin(async (stdin) => {
    const ctx = await flowContext(opts, stdin);
    const { issuer } = ctx.provider.as;
    const cached = readCache(issuer, ctx.client.client_id);
    if (cached === undefined) {
      process.stderr.write('latchkey: no cached token for this issuer and client\n');
      return;
    }
    if (typeof ctx.provider.as.revocation_endpoint === 'string') {
      // The refresh token first: revoking it ends the grant, and at most servers its access tokens too (§2.1).
      if (cached.response.refresh_token !== undefined) await revoke(ctx, cached.response.refresh_token, 'refresh_token');
      await revoke(ctx, cached.response.access_token, 'access_token');
    } else {
      process.stderr.write('latchkey: note: the provider has no revocation endpoint; the tokens stay valid until they expire\n');
    }
    forgetCache(issuer, ctx.client.client_id);
    process.stderr.write('latchkey: signed out: the cached tokens are revoked and forgotten\n');
  });
}

async function withStdin(fn: (stdin: StdinLines) => Promise<void>): Promise<void> {
  refuseSecretsInArgv(process.argv.slice(2));
  const stdin = new StdinLines();
  try {
    await fn(stdin);
  } finally {
    stdin.close();
  }
}

function whichOf(value: string | undefined): Which {
  const which = value ?? 'access_token';
  if (!(WHICH as readonly string[]).includes(which)) throw new CliError(`--which "${which}": use one of ${WHICH.join(', ')}`);
  return which as Which;
}

const hint = (opts: ToolOptions, which: Which): Record<string, string> =>
  opts.tokenStdin === true || which === 'id_token' ? {} : { token_type_hint: which };

/** The token from stdin (--token-stdin), or the cached one of this issuer and client. */
async function tokenFrom(opts: ToolOptions, stdin: StdinLines, issuer: string, ctx?: FlowContext): Promise<string> {
  if (opts.tokenStdin === true) return stdin.secret('--token-stdin');
  const which = whichOf(opts.which);
  const clientId = ctx?.client.client_id ?? opts.clientId;
  if (clientId === undefined) throw new CliError('give the token with --token-stdin, or --client-id to use the cached one');
  const cached = readCache(issuer, clientId);
  if (cached === undefined) throw new CliError(`no cached token for ${clientId} at ${issuer}: run \`latchkey token\` first, or use --token-stdin`, 'not_found');
  const value = cached.response[which];
  if (typeof value !== 'string') throw new CliError(`the cached token response has no ${which}`, 'not_found');
  return value;
}

async function revoke(ctx: FlowContext, value: string, which: Which | undefined): Promise<void> {
  endpoint(ctx.provider, 'revocation_endpoint');
  await attempt('the revocation endpoint', async () => {
    const options = { ...ctx.provider.http, ...(which === undefined || which === 'id_token' ? {} : { additionalParameters: { token_type_hint: which } }) };
    const res = await oauth.revocationRequest(ctx.provider.as, ctx.client, ctx.auth, value, options);
    await oauth.processRevocationResponse(res);
  });
}
