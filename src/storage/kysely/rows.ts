import type { Selectable } from 'kysely';
import type { ClaimsRequest } from '../../core/authorize/oidc-params.ts';
import { isSigningAlg, type SigningAlg } from '../../core/keys/algorithms.ts';
import type { AuthorizationCode, Client, ClientAssertionAuth, GrantType, MetadataDocumentState, RegistrationMetadata, ResponseType, Session, Token, TokenType, User } from '../../core/model.ts';
import type { ProfileClaims } from '../../core/oidc/standard-claims.ts';
import type { TokenExchangePolicy } from '../../config/token-exchange-schema.ts';
import type { ClientsTable, CodesTable, SessionsTable, TokensTable, UsersTable } from '../schema.ts';

/** Row <-> model mapping. Lists are JSON text; booleans 0/1; an access or refresh TTL of 0 means "never". */

export const list = (text: string): string[] => JSON.parse(text) as string[];
export const json = (value: readonly string[]): string => JSON.stringify(value);
const num = (v: number | bigint | string | null): number | null => (v === null ? null : Number(v));
const req = (v: number | bigint | string): number => Number(v);
const bool = (v: number | null): boolean | null => (v === null ? null : Boolean(v));
const alg = (v: string | null): SigningAlg | null => (v !== null && isSigningAlg(v) ? v : null);

export function toClient(r: Selectable<ClientsTable>): Client {
  const access = num(r.access_token_ttl);
  const refresh = num(r.refresh_token_ttl);
  return {
    id: r.id,
    name: r.name,
    type: r.type === 'public' ? 'public' : 'confidential',
    secretHash: r.secret_hash,
    redirectUris: list(r.redirect_uris),
    grantTypes: list(r.grant_types) as GrantType[],
    responseTypes: list(r.response_types) as ResponseType[],
    scopes: list(r.scopes),
    accessTokenTtl: access === 0 ? 'never' : access,
    refreshTokenTtl: refresh === 0 ? 'never' : refresh,
    codeTtl: num(r.code_ttl),
    requirePkce: r.require_pkce === null ? null : Boolean(r.require_pkce),
    introspectAny: Boolean(r.introspect_any),
    // Present only when set, so a client without it reads as it always did.
    ...(r.dpop_bound_access_tokens ? { dpopBoundAccessTokens: true } : {}),
    // Migration 025: present only when set, so a client without a policy reads as it always did.
    ...(r.token_exchange == null ? {} : { tokenExchange: JSON.parse(r.token_exchange) as TokenExchangePolicy }),
    // `?? null`: clients.create maps the row it inserted, where columns not given are absent (null once stored).
    oidc: {
      idTokenSignedResponseAlg: alg(r.id_token_signed_response_alg ?? null),
      userinfoSignedResponseAlg: alg(r.userinfo_signed_response_alg ?? null),
      subjectType: r.subject_type === 'pairwise' ? 'pairwise' : 'public',
      defaultMaxAge: num(r.default_max_age ?? null),
      requireAuthTime: Boolean(r.require_auth_time),
      postLogoutRedirectUris: r.post_logout_redirect_uris == null ? [] : list(r.post_logout_redirect_uris),
      backchannelLogoutUri: r.backchannel_logout_uri ?? null,
      backchannelLogoutSessionRequired: Boolean(r.backchannel_logout_session_required),
    },
    createdAt: req(r.created_at),
    updatedAt: req(r.updated_at),
    // Present only after a rotation with a grace period, so a client without one reads as it always did.
    ...previousSecretOf(r),
    ...metadataDocumentOf(r),
    ...registrationOf(r),
    // Present only for private_key_jwt clients, so every other client reads as it always did.
    ...assertionAuthOf(r),
    ...requestPolicyOf(r),
  };
}

/** Migration 022: present only when set, so a client that follows the server's settings reads as it always did. */
function requestPolicyOf(r: Selectable<ClientsTable>): Pick<Client, 'requirePushedAuthorizationRequests' | 'requireSignedRequestObject'> {
  const par = bool(r.require_pushed_authorization_requests ?? null);
  const signed = bool(r.require_signed_request_object ?? null);
  return { ...(par === null ? {} : { requirePushedAuthorizationRequests: par }), ...(signed === null ? {} : { requireSignedRequestObject: signed }) };
}

