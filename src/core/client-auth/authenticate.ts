import { verifyHashedSecret } from '../crypto.ts';
import { InvalidClient, InvalidRequest } from '../errors.ts';
import { isDisabled, urlsChosenByClient, type Client, type TokenEndpointAuthMethod } from '../model.ts';
import type { CoreDeps, Params } from '../context.ts';
import { findClient } from '../registration/metadata-document-clients.ts';
import { JWT_BEARER_ASSERTION } from './algorithms.ts';
import { parseBasic } from './basic.ts';
import { clientKeys, type ClientKeys } from './client-keys.ts';
import { usesSecretJwt, verifyClientSecretJwt } from './client-secret-jwt.ts';
import { guardedJwksFetch, httpsJwksFetch } from './jwks-fetch.ts';
import { assertedClientId, verifyPrivateKeyJwt } from './private-key-jwt.ts';
import { auditPreviousSecretUse, matchesPreviousSecret } from './previous-secret.ts';

export interface AuthenticatedClient {
  client: Client;
  method: TokenEndpointAuthMethod;
}

export interface ClientAuthInput {
  params: Params;
  authorization: string | undefined;
  /** The requester's address, for the audit log. */
  address?: string | undefined;
}

type AuthDeps = Pick<CoreDeps<'clients' | 'clientAssertionJtis'>, 'repos' | 'clock' | 'audit' | 'config' | 'clientDocuments' | 'clientChosenFetch' | 'kek'>;

/** The endpoints that authenticate clients, as discovery lists them (RFC 8414 §2): all accept the same methods. */
export const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt'] as const;

/**
 * Authenticates the client of a token, revocation or introspection request (RFC 6749 §2.3):
 * client_secret_basic, client_secret_post, client_secret_jwt and private_key_jwt (RFC 7523 §2.2), or none (public clients, identified by
 * client_id only). A client MUST NOT use more than one method in a request (§2.3).
 */
export async function authenticateClient(deps: AuthDeps, input: ClientAuthInput): Promise<AuthenticatedClient> {
  const authenticated = await authenticate(deps, input);
  // Checked after the credentials, so only the client itself learns that it is disabled.
  if (isDisabled(authenticated.client)) throw new InvalidClient('this client is disabled');
  return authenticated;
}

async function authenticate(deps: AuthDeps, input: ClientAuthInput): Promise<AuthenticatedClient> {
  const basic = parseBasic(input.authorization);
  const postId = input.params['client_id'];
  const postSecret = input.params['client_secret'];

  const assertionType = input.params['client_assertion_type'];
  const assertion = input.params['client_assertion'];
  if (assertionType !== undefined || assertion !== undefined) {
    if (basic || postSecret !== undefined) throw new InvalidRequest('use only one client authentication method');
    return verifyAssertion(deps, assertionType, assertion, postId);
  }

  if (basic) {
    if (postSecret !== undefined) throw new InvalidRequest('use only one client authentication method');
    if (postId !== undefined && postId !== basic.clientId) throw new InvalidRequest('client_id does not match the Basic credentials');
    return verifySecret(deps, input, basic.clientId, basic.clientSecret, 'client_secret_basic');
  }
  if (postId === undefined) {
    throw new InvalidClient('client authentication is required');
  }
  if (postSecret !== undefined) return verifySecret(deps, input, postId, postSecret, 'client_secret_post');

  // A public client may be one described by its client metadata document (draft-ietf-oauth-client-id-metadata-document).
  const client = await findClient(deps, postId);
  if (!client) throw new InvalidClient('client authentication failed');
  if (client.type !== 'public') throw new InvalidClient('client authentication is required');
  return { client, method: 'none' };
}

async function verifySecret(
  deps: AuthDeps,
  input: ClientAuthInput,
  clientId: string,
  secret: string,
  method: 'client_secret_basic' | 'client_secret_post',
): Promise<AuthenticatedClient> {
  const basicChallenge = method === 'client_secret_basic';
  const { repos } = deps;
  const now = deps.clock.now();
  const usesSecret = (c: Client | undefined): c is Client => c !== undefined && sendsItsSecret(c);
  const current = (c: Client | undefined): c is Client => usesSecret(c) && c.secretHash !== null && verifyHashedSecret(secret, c.secretHash);
  const previous = (c: Client | undefined): c is Client => usesSecret(c) && matchesPreviousSecret(c, secret, now);
  const matches = (c: Client | undefined): c is Client => current(c) || previous(c);
  let client = await repos.clients.findById(clientId);
  // The client may come from a cache (storage/client-cache.ts): a secret rotated by another process or node works at
  // once, before the cached client expires. (The old one still works until then: the documented bound.)
  if (client && !matches(client)) client = await repos.clients.findById(clientId, { fresh: true });
  // One message for "no such client" and "wrong secret", so the endpoint does not reveal which client ids exist.
  if (!matches(client)) {
    throw new InvalidClient('client authentication failed', { basicChallenge });
  }
  if (!current(client)) auditPreviousSecretUse(deps.audit, client, now, input.address);
  return { client, method };
}

