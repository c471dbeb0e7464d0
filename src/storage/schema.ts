/** Table shapes as stored. Booleans are 0/1 integers, lists are JSON text, times are Unix seconds: portable SQL. */
export interface ClientsTable {
  id: string;
  name: string;
  type: string;
  secret_hash: string | null;
  redirect_uris: string;
  grant_types: string;
  response_types: string;
  scopes: string;
  access_token_ttl: number | null;
  /** 0 means "never expires". */
  refresh_token_ttl: number | null;
  code_ttl: number | null;
  require_pkce: number | null;
  introspect_any: number;
  created_at: number;
  updated_at: number;
  /** Migration 006: a rotated-out secret that keeps working until `previous_secret_expires_at` (Unix seconds). */
  previous_secret_hash: string | null;
  previous_secret_expires_at: number | null;
  /** OpenID Connect client metadata (migration 012); null: the server's default. */
  id_token_signed_response_alg: string | null;
  userinfo_signed_response_alg: string | null;
  subject_type: string | null;
  default_max_age: number | null;
  require_auth_time: number | null;
  /** JSON list. */
  post_logout_redirect_uris: string | null;
  backchannel_logout_uri: string | null;
  /** Migration 018: null for operator-made clients; 'dynamic' or 'metadata-document' (core/model.ts ClientOrigin). */
  origin: string | null;
  /** Migration 019: MetadataDocumentState as JSON, for clients whose origin is 'metadata-document'. */
  metadata_document: string | null;
  /** Migration 022: RFC 9126 §6 and RFC 9101 §10.5 client metadata (0/1); null: the server's setting. */
  require_pushed_authorization_requests: number | null;
  require_signed_request_object: number | null;
  /** Migration 018 (dynamic client registration): see migrations/018-registration.ts. */
  disabled_at: number | null;
  registration_token_hash: string | null;
  token_endpoint_auth_method: string | null;
  registration_metadata: string | null;
  token_endpoint_auth_signing_alg: string | null;
  jwks: string | null;
  jwks_uri: string | null;
  /** Migration 020: a client_secret_jwt client's secret, encrypted under the KEK (client-auth/secret-encryption.ts). */
  secret_encrypted: string | null;
  /** Migration 015: Back-Channel Logout 1.0 §2.2 backchannel_logout_session_required (0/1; null: false). */
  backchannel_logout_session_required: number | null;
  /** Migration 023: 1 when the client must use DPoP (RFC 9449 §5.2 dpop_bound_access_tokens). */
  dpop_bound_access_tokens: number | null;
  /** Migration 025: the client's RFC 8693 token exchange policy as JSON (Client.tokenExchange); null: none. */
  token_exchange: string | null;
}

/** Migration 020: the jti (SHA-256) of each accepted client assertion until it expires (RFC 7523 §3 item 7). */
export interface ClientAssertionJtisTable {
  client_id: string;
  jti_hash: string;
  expires_at: number;
}

export interface UsersTable {
  id: string;
  username: string;
  password_hash: string;
  name: string | null;
  email: string | null;
  is_admin: number;
  created_at: number;
  /** Set while an administrator has disabled the account (migration 003). */
  disabled_at: number | null;
  /** JSON object of the other standard claims, by claim name (migration 013). */
  claims: string;
  /** Core §5.1 updated_at (migration 013; null only before it ran). */
  updated_at: number | null;
}

export interface ScopesTable {
  name: string;
  description: string;
  claims: string;
}