/** Migration 018's members, present only when set, so an operator's client reads as it always did. */
function registrationOf(r: Selectable<ClientsTable>): Partial<Client> {
  const out: Partial<Client> = {};
  if (r.origin === 'dynamic') out.origin = 'dynamic';
  if (r.disabled_at != null) out.disabledAt = req(r.disabled_at);
  const method = r.token_endpoint_auth_method ?? null;
  if (method === 'client_secret_basic' || method === 'client_secret_post' || method === 'client_secret_jwt' || method === 'none') out.tokenEndpointAuthMethod = method;
  if (r.secret_encrypted != null) out.secretEncrypted = r.secret_encrypted;
  if (r.registration_token_hash != null) out.registrationTokenHash = r.registration_token_hash;
  if (r.registration_metadata != null) out.registrationMetadata = JSON.parse(r.registration_metadata) as RegistrationMetadata;
  return out;
}

/** Present only for clients materialised from a metadata document (migration 019). */
function metadataDocumentOf(r: Selectable<ClientsTable>): Pick<Client, 'origin' | 'metadataDocument'> {
  if (r.origin !== 'metadata-document') return {};
  const doc = r.metadata_document == null ? null : (JSON.parse(r.metadata_document) as MetadataDocumentState);
  return { origin: 'metadata-document', metadataDocument: doc };
}

/** Migration 020; anything but a readable private_key_jwt registration reads as none (the secret or public rules). */
function assertionAuthOf(r: Selectable<ClientsTable>): { assertionAuth?: ClientAssertionAuth } {
  if (r.token_endpoint_auth_method !== 'private_key_jwt') return {};
  const jwks = r.jwks == null ? null : (JSON.parse(r.jwks) as { keys: Record<string, unknown>[] });
  return { assertionAuth: { method: 'private_key_jwt', signingAlg: r.token_endpoint_auth_signing_alg ?? null, jwks, jwksUri: r.jwks_uri ?? null } };
}

/** (A row built in memory by create() lacks the columns altogether.) */
function previousSecretOf(r: Selectable<ClientsTable>): Pick<Client, 'previousSecret'> {
  const hash = r.previous_secret_hash ?? null;
  const expiresAt = r.previous_secret_expires_at ?? null;
  return hash === null || expiresAt === null ? {} : { previousSecret: { hash, expiresAt: req(expiresAt) } };
}

export function fromClient(c: Partial<Client>): Partial<ClientsTable> {
  const row: Partial<ClientsTable> = {};
  if (c.id !== undefined) row.id = c.id;
  if (c.name !== undefined) row.name = c.name;
  if (c.type !== undefined) row.type = c.type;
  if (c.secretHash !== undefined) row.secret_hash = c.secretHash;
  if (c.secretEncrypted !== undefined) row.secret_encrypted = c.secretEncrypted;
  if (c.redirectUris !== undefined) row.redirect_uris = json(c.redirectUris);
  if (c.grantTypes !== undefined) row.grant_types = json(c.grantTypes);
  if (c.responseTypes !== undefined) row.response_types = json(c.responseTypes);
  if (c.scopes !== undefined) row.scopes = json(c.scopes);
  if (c.accessTokenTtl !== undefined) row.access_token_ttl = c.accessTokenTtl === 'never' ? 0 : c.accessTokenTtl;
  if (c.refreshTokenTtl !== undefined) row.refresh_token_ttl = c.refreshTokenTtl === 'never' ? 0 : c.refreshTokenTtl;
  if (c.codeTtl !== undefined) row.code_ttl = c.codeTtl;
  if (c.introspectAny !== undefined) row.introspect_any = Number(c.introspectAny);
  if (c.dpopBoundAccessTokens !== undefined) row.dpop_bound_access_tokens = Number(c.dpopBoundAccessTokens);
  if (c.tokenExchange !== undefined) row.token_exchange = c.tokenExchange === null ? null : JSON.stringify(c.tokenExchange);
  if (c.requirePkce !== undefined) row.require_pkce = c.requirePkce === null ? null : Number(c.requirePkce);
  if (c.previousSecret !== undefined) {
    row.previous_secret_hash = c.previousSecret?.hash ?? null;
    row.previous_secret_expires_at = c.previousSecret?.expiresAt ?? null;
  }
  if (c.requirePushedAuthorizationRequests !== undefined) row.require_pushed_authorization_requests = c.requirePushedAuthorizationRequests === null ? null : Number(c.requirePushedAuthorizationRequests);
  if (c.requireSignedRequestObject !== undefined) row.require_signed_request_object = c.requireSignedRequestObject === null ? null : Number(c.requireSignedRequestObject);
  if (c.origin !== undefined) row.origin = c.origin === 'operator' ? null : c.origin;
  if (c.metadataDocument !== undefined) row.metadata_document = c.metadataDocument === null ? null : JSON.stringify(c.metadataDocument);
  if (c.disabledAt !== undefined) row.disabled_at = c.disabledAt;
  if (c.tokenEndpointAuthMethod !== undefined) row.token_endpoint_auth_method = c.tokenEndpointAuthMethod;
  if (c.registrationTokenHash !== undefined) row.registration_token_hash = c.registrationTokenHash;
  if (c.registrationMetadata !== undefined) row.registration_metadata = c.registrationMetadata === null ? null : JSON.stringify(c.registrationMetadata);
  if (c.assertionAuth !== undefined) {
    const a = c.assertionAuth;
    // One column holds the registered method (migration 018): a secret or none from tokenEndpointAuthMethod, private_key_jwt from here.
    if (a !== null || c.tokenEndpointAuthMethod === undefined) row.token_endpoint_auth_method = a?.method ?? null;
    row.token_endpoint_auth_signing_alg = a?.signingAlg ?? null;
    row.jwks = a?.jwks ? JSON.stringify(a.jwks) : null;
    row.jwks_uri = a?.jwksUri ?? null;
  }
  const o = c.oidc;
  if (o?.idTokenSignedResponseAlg !== undefined) row.id_token_signed_response_alg = o.idTokenSignedResponseAlg;
  if (o?.userinfoSignedResponseAlg !== undefined) row.userinfo_signed_response_alg = o.userinfoSignedResponseAlg;
  if (o?.subjectType !== undefined) row.subject_type = o.subjectType;
  if (o?.defaultMaxAge !== undefined) row.default_max_age = o.defaultMaxAge;
  if (o?.requireAuthTime !== undefined) row.require_auth_time = Number(o.requireAuthTime);
  if (o?.postLogoutRedirectUris !== undefined) row.post_logout_redirect_uris = json(o.postLogoutRedirectUris);
  if (o?.backchannelLogoutUri !== undefined) row.backchannel_logout_uri = o.backchannelLogoutUri;
  if (o?.backchannelLogoutSessionRequired !== undefined) row.backchannel_logout_session_required = Number(o.backchannelLogoutSessionRequired);
  return row;
}

