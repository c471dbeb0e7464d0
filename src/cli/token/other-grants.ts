import * as oauth from 'oauth4webapi';
import { appendResources, type FlowContext, requestOptions, tokenRequestResource, withDpopNonceRetry } from './flow-context.ts';
import { attempt } from './oauth-failure.ts';

/** RFC 6749 §4.4: the client on its own behalf. */
export function clientCredentialsGrant(ctx: FlowContext): Promise<oauth.TokenEndpointResponse> {
  const { as } = ctx.provider;
  // RFC 8707 §2: every --resource; a server issuing one audience per token refuses several (invalid_target).
  const params = appendResources(new URLSearchParams(ctx.scope === undefined ? {} : { scope: ctx.scope }), ctx);
  return attempt('the token endpoint', () =>
    withDpopNonceRetry(async () => {
      const res = await oauth.clientCredentialsGrantRequest(as, ctx.client, ctx.auth, params, requestOptions(ctx));
      return oauth.processClientCredentialsResponse(as, ctx.client, res);
    }),
  );
}

/** RFC 6749 §6; a narrower `scope` may be asked for. An ID token in the answer is validated as at the code exchange. */
export function refreshTokenGrant(ctx: FlowContext, refreshToken: string): Promise<oauth.TokenEndpointResponse> {
  const { as } = ctx.provider;
  const additionalParameters = new URLSearchParams({ ...(ctx.scope === undefined ? {} : { scope: ctx.scope }), ...tokenRequestResource(ctx) });
  return attempt('the token endpoint', () =>
    withDpopNonceRetry(async () => {
      const res = await oauth.refreshTokenGrantRequest(as, ctx.client, ctx.auth, refreshToken, { ...requestOptions(ctx), additionalParameters });
      return oauth.processRefreshTokenResponse(as, ctx.client, res);
    }),
  );
}

/**
 * RFC 6749 §4.3, the resource owner password credentials grant: deprecated (RFC 9700 §2.4 "MUST NOT be used"), so
 * only when asked for by name, for the legacy providers that still have it. The password comes from stdin only.
 */
export function passwordGrant(ctx: FlowContext, username: string, password: string): Promise<oauth.TokenEndpointResponse> {
  const { as } = ctx.provider;
  const params = new URLSearchParams({ username, password });
  if (ctx.scope !== undefined) params.set('scope', ctx.scope);
  appendResources(params, ctx);
  return attempt('the token endpoint', () =>
    withDpopNonceRetry(async () => {
      const res = await oauth.genericTokenEndpointRequest(as, ctx.client, ctx.auth, 'password', params, requestOptions(ctx));
      return oauth.processGenericTokenEndpointResponse(as, ctx.client, res);
    }),
  );
}
