/** Domain types shared by the core and the storage layer. camelCase here; snake_case only on the wire and in SQL. */

import type { ClaimsRequest } from './authorize/oidc-params.ts';
import { isoTime } from './clock.ts';
import type { ProfileClaims } from './oidc/standard-claims.ts';
import type { TokenExchangePolicy } from '../config/token-exchange-schema.ts';
import type { SigningAlg } from './keys/algorithms.ts';

/** RFC 8628 §3.4: the device authorization grant's grant_type. */
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** RFC 8693 §2.1 token exchange and RFC 7523 §2.1 JWT bearer assertions as grants. */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export type GrantType = 'authorization_code' | 'refresh_token' | 'client_credentials' | typeof DEVICE_CODE_GRANT | typeof TOKEN_EXCHANGE_GRANT | typeof JWT_BEARER_GRANT;
export const GRANT_TYPES: readonly GrantType[] = ['authorization_code', 'refresh_token', 'client_credentials', DEVICE_CODE_GRANT, TOKEN_EXCHANGE_GRANT, JWT_BEARER_GRANT];

/**
 * RFC 6749 §3.1.1 and OAuth 2.0 Multiple Response Type Encoding Practices §5: `code`, the implicit `token`, and the
 * OpenID Connect implicit and hybrid types (Core §3.2, §3.3), written in this canonical order of their words.
 */
export type ResponseType = 'code' | 'token' | 'id_token' | 'id_token token' | 'code id_token' | 'code token' | 'code id_token token';
export const RESPONSE_TYPES: readonly ResponseType[] = ['code', 'token', 'id_token', 'id_token token', 'code id_token', 'code token', 'code id_token token'];

/** A response_type as sent (its words in any order, RFC 6749 §3.1.1) in canonical form; undefined when unknown. */
export function normalizeResponseType(raw: string): ResponseType | undefined {
  const words = raw.split(' ').filter(Boolean);
  if (new Set(words).size !== words.length) return undefined;
  const canonical = ['code', 'id_token', 'token'].filter((w) => words.includes(w)).join(' ');
  return canonical.split(' ').length === words.length ? RESPONSE_TYPES.find((t) => t === canonical) : undefined;
}

/** The words of a response type: whether it returns a code, an access token, an ID token from the authorization endpoint. */
export const responseTypeWords = (rt: ResponseType) => ({ code: rt.startsWith('code'), token: rt.endsWith('token') && !rt.endsWith('id_token'), idToken: rt.includes('id_token') });

/**
 * The response types of a client that names none (config file, CLI, admin API): `code` with the authorization_code
 * grant, which redeems it, and none without (RFC 7591 §2.1: response types and grant types must agree).
 */
export const defaultResponseTypes = (grantTypes: readonly GrantType[]): ResponseType[] => (grantTypes.includes('authorization_code') ? ['code'] : []);

export type ResponseMode = 'query' | 'fragment' | 'form_post';
export type ClientType = 'confidential' | 'public';
export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'client_secret_jwt' | 'private_key_jwt' | 'none';

/** Lifetime in seconds; 'never' means the token does not expire. */
export type RefreshTokenTtl = number | 'never';
/** 'never' is honoured for code-flow access tokens only (redCORE migrations); implicit tokens always expire. */
export type AccessTokenTtl = number | 'never';

/**
 * Where a client came from: 'operator' (configuration file, CLI, admin API, console; stored as absent), 'dynamic'
 * (it registered itself, RFC 7591), or 'metadata-document' (materialised from the Client ID Metadata Document at its
 * client_id URL, draft-ietf-oauth-client-id-metadata-document, refreshed when its cache lifetime ends).
 */
export type ClientOrigin = 'operator' | 'dynamic' | 'metadata-document';

/** The state of a client materialised from its metadata document (times in Unix seconds). */
export interface MetadataDocumentState {
  fetchedAt: number;
  /** After this the document is fetched again before the client is used. */
  expiresAt: number;
  /** https only; self-asserted by the client, as is its name. */
  logoUri: string | null;
  clientUri: string | null;
}