export interface GrantsTable {
  id: string;
  client_id: string;
  user_id: string | null;
  scope: string;
  created_at: number;
  revoked_at: number | null;
  /** When the user signed in, for ID tokens from refresh (Core §12.2; migration 012); null for client grants. */
  auth_time: number | null;
  /** The `claims` request parameter (Core §5.5) as JSON {userinfo, idToken}; null when none was sent. */
  claims: string | null;
  /** Migration 014: the SSO session the grant was given in (the ID tokens' `sid`). */
  sid: string | null;
  /** Migration 016: the acr and amr (JSON list) of the grant's ID tokens; null for grants older than it. */
  acr: string | null;
  amr: string | null;
  /** Migration 017: JSON list of the resources (RFC 8707) the grant covers; null: none. */
  resources: string | null;
  /** Migration 027: the `act` claim (RFC 8693 §4.1) of a delegated token exchange, as JSON; null otherwise. */
  act: string | null;
}

export interface CodesTable {
  hash: string;
  grant_id: string;
  client_id: string;
  user_id: string;
  redirect_uri: string;
  redirect_uri_provided: number;
  scope: string;
  code_challenge: string | null;
  code_challenge_method: string | null;
  auth_time: number;
  expires_at: number;
  consumed_at: number | null;
  /** OpenID Connect Core §3.1.2.1 nonce (migration 012). */
  nonce: string | null;
  /** Migration 023: the authorization request's dpop_jkt (RFC 9449 §10). */
  dpop_jkt: string | null;
}

export interface TokensTable {
  hash: string;
  type: string;
  grant_id: string;
  client_id: string;
  user_id: string | null;
  scope: string;
  issued_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  consumed_at: number | null;
  /** The refresh token this one was issued in exchange for (migration 005); null for other grants. */
  parent_hash: string | null;
  /** Migration 017: the access token's resource (its audience, RFC 8707); null: none. */
  resource: string | null;
  /** Migration 023: the JWK thumbprint the token is bound to (RFC 9449 §6); null for bearer tokens. */
  dpop_jkt: string | null;
  /** Migration 024: a delegated access token's `act` claim as JSON (RFC 8693 §4.1); null otherwise. */
  act: string | null;
}

/** Migration 017: resources (APIs) that access tokens are issued for (RFC 8707). */
export interface ResourcesTable {
  id: string;
  name: string;
  /** JSON list. */
  scopes: string;
  access_token_format: string;
  access_token_ttl: number | null;
  introspection_client_id: string | null;
  /** Migration 028: 1 when access tokens for it are issued only DPoP-bound (RFC 9449 §7.2); null or 0: not required. */
  dpop_bound_access_tokens_required: number | null;
  created_at: number;
  updated_at: number;
}

/** Migration 026: issuers whose JWTs are accepted (RFC 8693 jwt tokens, RFC 7523 assertions). */
export interface TrustedIssuersTable {
  issuer: string;
  name: string;
  /** A JWK Set as JSON; null when jwks_uri is set. */
  jwks: string | null;
  jwks_uri: string | null;
  user_claim: string;
  user_by: string;
  created_at: number;
  updated_at: number;
}

export interface SessionsTable {
  hash: string;
  user_id: string;
  auth_time: number;
  expires_at: number;
  /** Migration 006: the sign-in's client, address and user agent; when the session was last used. */
  client_id: string | null;
  address: string | null;
  user_agent: string | null;
  last_used_at: number | null;
  /** Migration 014: the session's public id (the ID tokens' `sid`); null for sessions older than it. */
  sid: string | null;
  /** Migration 016: how the person signed in: the acr level and the amr methods (JSON list); null before it. */
  acr: string | null;
  amr: string | null;
}

export interface ConsentsTable {
  user_id: string;
  client_id: string;
  scope: string;
  granted_at: number;
}

export interface InteractionsTable {
  id: string;
  /** SHA-256 of the browser-binding cookie: only the browser that started an interaction can finish it. */
  browser_hash: string;
  request: string;
  user_id: string | null;
  auth_time: number | null;
  expires_at: number;
}

export interface ThrottleTable {
  key: string;
  failures: number;
  last_failure_at: number;
  locked_until: number;
}

export interface RateLimitsTable {
  key: string;
  hits: number;
  /** Milliseconds since the epoch at which the current window ends. */
  reset_at: number;
}

