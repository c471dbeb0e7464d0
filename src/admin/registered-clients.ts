import type { AppDeps } from '../app-deps.ts';
import { randomId, randomToken, sha256, verifyHashedSecret } from '../core/crypto.ts';
import { InvalidClientMetadata, InvalidRedirectUri, InvalidToken, type OAuthError } from '../core/errors.ts';
import { assertionAuthOf, type ClientAuthFields } from '../core/client-auth/metadata.ts';
import { defaultResponseTypes, type Client, type OidcClientMetadata } from '../core/model.ts';
import { readClientMetadata, REGISTRABLE_AUTH_METHODS, WIRE_NAMES, type RequestedClient } from '../core/registration/metadata.ts';
import { checkGrantTypes, checkRedirectUris, grantedScopes, type RegistrationPolicy } from '../core/registration/policy.ts';
import { clientInformation } from '../core/registration/response.ts';
import { applicationCreate } from './application-schemas.ts';
import { checkApplication } from './applications.ts';
import { AdminError, fieldsFromZod } from './errors.ts';

/**
 * Dynamic client registration (RFC 7591) and management (RFC 7592): the operations behind /register. The metadata is
 * judged by the operator's policy (core/registration/policy.ts), then by the same application rules as the admin API,
 * the console and the CLI (application-schemas.ts, applications.ts checkApplication), so there is one set of rules.
 */

export type RegistrationDeps = Pick<AppDeps, 'config' | 'clock' | 'repos' | 'audit'>;

const policyOf = (deps: RegistrationDeps): RegistrationPolicy => deps.config.registration;

/** A refused field of the application rules, named as the client sent it (RFC 7591 §3.2.2). */
function metadataError(fields: Readonly<Record<string, string>>): OAuthError {
  const [field, message] = Object.entries(fields)[0] ?? ['body', 'invalid client metadata'];
  const wire = WIRE_NAMES[field] ?? field;
  return wire === 'redirect_uris' ? new InvalidRedirectUri(`redirect_uris: ${message}`) : new InvalidClientMetadata(`${wire}: ${message}`);
}

type Judged = Pick<Client, 'name' | 'type' | 'redirectUris' | 'grantTypes' | 'responseTypes' | 'scopes' | 'assertionAuth'> & { oidc: OidcClientMetadata; requested: RequestedClient };

/** The request judged by the policy and the application rules; throws invalid_redirect_uri / invalid_client_metadata. */
async function judge(deps: RegistrationDeps, body: unknown, id: string): Promise<Judged> {
  const policy = policyOf(deps);
  const requested = readClientMetadata(body, { implicitAllowed: deps.config.features.implicit });
  checkRedirectUris(requested.application['redirectUris'], requested.applicationType, policy);
  checkGrantTypes(requested.application['grantTypes'], policy);
  const known = new Set((await deps.repos.scopes.list()).map((s) => s.name));
  const scopes = grantedScopes(requested.scopes, policy, known);
  // RFC 7591 §2 client_name is optional; the consent page needs a name: the client_id stands in.
  const parsed = applicationCreate.safeParse({ ...requested.application, name: requested.application['name'] ?? id, scopes });
  if (!parsed.success) throw metadataError(fieldsFromZod(parsed.error));
  const a = parsed.data;
  const oidc: OidcClientMetadata = {
    idTokenSignedResponseAlg: a.idTokenSignedResponseAlg,
    userinfoSignedResponseAlg: a.userinfoSignedResponseAlg,
    subjectType: a.subjectType,
    defaultMaxAge: a.defaultMaxAge,
    requireAuthTime: a.requireAuthTime,
    postLogoutRedirectUris: a.postLogoutRedirectUris,
    backchannelLogoutUri: a.backchannelLogoutUri,
    backchannelLogoutSessionRequired: a.backchannelLogoutSessionRequired,
  };
  const shape = { name: a.name, type: a.type, redirectUris: a.redirectUris, grantTypes: [...new Set(a.grantTypes)], responseTypes: [...new Set(a.responseTypes ?? defaultResponseTypes(a.grantTypes))], scopes: a.scopes, oidc };
  // RFC 7523 §2.2 private_key_jwt: the keys (jwks or jwks_uri) and algorithm judged as for an operator's application.
  const auth: ClientAuthFields = { type: a.type, hasSecret: false, method: a.tokenEndpointAuthMethod, signingAlg: a.tokenEndpointAuthSigningAlg, jwks: a.jwks, jwksUri: a.jwksUri };
  try {
    await checkApplication({ deps }, { ...shape, requirePkce: null, auth }, true);
  } catch (err) {
    if (err instanceof AdminError && err.fields) throw metadataError(err.fields);
    throw err;
  }
  return { ...shape, assertionAuth: assertionAuthOf(auth), requested };
}

/**
 * RFC 7591 §3: in `token` mode the request must carry a live initial access token. Checked before the metadata (an
 * unauthorized caller learns nothing about the policy) and spent only once the registration is accepted.
 */