export interface Client {
  id: string;
  name: string;
  type: ClientType;
  /** SHA-256 of the secret; null for public clients. */
  secretHash: string | null;
  /**
   * Migration 020: for a client_secret_jwt client (tokenEndpointAuthMethod), its secret encrypted under the KEK
   * (client-auth/secret-encryption.ts), to verify HMAC assertions; absent or null for every other client.
   */
  secretEncrypted?: string | null;
  redirectUris: string[];
  grantTypes: GrantType[];
  responseTypes: ResponseType[];
  /** Scopes this client may request; empty means "any scope the server knows". */
  scopes: string[];
  accessTokenTtl: AccessTokenTtl | null;
  refreshTokenTtl: RefreshTokenTtl | null;
  codeTtl: number | null;
  /** null: follow the server default. Public clients always require PKCE. */
  requirePkce: boolean | null;
  /** A resource server (an API) may introspect tokens issued to any client, not only its own (RFC 7662 §4). */
  introspectAny: boolean;
  /** OpenID Connect client metadata; absent members take their defaults (see OidcClientMetadata). */
  oidc?: Partial<OidcClientMetadata> | undefined;
  createdAt: number;
  updatedAt: number;
  /**
   * After a rotation with a grace period: the old secret's hash, accepted until `expiresAt` (Unix seconds), as
   * Keycloak's secret rotation does. Absent or null: only `secretHash` works.
   */
  previousSecret?: { hash: string; expiresAt: number } | null;
  /** RFC 9449 §5.2 dpop_bound_access_tokens: the token endpoint refuses this client's requests without a DPoP proof. */
  dpopBoundAccessTokens?: boolean | undefined;
  /** Migration 018: see ClientOrigin; absent for operator-made clients (originOf reads it). */
  origin?: ClientOrigin | undefined;
  metadataDocument?: MetadataDocumentState | null | undefined;
  /**
   * RFC 8693 token exchange: what this client may exchange (§5: the server decides by policy; migration 025). null or
   * absent: nothing, the grant answers unauthorized_client (deny by default).
   */
  tokenExchange?: TokenExchangePolicy | null | undefined;
  /** RFC 9126 §6 require_pushed_authorization_requests; null or absent: the server's setting (migration 022). */
  requirePushedAuthorizationRequests?: boolean | null | undefined;
  /** RFC 9101 §10.5 require_signed_request_object; null or absent: the server's setting (migration 022). */
  requireSignedRequestObject?: boolean | null | undefined;
  /**
   * RFC 7591 §2 token_endpoint_auth_method and the keys of private_key_jwt (RFC 7523 §2.2, OpenID Connect
   * Registration 1.0 §2 jwks, jwks_uri, token_endpoint_auth_signing_alg); client-auth/registered-method.ts reads it.
   * Absent (clients older than migration 020): a secret for confidential clients, none for public ones.
   */
  assertionAuth?: ClientAssertionAuth | null;
  /**
   * Set while an administrator has disabled the client, whatever its origin: refused at authorization, token and
   * introspection; a metadata-document client's document is not fetched meanwhile.
   */
  disabledAt?: number | null;
  /** RFC 7591 §2 token_endpoint_auth_method as registered; absent or null: the type's default. */
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod | null;
  /** SHA-256 of the RFC 7592 registration access token of a dynamically registered client. */
  registrationTokenHash?: string | null;
  /** The descriptive RFC 7591 §2 metadata a registered client sent, echoed back by RFC 7592 reads. */
  registrationMetadata?: RegistrationMetadata | null;
}

/**
 * Whether the client, not the operator, chose its URLs (a self-registered client, RFC 7591, or one made from its
 * Client ID Metadata Document): Latchkey then fetches them only through the SSRF-guarded fetch
 * (core/registration/safe-fetch.ts). Operator-made clients may point at internal hosts on purpose.
 */
export const urlsChosenByClient = (c: Pick<Client, 'origin'>): boolean => originOf(c) !== 'operator';

/** Where the client came from; a client stored without an origin was made by the operator. */
export const originOf = (c: Pick<Client, 'origin'>): ClientOrigin => c.origin ?? 'operator';

/** A client an administrator has disabled: refused at authorization, token, introspection and UserInfo. */
export const isDisabled = (c: Pick<Client, 'disabledAt'>): boolean => c.disabledAt !== undefined && c.disabledAt !== null;

/** RFC 7591 §2 (and OpenID Connect Registration §2 application_type): what Latchkey keeps but does not act on. */
export interface RegistrationMetadata {
  clientUri?: string;
  logoUri?: string;
  tosUri?: string;
  policyUri?: string;
  contacts?: string[];
  softwareId?: string;
  softwareVersion?: string;
  applicationType?: 'web' | 'native';
}

/** A private_key_jwt client's keys: exactly one of `jwks` (inline) and `jwksUri` (fetched, cached). */
export interface ClientAssertionAuth {
  method: 'private_key_jwt';
  /** null: any algorithm of client-auth/algorithms.ts ASSERTION_ALGS. */
  signingAlg: string | null;
  jwks: { keys: Record<string, unknown>[] } | null;
  jwksUri: string | null;
}

