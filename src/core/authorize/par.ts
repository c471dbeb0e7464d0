import { authenticateClient, type ClientAuthInput } from '../client-auth/authenticate.ts';
import type { CoreDeps, Params } from '../context.ts';
import { randomId, sha256 } from '../crypto.ts';
import { InvalidRequest, InvalidRequestUri } from '../errors.ts';
import type { Client } from '../model.ts';
import { findClient } from '../registration/metadata-document-clients.ts';
import { verifyRequestObject } from './request-object.ts';
import { AuthorizeErrorPage, AuthorizeErrorRedirect, validateAuthorizationRequest, type AuthorizationRequest } from './request.ts';

/** RFC 9126 §2.2: the request_uri is a URN of this form; only these are accepted (no fetching of other URIs). */
export const REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';

/** Client authentication parameters: not part of the authorization request that is stored. */
const CLIENT_AUTH_PARAMS = new Set(['client_secret', 'client_assertion', 'client_assertion_type']);

type ParDeps = CoreDeps<'clients' | 'scopes' | 'resources' | 'clientAssertionJtis' | 'pushedRequests' | 'requestObjectJtis'>;

/** How the authorization request reached the server: the policies of RFC 9126 §5-6 and RFC 9101 §10.5 need it. */
export interface RequestOrigin {
  pushed: boolean;
  signed: boolean;
}

/**
 * RFC 9126 §2: the pushed authorization request endpoint. The client authenticates as at the token endpoint (§2,
 * public clients with `none`), the request is validated as at the authorization endpoint (§2.1, the same ordered
 * checks) and kept under a new single-use request_uri (§2.2). Errors are JSON (§2.3): never a redirect.
 */
export async function pushAuthorizationRequest(deps: ParDeps, input: ClientAuthInput): Promise<{ request_uri: string; expires_in: number }> {
  const { client } = await authenticateClient(deps, input);
  // RFC 9126 §2.1: request_uri MUST NOT be provided in a pushed request.
  if (input.params['request_uri'] !== undefined) throw new InvalidRequest('request_uri must not be sent to the pushed authorization request endpoint (RFC 9126 §2.1)');
  const outer: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.params)) if (!CLIENT_AUTH_PARAMS.has(name)) outer[name] = value;
  outer['client_id'] = client.id;
  const jwt = input.params['request'];
  // RFC 9126 §3: a request object may be pushed; then its parameters are the request (RFC 9101 §6.3).
  const object = jwt === undefined ? { params: outer, signed: false } : await verifyRequestObject(deps, client, jwt);
  const params = object.params;
  const origin: RequestOrigin = { pushed: true, signed: object.signed };

  try {
    const { request } = await validateAuthorizationRequest(deps, params, { knownScopes: await knownScopes(deps) });
    enforceRequestPolicy(deps, client, request, origin);
  } catch (err) {
    // The same checks as the authorization endpoint; here their errors are answered to the client directly (§2.3).
    if (err instanceof AuthorizeErrorPage || err instanceof AuthorizeErrorRedirect) throw err.cause;
    throw err;
  }

  const requestUri = REQUEST_URI_PREFIX + randomId(32);
  const ttl = deps.config.pushedAuthorizationRequests.requestUriTtl;
  await deps.repos.pushedRequests.push({ hash: sha256(requestUri), clientId: client.id, params: JSON.stringify(params), signed: origin.signed, expiresAt: deps.clock.now() + ttl });
  return { request_uri: requestUri, expires_in: ttl };
}

/**
 * The parameters the authorization endpoint acts on: those pushed under `request_uri` (RFC 9126 §4), those signed
 * into `request` (RFC 9101 §6.3), or the query itself. Other query parameters than client_id are then ignored.
 * The request_uri and the object are checked before the redirect URI is known, so their errors are pages.
 * A request_uri not of our URN form is left to the usual checks, which answer request_uri_not_supported.
 */
export async function resolveAuthorizationParams(deps: ParDeps, params: Params): Promise<{ params: Params; origin: RequestOrigin }> {
  const requestUri = params['request_uri'];
  const jwt = params['request'];
  const plain = { params, origin: { pushed: false, signed: false } };
  if (requestUri === undefined && jwt === undefined) return plain;
  if (requestUri !== undefined && jwt !== undefined) throw new AuthorizeErrorPage(new InvalidRequest('request and request_uri cannot both be sent (RFC 9101 §5)'));
  if (requestUri !== undefined && !requestUri.startsWith(REQUEST_URI_PREFIX)) return plain;
  const clientId = params['client_id'];
  if (!clientId) throw new AuthorizeErrorPage(new InvalidRequest('client_id is missing'));

  if (requestUri !== undefined) {
    // RFC 9126 §4: single use, unexpired, and only by the client that pushed it (bound in the same statement).
    const pushed = await deps.repos.pushedRequests.consume(sha256(requestUri), clientId, deps.clock.now());
    if (!pushed) throw new AuthorizeErrorPage(new InvalidRequestUri('the request_uri is unknown, expired, already used, or was pushed by another client'));
    return { params: JSON.parse(pushed.params) as Params, origin: { pushed: true, signed: pushed.signed } };
  }
  const client = await findClient(deps, clientId).catch(() => undefined);
  if (!client) throw new AuthorizeErrorPage(new InvalidRequest('the client_id is not registered'));
  try {
    const object = await verifyRequestObject(deps, client, jwt as string);
    return { params: object.params, origin: { pushed: false, signed: object.signed } };
  } catch (err) {
    throw new AuthorizeErrorPage(err as InvalidRequest);
  }
}

/**
 * RFC 9126 §5-6 require_pushed_authorization_requests and RFC 9101 §10.5 require_signed_request_object, per client
 * or server-wide. Checked once the redirect URI is verified, so the refusal goes back to the client.
 */
export function enforceRequestPolicy(deps: Pick<CoreDeps, 'config'>, client: Client, request: AuthorizationRequest, origin: RequestOrigin): void {
  const { config } = deps;
  const fail = (description: string): never => {
    throw new AuthorizeErrorRedirect(new InvalidRequest(description), { redirectUri: request.redirectUri, responseMode: request.responseMode, state: request.state });
  };
  if (!origin.pushed && (client.requirePushedAuthorizationRequests ?? config.pushedAuthorizationRequests.required)) {
    fail('this client must use pushed authorization requests (RFC 9126 §5)');
  }
  if (!origin.signed && (client.requireSignedRequestObject ?? config.requestObjects.requireSigned)) {
    fail('this client must send a signed request object (RFC 9101 §10.5)');
  }
}

async function knownScopes(deps: ParDeps): Promise<Set<string>> {
  return new Set((await deps.repos.scopes.list()).map((s) => s.name));
}
