import { createHash } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import type { Provider } from './provider.ts';
import type { StdinLines } from './stdin-lines.ts';

/** What every grant needs: the provider, the client and how it authenticates, and the optional DPoP key. */
export interface FlowContext {
  provider: Provider;
  client: oauth.Client;
  auth: oauth.ClientAuth;
  /** SHA-256 of the client secret or signing key (of '' for a public client) and the DPoP key: what obtained a token. */
  credential: string;
  /** RFC 9449: every token request carries a DPoP proof, and the token is bound to this key. */
  dpop: oauth.DPoPHandle | undefined;
  scope: string | undefined;
  /** RFC 8707 §2: the resources (APIs) `latchkey token --resource` asks for; none when absent. */
  resources?: readonly string[] | undefined;
  stdin: StdinLines;
  /** A remark for the person, on stderr (never the answer, never a secret). */
  note(message: string): void;
}

/** The options of a token endpoint request: http allowance and the DPoP handle. */
export function requestOptions(ctx: FlowContext): oauth.TokenEndpointRequestOptions {
  return { ...ctx.provider.http, ...(ctx.dpop === undefined ? {} : { DPoP: ctx.dpop }) };
}

/**
 * RFC 9449 §8: a server that wants a fresh nonce in the proof answers use_dpop_nonce with a DPoP-Nonce header;
 * oauth4webapi's handle remembers it, and the request is sent once more.
 */
export async function withDpopNonceRetry<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (oauth.isDPoPNonceError(err)) return fn();
    throw err;
  }
}

/** RFC 8707 §2: `resource` once per value, as the authorization and device authorization requests take it. */
export function appendResources(params: URLSearchParams, ctx: Pick<FlowContext, 'resources'>): URLSearchParams {
  for (const r of ctx.resources ?? []) params.append('resource', r);
  return params;
}

/**
 * RFC 8707 §2.2: the token request after an authorization (code, device, refresh) names one resource, the first
 * asked for: an access token has one audience, and a server refuses a request that leaves the choice open.
 */
export const tokenRequestResource = (ctx: Pick<FlowContext, 'resources'>): Record<string, string> => {
  const first = ctx.resources?.[0];
  return first === undefined ? {} : { resource: first };
};

/** The `credential` of a public client, which has none. */
export const NO_CREDENTIAL = createHash('sha256').update('').digest('base64url');

export const wantsOpenId = (scope: string | undefined): boolean => (scope ?? '').split(' ').includes('openid');