/** The OpenID Connect client metadata Latchkey uses (Dynamic Client Registration 1.0 §2, the logout specs). */
export interface OidcClientMetadata {
  /** null: the server's `oidc.defaultIdTokenAlg`. */
  idTokenSignedResponseAlg: SigningAlg | null;
  /** null: UserInfo answers plain JSON (Core §5.3.2); an algorithm: a signed JWT. */
  userinfoSignedResponseAlg: SigningAlg | null;
  /** Core §8: the same sub for every client (public), or one per sector (pairwise). */
  subjectType: 'public' | 'pairwise';
  /** Seconds; a max_age for requests that send none (Registration §2 default_max_age). */
  defaultMaxAge: number | null;
  /** auth_time is always in Latchkey's ID tokens; kept so the registration reads back as written. */
  requireAuthTime: boolean;
  /** RP-Initiated Logout 1.0 §3.1: stored and validated now, used by the logout work. */
  postLogoutRedirectUris: string[];
  /** Back-Channel Logout 1.0 §2.2: where logout tokens are POSTed (core/oidc/backchannel/). */
  backchannelLogoutUri: string | null;
  /** Back-Channel Logout 1.0 §2.2 backchannel_logout_session_required: sid is always sent; kept so it reads back. */
  backchannelLogoutSessionRequired: boolean;
}

export const OIDC_CLIENT_DEFAULTS: OidcClientMetadata = {
  idTokenSignedResponseAlg: null,
  userinfoSignedResponseAlg: null,
  subjectType: 'public',
  defaultMaxAge: null,
  requireAuthTime: false,
  postLogoutRedirectUris: [],
  backchannelLogoutUri: null,
  backchannelLogoutSessionRequired: false,
};

/** A client's OpenID Connect metadata with every default filled in. */
export const oidcMetadata = (c: Pick<Client, 'oidc'>): OidcClientMetadata => ({ ...OIDC_CLIENT_DEFAULTS, ...c.oidc });

/** A client as the CLI and the admin API show it to operators: every setting, never the secret hash. */
export function clientSettings(c: Client) {
  return {
    id: c.id,
    name: c.name,
    type: c.type,
    redirectUris: c.redirectUris,
    grantTypes: c.grantTypes,
    responseTypes: c.responseTypes,
    scopes: c.scopes,
    accessTokenTtl: c.accessTokenTtl,
    refreshTokenTtl: c.refreshTokenTtl,
    codeTtl: c.codeTtl,
    requirePkce: c.requirePkce,
    introspectAny: c.introspectAny,
    requirePushedAuthorizationRequests: c.requirePushedAuthorizationRequests ?? null,
    requireSignedRequestObject: c.requireSignedRequestObject ?? null,
    dpopBoundAccessTokens: c.dpopBoundAccessTokens ?? false,
    tokenExchange: c.tokenExchange ?? null,
    ...oidcMetadata(c),
    // RFC 7591 §2: the method a secret or a public client implies, private_key_jwt with its keys, or client_secret_jwt.
    tokenEndpointAuthMethod: (c.assertionAuth ? c.assertionAuth.method : c.tokenEndpointAuthMethod === 'client_secret_jwt' ? 'client_secret_jwt' : c.type === 'public' ? 'none' : 'client_secret_basic') as TokenEndpointAuthMethod,
    tokenEndpointAuthSigningAlg: c.assertionAuth?.signingAlg ?? null,
    jwks: c.assertionAuth?.jwks ?? null,
    jwksUri: c.assertionAuth?.jwksUri ?? null,
    createdAt: isoTime(c.createdAt),
    updatedAt: isoTime(c.updatedAt),
  };
}

export interface User {
  id: string;
  username: string;
  passwordHash: string;
  name: string | null;
  email: string | null;
  isAdmin: boolean;
  /** The other standard claims of OpenID Connect Core §5.1 (standard-claims.ts); absent members have no value. */
  claims: ProfileClaims;
  createdAt: number;
  /** Core §5.1 `updated_at`: when the name, email or a claim last changed (seconds). */
  updatedAt: number;
  /** Set while an administrator has disabled the account: no sign-in, no tokens. */
  disabledAt: number | null;
}

export interface Scope {
  name: string;
  description: string;
  /** User claims that /userinfo releases when this scope is granted. */
  claims: string[];
}