/** Migration 003: the audit log. `details` is a JSON object of identifiers and names, never a credential. */
export interface AuditEventsTable {
  id: string;
  at: number;
  type: string;
  actor_user_id: string | null;
  actor_client_id: string | null;
  user_id: string | null;
  client_id: string | null;
  ip: string | null;
  details: string;
}

/** Migration 003: settings an administrator changes at run time (JSON values). */
export interface SettingsTable {
  key: string;
  value: string;
  updated_at: number;
}

/** Migration 006: tokens issued per hour (Unix seconds at its start) and grant type. */
export interface TokenCountsTable {
  hour: number;
  grant_type: string;
  count: number;
}

/** Migration 011: signing keys; `private_key` is AES-256-GCM ciphertext (core/keys/kek.ts). */
export interface SigningKeysTable {
  kid: string;
  alg: string;
  public_jwk: string;
  private_key: string;
  created_at: number;
  activates_at: number;
  retired_at: number | null;
  expires_at: number | null;
}

/** Migration 022: pushed authorization requests (RFC 9126), keyed by the SHA-256 of the request_uri. */
export interface PushedRequestsTable {
  hash: string;
  client_id: string;
  params: string;
  signed: number;
  expires_at: number;
}

/** Migration 022: request object jtis seen, until the object expires (RFC 9101 §10.8). */
export interface RequestObjectJtisTable {
  client_id: string;
  jti: string;
  expires_at: number;
}

/** Migration 018: initial access tokens for dynamic client registration (RFC 7591 §3), stored as SHA-256. */
export interface RegistrationTokensTable {
  id: string;
  hash: string;
  created_at: number;
  expires_at: number | null;
  max_uses: number | null;
  uses: number;
  revoked_at: number | null;
}

/** Migration 015: the back-channel logout outbox; times in wall-clock milliseconds. */
export interface BackchannelLogoutsTable {
  id: string;
  sid: string;
  user_id: string;
  client_id: string;
  created_at_ms: number;
  attempts: number;
  next_attempt_at_ms: number;
  lease_owner: string | null;
  lease_until_ms: number | null;
  finished_at_ms: number | null;
  outcome: string | null;
}

/** Migration 021: device authorizations (RFC 8628), core/device/port.ts. */
export interface DeviceCodesTable {
  hash: string;
  user_code_hash: string;
  client_id: string;
  scope: string;
  status: string;
  user_id: string | null;
  auth_time: number | null;
  sid: string | null;
  acr: string | null;
  amr: string | null;
  interval: number;
  last_polled_at: number | null;
  slowed: number;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
  /** Migration 029: JSON list of the resources (RFC 8707) the device authorization is for; null: none. */
  resources: string | null;
}

/** Migration 023: DPoP proofs seen (RFC 9449 §11.1), keyed by a hash of thumbprint and jti, until the window ends. */
export interface DpopProofsTable {
  key: string;
  expires_at: number;
}

export interface LatchkeyDatabase {
  clients: ClientsTable;
  users: UsersTable;
  scopes: ScopesTable;
  grants: GrantsTable;
  codes: CodesTable;
  tokens: TokensTable;
  sessions: SessionsTable;
  consents: ConsentsTable;
  interactions: InteractionsTable;
  login_throttle: ThrottleTable;
  audit_events: AuditEventsTable;
  settings: SettingsTable;
  rate_limits: RateLimitsTable;
  token_counts: TokenCountsTable;
  signing_keys: SigningKeysTable;
  pushed_requests: PushedRequestsTable;
  request_object_jtis: RequestObjectJtisTable;
  registration_tokens: RegistrationTokensTable;
  client_assertion_jtis: ClientAssertionJtisTable;
  backchannel_logouts: BackchannelLogoutsTable;
  resources: ResourcesTable;
  device_codes: DeviceCodesTable;
  dpop_proofs: DpopProofsTable;
  trusted_issuers: TrustedIssuersTable;
}