export function toUser(r: Selectable<UsersTable>): User {
  return {
    id: r.id,
    username: r.username,
    passwordHash: r.password_hash,
    name: r.name,
    email: r.email,
    isAdmin: Boolean(r.is_admin),
    claims: JSON.parse(r.claims) as ProfileClaims,
    createdAt: req(r.created_at),
    updatedAt: num(r.updated_at) ?? req(r.created_at),
    disabledAt: num(r.disabled_at),
  };
}

export function toCode(r: Selectable<CodesTable>): AuthorizationCode {
  return {
    hash: r.hash,
    grantId: r.grant_id,
    clientId: r.client_id,
    userId: r.user_id,
    redirectUri: r.redirect_uri,
    redirectUriProvided: Boolean(r.redirect_uri_provided),
    scope: list(r.scope),
    codeChallenge: r.code_challenge,
    codeChallengeMethod: r.code_challenge_method === 'S256' || r.code_challenge_method === 'plain' ? r.code_challenge_method : null,
    authTime: req(r.auth_time),
    expiresAt: req(r.expires_at),
    consumedAt: num(r.consumed_at),
    nonce: r.nonce,
    ...(r.dpop_jkt ? { dpopJkt: r.dpop_jkt } : {}),
  };
}

/** The stored `claims` request (grants.claims); anything unreadable counts as no request. */
export function toClaimsRequest(text: string): ClaimsRequest | null {
  try {
    const v = JSON.parse(text) as Partial<ClaimsRequest>;
    const names = (x: unknown): string[] => (Array.isArray(x) ? x.filter((n): n is string => typeof n === 'string') : []);
    return { userinfo: names(v.userinfo), idToken: names(v.idToken) };
  } catch {
    return null;
  }
}

export function toToken(r: Selectable<TokensTable>): Token {
  return {
    hash: r.hash,
    type: r.type as TokenType,
    grantId: r.grant_id,
    clientId: r.client_id,
    userId: r.user_id,
    scope: list(r.scope),
    issuedAt: req(r.issued_at),
    expiresAt: num(r.expires_at),
    revokedAt: num(r.revoked_at),
    consumedAt: num(r.consumed_at),
    // Only when set, so tokens without a resource read as they did before migration 017.
    ...(r.resource === null ? {} : { resource: r.resource }),
    dpopJkt: r.dpop_jkt ?? null,
    ...(r.act ? { act: JSON.parse(r.act) as Record<string, unknown> } : {}),
  };
}

export function toSession(r: Selectable<SessionsTable>): Session {
  return {
    hash: r.hash,
    userId: r.user_id,
    authTime: req(r.auth_time),
    expiresAt: req(r.expires_at),
    clientId: r.client_id,
    address: r.address,
    userAgent: r.user_agent,
    lastUsedAt: r.last_used_at === null ? req(r.auth_time) : req(r.last_used_at),
    sid: r.sid,
    acr: r.acr,
    amr: r.amr === null ? null : list(r.amr),
  };
}