/**
 * Whether the client proves itself by sending its secret (client_secret_basic, client_secret_post). One registered for
 * private_key_jwt or client_secret_jwt authenticates with its assertions only (RFC 7591 §2 token_endpoint_auth_method):
 * a client_secret_jwt secret never crosses the wire.
 */
export const sendsItsSecret = (c: Client): boolean => c.secretHash !== null && !c.assertionAuth && c.tokenEndpointAuthMethod !== 'client_secret_jwt';

/**
 * RFC 7521 §4.2 and RFC 7523 §2.2: `client_assertion_type` names a JWT, `client_assertion` carries it. A client
 * registered for private_key_jwt proves itself with its keys, one registered for client_secret_jwt with an HMAC keyed
 * by its secret; each only that way, so neither can be made to accept the other's kind of assertion.
 */
async function verifyAssertion(deps: AuthDeps, type: string | undefined, assertion: string | undefined, postId: string | undefined): Promise<AuthenticatedClient> {
  if (type !== JWT_BEARER_ASSERTION) throw new InvalidClient('unsupported client_assertion_type');
  if (!assertion) throw new InvalidClient('client_assertion is required');
  const clientId = assertedClientId(assertion, postId);
  const client = await deps.repos.clients.findById(clientId);
  if (client && usesSecretJwt(client)) return verifySecretAssertion(deps, client, assertion);
  const auth = client?.assertionAuth;
  if (!client || !auth) throw new InvalidClient('client authentication failed');
  await verifyPrivateKeyJwt({ config: deps.config, clock: deps.clock, jtis: deps.repos.clientAssertionJtis, keys: keysFor(deps, client) }, client, auth, assertion);
  return { client, method: 'private_key_jwt' };
}

async function verifySecretAssertion(deps: AuthDeps, cached: Client, assertion: string): Promise<AuthenticatedClient> {
  const secretDeps = { config: deps.config, clock: deps.clock, jtis: deps.repos.clientAssertionJtis, kek: deps.kek };
  try {
    await verifyClientSecretJwt(secretDeps, cached, assertion);
    return { client: cached, method: 'client_secret_jwt' };
  } catch (err) {
    // The client may come from a cache (storage/client-cache.ts): a secret rotated on another node works at once.
    const fresh = await deps.repos.clients.findById(cached.id, { fresh: true });
    if (!fresh || fresh.secretEncrypted === cached.secretEncrypted || !usesSecretJwt(fresh)) throw err;
    await verifyClientSecretJwt(secretDeps, fresh, assertion);
    return { client: fresh, method: 'client_secret_jwt' };
  }
}

/**
 * jwks_uri caches per server (its config object), as previous-secret.ts keeps one limiter per audit sink: one for
 * operator-made clients (plain https fetch), one for clients that chose their own jwks_uri (through the SSRF guard),
 * kept apart so that a document fetched for one kind never serves the other. Request objects
 * (core/authorize/request-object.ts) are verified against the same registered keys, through the same caches.
 */
const keyCaches = new WeakMap<object, { operator: ClientKeys; guarded: ClientKeys }>();

export function keysFor(deps: Pick<AuthDeps, 'config' | 'clock' | 'clientChosenFetch'>, client: Client): ClientKeys {
  let keys = keyCaches.get(deps.config);
  if (!keys) {
    const s = deps.config.clientAssertions;
    const settings = { cacheSeconds: s.jwksCacheSeconds, refetchSeconds: s.jwksRefetchSeconds };
    keys = {
      operator: clientKeys(httpsJwksFetch({ allowLoopbackHttp: s.jwksUriAllowLoopbackHttp }), deps.clock, settings),
      guarded: clientKeys(guardedJwksFetch(deps.clientChosenFetch), deps.clock, settings),
    };
    keyCaches.set(deps.config, keys);
  }
  return urlsChosenByClient(client) ? keys.guarded : keys.operator;
}
