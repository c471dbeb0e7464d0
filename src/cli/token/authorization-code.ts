import * as oauth from 'oauth4webapi';
import { CliError } from '../context.ts';
import { appendResources, type FlowContext, requestOptions, tokenRequestResource, wantsOpenId, withDpopNonceRetry } from './flow-context.ts';
import { openBrowser, startLoopback } from './loopback.ts';
import { attempt } from './oauth-failure.ts';
import { endpoint } from './provider.ts';

export interface AuthorizationCodeOptions {
  redirectUri?: string;
  browser: boolean;
  par: boolean;
  /** How long to wait for the person, in seconds. */
  timeout: number;
}

/**
 * The authorization code grant of a native app (RFC 8252, RFC 6749 §4.1), with what RFC 9700 §2.1.1 asks of every
 * client: PKCE S256 always (RFC 7636), an unguessable `state` checked on return, `nonce` when an ID token is asked
 * for (OpenID Connect Core §3.1.2.1), and the `iss` response parameter checked when the server sends or promises it
 * (RFC 9207 §2.4; oauth4webapi refuses a missing one when authorization_response_iss_parameter_supported is true).
 */
export async function authorizationCodeGrant(ctx: FlowContext, opts: AuthorizationCodeOptions): Promise<oauth.TokenEndpointResponse> {
  const { as } = ctx.provider;
  const authorizationEndpoint = endpoint(ctx.provider, 'authorization_endpoint');
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const openid = wantsOpenId(ctx.scope);
  const nonce = openid ? oauth.generateRandomNonce() : undefined;
  const loopback = await startLoopback(opts.redirectUri);
  try {
    const params = new URLSearchParams({
      client_id: ctx.client.client_id,
      response_type: 'code',
      redirect_uri: loopback.redirectUri,
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    if (ctx.scope !== undefined) params.set('scope', ctx.scope);
    if (nonce !== undefined) params.set('nonce', nonce);
    appendResources(params, ctx);
    const url = new URL(authorizationEndpoint);
    if (opts.par) {
      // RFC 9126 §2: the parameters go to the server directly (client-authenticated); the browser carries only
      // client_id and the request_uri.
      const requestUri = await attempt('the pushed authorization request', () =>
        withDpopNonceRetry(async () => {
          const res = await oauth.pushedAuthorizationRequest(as, ctx.client, ctx.auth, params, requestOptions(ctx));
          return (await oauth.processPushedAuthorizationResponse(as, ctx.client, res)).request_uri;
        }),
      );
      url.search = new URLSearchParams({ client_id: ctx.client.client_id, request_uri: requestUri }).toString();
    } else {
      for (const [k, v] of params) if (k !== 'resource') url.searchParams.set(k, v);
      appendResources(url.searchParams, ctx);
    }
    const returned = await waitForRedirect(ctx, url, loopback.received, opts);
    const callback = await attempt('the authorization response', async () => oauth.validateAuthResponse(as, ctx.client, returned, state));
    return await attempt('the token endpoint', () =>
      withDpopNonceRetry(async () => {
        const res = await oauth.authorizationCodeGrantRequest(as, ctx.client, ctx.auth, callback, loopback.redirectUri, verifier, { ...requestOptions(ctx), additionalParameters: tokenRequestResource(ctx) });
        return oauth.processAuthorizationCodeResponse(as, ctx.client, res, { expectedNonce: nonce ?? oauth.expectNoNonce, requireIdToken: openid });
      }),
    );
  } finally {
    await loopback.close();
  }
}

/** The browser's return: through the loopback listener, or pasted on standard input, whichever comes first. */
async function waitForRedirect(ctx: FlowContext, url: URL, received: Promise<URL> | undefined, opts: AuthorizationCodeOptions): Promise<URL> {
  const opened = opts.browser && (await openBrowser(url.href));
  ctx.note(opened ? 'opened the browser to sign in; if it did not open, visit:' : 'open this address in a browser to sign in:');
  // The authorization URL carries no secret (PKCE sends only the challenge): it may be shown.
  process.stderr.write(`\n  ${url.href}\n\n`);
  if (received === undefined || !opts.browser) {
    ctx.note(received === undefined ? 'then paste the address the browser was sent back to, and press Enter:' : 'waiting for the browser; or paste the address it was sent back to, and press Enter:');
  }
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CliError(`no answer from the browser within ${opts.timeout} s (--timeout)`, 'unreachable')), opts.timeout * 1000);
  });
  try {
    return await Promise.race([...(received === undefined ? [] : [received]), pasted(ctx, received === undefined), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Lines from standard input until one parses as an absolute URL. At the end of input: an error when pasting is the
 * only way back, otherwise pending (the listener may still receive the redirect).
 */
async function pasted(ctx: FlowContext, onlyWay: boolean): Promise<URL> {
  for (;;) {
    const line = await ctx.stdin.next();
    if (line === undefined) {
      if (onlyWay) throw new CliError('standard input ended before the redirect address was pasted');
      return new Promise<URL>(() => undefined);
    }
    const text = line.trim();
    if (text === '') continue;
    try {
      return new URL(text);
    } catch {
      ctx.note('that is not an address; paste the whole address from the browser bar:');
    }
  }
}