export interface Grant {
  id: string;
  clientId: string;
  userId: string | null;
  scope: string[];
  createdAt: number;
  revokedAt: number | null;
  /** When the user signed in (OpenID Connect Core §2 auth_time), for the ID tokens of refreshes (§12.2). */
  authTime?: number | null;
  /** The `claims` request parameter (Core §5.5), honoured by every ID token and UserInfo answer of the grant. */
  claims?: ClaimsRequest | null;
  /** The SSO session the grant was given in (its public id), for the ID tokens' `sid`. */
  sid?: string | null;
  /** The acr and amr its ID tokens carry (Core §2), the same on every refresh (§12.2); null for older grants. */
  acr?: string | null;
  amr?: string[] | null;
  /** RFC 8707 §2.1: the resources (APIs) the grant covers; each access token targets one of them. Empty/absent: none. */
  resources?: string[] | null;
  /** RFC 8693 §4.1: the `act` of a delegated token exchange, so the grant's refreshed tokens stay delegated. */
  act?: Record<string, unknown> | null;
}

export interface AuthorizationCode {
  hash: string;
  grantId: string;
  clientId: string;
  userId: string;
  redirectUri: string;
  /** RFC 6749 §4.1.3: redirect_uri is required at the token endpoint only if it was in the authorization request. */
  redirectUriProvided: boolean;
  scope: string[];
  codeChallenge: string | null;
  codeChallengeMethod: 'S256' | 'plain' | null;
  authTime: number;
  expiresAt: number;
  consumedAt: number | null;
  /** OpenID Connect Core §3.1.2.1: echoed in the ID token. */
  nonce?: string | null;
  /** RFC 9449 §10: the dpop_jkt of the authorization request; the token request's proof must be of that key. */
  dpopJkt?: string | null;
}

export type TokenType = 'access_token' | 'refresh_token';

export interface Token {
  hash: string;
  type: TokenType;
  grantId: string;
  clientId: string;
  userId: string | null;
  scope: string[];
  issuedAt: number;
  /** null: never expires. */
  expiresAt: number | null;
  revokedAt: number | null;
  /** Refresh tokens: when the token was rotated (spent). */
  consumedAt: number | null;
  /** Access tokens: the resource (API) it is for, its audience (RFC 8707 §2); null: no resource was asked for. */
  resource?: string | null;
  /** RFC 9449 §6: the JWK thumbprint of the key the token is bound to (cnf.jkt); null for a bearer token. */
  dpopJkt: string | null;
  /** RFC 8693 §4.1: a delegated access token's actor (token exchange); absent otherwise. */
  act?: Record<string, unknown>;
}

/** RFC 9068: a resource takes opaque access tokens (introspected) or JWTs (validated locally). */
export type AccessTokenFormat = 'opaque' | 'jwt';
export const ACCESS_TOKEN_FORMATS: readonly AccessTokenFormat[] = ['opaque', 'jwt'];

/** A resource server (an API), registered like a client (RFC 8707 §2). */
export interface Resource {
  /** The resource indicator: an absolute URI without a fragment (RFC 8707 §2), the access tokens' `aud`. */
  id: string;
  name: string;
  /** The scopes this resource defines; a scope belongs to at most one resource. */
  scopes: string[];
  accessTokenFormat: AccessTokenFormat;
  /** Seconds; null: the server's (for `jwt`, `resources.jwtAccessTokenTtl`). */
  accessTokenTtl: number | null;
  /** The client the resource authenticates as to introspect tokens issued for it (RFC 7662 §2.1); null: none. */
  introspectionClientId: string | null;
  /**
   * RFC 9449 §7.2: the resource accepts only DPoP-bound access tokens, so the token endpoint issues none for it
   * without a DPoP proof (core/token/issue.ts).
   */
  dpopBoundAccessTokensRequired: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface Session {
  hash: string;
  userId: string;
  authTime: number;
  expiresAt: number;
  /** The client the person signed in through (null for sessions older than migration 006, or unknown). */
  clientId?: string | null;
  /** The address and user agent of the sign-in, shown to the person and to administrators. */
  address?: string | null;
  userAgent?: string | null;
  /** When the session was last used; updated at most once a minute (interaction/session-use.ts). */
  lastUsedAt?: number;
  /**
   * The session's public id, the ID tokens' `sid` (Back-Channel Logout 1.0 §2.4): random, not derived from the
   * cookie. Made by the repository when not given; null for sessions older than migration 014.
   */
  sid?: string | null;
  /** How the person signed in (Core §2 acr, RFC 8176 amr: core/oidc/acr.ts); null for sessions older than migration 016. */
  acr?: string | null;
  amr?: string[] | null;
}

export interface Consent {
  userId: string;
  clientId: string;
  scope: string[];
  grantedAt: number;
}