async function checkInitialToken(deps: RegistrationDeps, token: string | undefined): Promise<string | undefined> {
  if (policyOf(deps).mode !== 'token') return undefined;
  if (token === undefined) throw new InvalidToken('this server requires an initial access token to register a client');
  const hash = sha256(token);
  if (!(await deps.repos.registrationTokens.findLive(hash, deps.clock.now()))) throw new InvalidToken('the initial access token is not valid, expired or used up');
  return hash;
}

/** RFC 7591 §3.1-3.2: registers the client and answers its information, with the secrets shown this once. */
export async function registerClient(deps: RegistrationDeps, body: unknown, auth: { initialAccessToken: string | undefined; address: string | undefined }): Promise<Record<string, unknown>> {
  const initialHash = await checkInitialToken(deps, auth.initialAccessToken);
  const id = randomId(16);
  const judged = await judge(deps, body, id);
  if (judged.requested.clientSecret !== undefined) throw new InvalidClientMetadata('client_secret: the server issues the secret; do not send one');
  const now = deps.clock.now();
  if (initialHash !== undefined && !(await deps.repos.registrationTokens.use(initialHash, now))) {
    throw new InvalidToken('the initial access token is not valid, expired or used up');
  }
  const clientSecret = REGISTRABLE_AUTH_METHODS[judged.requested.authMethod].secret ? randomToken('clientSecret') : undefined;
  const registrationAccessToken = randomToken('registrationAccessToken');
  const { requested, ...shape } = judged;
  const client = await deps.repos.clients.create(
    {
      id,
      ...shape,
      secretHash: clientSecret === undefined ? null : sha256(clientSecret),
      accessTokenTtl: null,
      refreshTokenTtl: null,
      codeTtl: null,
      requirePkce: null,
      introspectAny: false,
      origin: 'dynamic',
      tokenEndpointAuthMethod: requested.authMethod,
      registrationTokenHash: sha256(registrationAccessToken),
      registrationMetadata: requested.described,
    },
    now,
  );
  deps.audit.record({ type: 'client.registered', clientId: id, ip: auth.address, details: { name: client.name, clientType: client.type, scopes: client.scopes, redirectUris: client.redirectUris } });
  return clientInformation(client, deps.config.issuer, { clientSecret, registrationAccessToken });
}

/**
 * RFC 7592 §2: the registration access token of this very client, or invalid_token. The same answer for a client that
 * does not exist, one the operator created, and a wrong token, so the endpoint reveals nothing about client ids.
 */
export async function authorizeManagement(deps: RegistrationDeps, clientId: string, token: string | undefined): Promise<Client> {
  const client = token === undefined ? undefined : await deps.repos.clients.findById(clientId, { fresh: true });
  const hash = client?.registrationTokenHash;
  if (!client || client.origin !== 'dynamic' || !hash || token === undefined || !verifyHashedSecret(token, hash)) {
    throw new InvalidToken('the registration access token is not valid for this client');
  }
  return client;
}

/** RFC 7592 §2.1. */
export async function readRegistration(deps: RegistrationDeps, clientId: string, token: string | undefined): Promise<Record<string, unknown>> {
  return clientInformation(await authorizeManagement(deps, clientId, token), deps.config.issuer);
}

/**
 * RFC 7592 §2.2: the body replaces the metadata as a whole (members left out return to their defaults). client_id must
 * be this client's; a client_secret, if sent, must be its current one. The secret and the token stay as they are.
 */
export async function replaceRegistration(deps: RegistrationDeps, clientId: string, token: string | undefined, body: unknown): Promise<Record<string, unknown>> {
  const existing = await authorizeManagement(deps, clientId, token);
  const judged = await judge(deps, body, existing.id);
  const { requested, ...shape } = judged;
  if (requested.clientId !== existing.id) throw new InvalidClientMetadata('client_id: must be the client_id of this registration');
  if (requested.clientSecret !== undefined && (typeof requested.clientSecret !== 'string' || existing.secretHash === null || !verifyHashedSecret(requested.clientSecret, existing.secretHash))) {
    throw new InvalidClientMetadata('client_secret: does not match the client\'s secret');
  }
  if (shape.type !== existing.type) {
    throw new InvalidClientMetadata('token_endpoint_auth_method: cannot change between a public and a confidential method; register a new client');
  }
  // Only a registered name is kept: a replacement without client_name goes back to the stand-in, the client_id.
  const updated = await deps.repos.clients.update(
    existing.id,
    { ...shape, tokenEndpointAuthMethod: requested.authMethod, registrationMetadata: requested.described },
    deps.clock.now(),
  );
  if (!updated) throw new InvalidToken('the registration access token is not valid for this client');
  deps.audit.record({ type: 'client.registration_updated', clientId: existing.id, details: { redirectUris: updated.redirectUris, scopes: updated.scopes } });
  return clientInformation(updated, deps.config.issuer);
}

/** RFC 7592 §2.3: deletes the client and revokes every grant and token it was issued (repos.clients.delete). */
export async function deleteRegistration(deps: RegistrationDeps, clientId: string, token: string | undefined): Promise<void> {
  const existing = await authorizeManagement(deps, clientId, token);
  const revoked = await deps.repos.clients.delete(existing.id, deps.clock.now());
  deps.audit.record({ type: 'client.registration_deleted', clientId: existing.id, details: { revokedTokens: revoked ?? 0 } });
}
