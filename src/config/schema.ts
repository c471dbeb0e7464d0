import { z } from 'zod';
import { PROFILE_NAMES } from './profile-names.ts';
import { SCOPE_CLAIMS } from '../core/oidc/standard-claims.ts';
import { claimsPatch, emailClaim, nameClaim } from './claims-schema.ts';
import { clientSchema } from './client-schema.ts';
import { tokenExchangeSchema } from './token-exchange-schema.ts';

/**
 * The one configuration schema: types, defaults, validation and (through `describe`) documentation.
 * Keys are camelCase; the file is JSON; environment variables are LATCHKEY_<PATH> with `__` between levels.
 */

const seconds = z.number().int().positive();

export const scopeSchema = z.strictObject({
  name: z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'scope names use the characters of RFC 6749 §3.3'),
  description: z.string().min(1),
  claims: z.array(z.string()).default([]),
});

/** The scopes every Latchkey has (OpenID Connect Core §5.4); declared scopes add to them, `remove` takes one away. */
export const BUILT_IN_SCOPES: readonly ScopeConfig[] = [
  { name: 'openid', description: 'Know who you are', claims: [] },
  { name: 'profile', description: 'See your name and username', claims: [...SCOPE_CLAIMS.profile] },
  { name: 'email', description: 'See your email address', claims: [...SCOPE_CLAIMS.email] },
  { name: 'address', description: 'See your postal address', claims: [...SCOPE_CLAIMS.address] },
  { name: 'phone', description: 'See your phone number', claims: [...SCOPE_CLAIMS.phone] },
  // OpenID Connect Core §11: what lets an OpenID Connect client refresh its tokens; the consent page says so.
  { name: 'offline_access', description: 'Keep access to your account while you are away', claims: [] },
];
const BUILT_IN_NAMES = BUILT_IN_SCOPES.map((b) => b.name);

/** A declared scope, or `{ "name": "email", "remove": true }` to drop a built-in one on purpose. */
const scopeEntrySchema = z
  .strictObject({
    name: scopeSchema.shape.name,
    description: z.string().min(1).optional(),
    claims: z.array(z.string()).optional(),
    remove: z.literal(true).optional().describe('Drop a built-in scope (openid, profile, email, address, phone).'),
  })
  .superRefine((e, ctx) => {
    if (e.remove) {
      if (!BUILT_IN_NAMES.includes(e.name)) {
        ctx.addIssue({ code: 'custom', path: ['remove'], message: `only the built-in scopes ${BUILT_IN_NAMES.join(', ')} can be removed; this one is not declared anywhere else` });
      }
      if (e.description !== undefined || e.claims !== undefined) ctx.addIssue({ code: 'custom', message: 'a removed scope has no description or claims' });
    } else if (e.description === undefined) {
      ctx.addIssue({ code: 'custom', path: ['description'], message: 'describe what the scope allows (the consent page shows it)' });
    }
  });

/** Built-in scopes first, replaced by a declaration of the same name or removed; then the declared ones. */
function resolveScopes(entries: readonly z.output<typeof scopeEntrySchema>[], ctx: z.RefinementCtx): ScopeConfig[] {
  const seen = new Set<string>();
  for (const [i, e] of entries.entries()) {
    if (seen.has(e.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `scope ${e.name} is declared twice` });
    seen.add(e.name);
  }
  const declared = (name: string) => entries.find((e) => e.name === name);
  const out: ScopeConfig[] = [];
  for (const b of BUILT_IN_SCOPES) {
    const e = declared(b.name);
    if (e?.remove) continue;
    out.push({ name: b.name, description: e?.description ?? b.description, claims: [...(e?.claims ?? b.claims)] });
  }
  for (const e of entries) {
    if (!BUILT_IN_NAMES.includes(e.name) && !e.remove) out.push({ name: e.name, description: e.description ?? '', claims: e.claims ?? [] });
  }
  return out;
}

/** A resource (an API, RFC 8707) declared in the configuration file; bootstrap.ts checks the identifier and scopes. */
export const resourceSchema = z.strictObject({
  id: z.string().min(1).describe('The resource identifier: an absolute URI without a fragment (RFC 8707 §2); the access tokens\' aud.'),
  name: z.string().min(1),
  scopes: z.array(z.string()).default([]).describe('The scopes this API defines; a scope belongs to at most one resource.'),
  accessTokenFormat: z.enum(['opaque', 'jwt']).default('opaque').describe('jwt: RFC 9068 JWT access tokens, validated locally by the API.'),
  accessTokenTtl: seconds.optional().describe('Access-token lifetime for this API; default resourceTokens.jwtAccessTokenTtl for jwt, the client\'s for opaque.'),
  introspectionClient: z.string().optional().describe('The client the API authenticates as to introspect the tokens issued for it (RFC 7662).'),
  dpopBoundAccessTokensRequired: z.boolean().default(false)
    .describe('The API accepts only DPoP-bound access tokens (RFC 9449 §7.2): a token request for it without a DPoP proof is refused (invalid_dpop_proof).'),
});

export const userSchema = z.strictObject({
  username: z.string().min(1).max(200),
  password: z.string().min(8, 'passwords need at least 8 characters'),
  name: nameClaim.optional(),
  email: emailClaim.optional(),
  admin: z.boolean().default(false),
  /** OpenID Connect Core §5.1 claims besides name and email; when present, replaces the user's claims at each start. */
  claims: claimsPatch.optional(),
});

const pathSchema = z.string().regex(/^\/[A-Za-z0-9/._~-]*$/, 'a path starting with /');

export const configSchema = z.strictObject({
  issuer: z.url().optional().describe('Public base URL; defaults to http://localhost:<port>. https in production.'),
  port: z.number().int().min(0).max(65535).default(3000),
  host: z.string().default('localhost').describe('Address to listen on; 0.0.0.0 behind a proxy or in a container.'),
  database: z.string().default('./data/latchkey.db')
    .describe('SQLite file path (or :memory:), or a postgres:// URL for many nodes on one PostgreSQL (env LATCHKEY_DATABASE_URL).'),
  databasePool: z
    .strictObject({
      max: z.number().int().min(1).max(1000).default(10).describe('PostgreSQL connections per node.'),
      connectionTimeoutMs: z.number().int().min(100).default(3000)
        .describe('Longest wait for a connection; past it the request fails with 503 temporarily_unavailable.'),
      statementTimeoutMs: z.number().int().min(100).default(10_000)
        .describe('PostgreSQL statement_timeout for every query; on SQLite, the longest wait for a lock (at most 5 s).'),
      idleTimeoutMs: z.number().int().min(1000).default(30_000).describe('An idle connection is closed after this long.'),
    })
    .prefault({}),
  janitor: z
    .strictObject({
      enabled: z.boolean().default(true).describe('Purge expired rows periodically in this process (safe on every node).'),
      intervalSeconds: seconds.default(300).describe('Time between purges, jittered by ±20%.'),
      batchSize: z.number().int().min(1).max(10_000).default(500).describe('Rows deleted per statement.'),
      retentionSeconds: z.number().int().min(0).default(86_400).describe('Expired or revoked codes and tokens are kept this long.'),
      spentTokenRetentionSeconds: z.number().int().min(300).default(30 * 86_400)
        .describe('Rotated refresh tokens are kept this long to detect reuse (RFC 9700 §4.14.2).'),
    })
    .prefault({}),
  cacheTtlMs: z.number().int().min(0).max(60_000).default(2000)
    .describe('How long a node serves applications and the scope catalogue from memory: a change made by another process or node (the CLI, another node\'s console) takes effect within this bound. 0: read them on every request.'),
  shutdownTimeoutSeconds: seconds.default(10).describe('On SIGTERM, in-flight requests get this long to finish.'),
  requestTimeoutMs: z.number().int().min(100).default(15_000)
    .describe('The longest a request may take; past it the answer is 503 temporarily_unavailable.'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  logFormat: z.enum(['auto', 'json', 'pretty']).default('auto')
    .describe('Log lines as JSON, or human-readable (pretty); auto: pretty when stdout is a terminal, JSON otherwise.'),
  trustProxy: z.union([z.boolean(), z.number().int(), z.string()]).default(false)
    .describe('Trust X-Forwarded-* from a reverse proxy (fastify trustProxy semantics).'),
  bodyLimit: z.number().int().positive().default(64 * 1024).describe('Largest accepted request body, in bytes.'),
  demo: z.boolean().default(true).describe('On first start with no clients, create a demo application and user.'),
  paths: z
    .strictObject({
      authorization: pathSchema.default('/oauth2/authorize'),
      token: pathSchema.default('/oauth2/token'),
      deviceAuthorization: pathSchema.default('/oauth2/device_authorization'),
      revocation: pathSchema.default('/oauth2/revoke'),
      introspection: pathSchema.default('/oauth2/introspect'),
      userinfo: pathSchema.default('/userinfo'),
      jwks: pathSchema.default('/.well-known/jwks.json'),
      pushedAuthorizationRequest: pathSchema.default('/oauth2/par'),
    })
    .prefault({}),
  tokens: z
    .strictObject({
      accessTokenTtl: seconds.default(3600),
      refreshTokenTtl: z.union([seconds, z.literal('never')]).default(30 * 24 * 3600),
      codeTtl: seconds.default(60),
      refreshTokenGraceSeconds: z.number().int().min(0).max(300).default(0)
        .describe('A spent refresh token retried within this window gets a fresh answer instead of revoking the grant.'),
      idTokenTtl: seconds.default(3600).describe('ID token lifetime (OpenID Connect Core §2 exp); keeps retired signing keys published this long.'),
    })
    .prefault({}),
  keys: z
    .object({
      keyEncryptionKey: z.string().optional()
        .describe('The key-encryption key of the signing keys (32 bytes, base64url or hex); env LATCHKEY_KEY_ENCRYPTION_KEY. Prefer the environment or keyEncryptionKeyFile to the config file.'),
      keyEncryptionKeyFile: z.string().optional().describe('A file holding the key-encryption key (32 bytes, base64url or hex).'),
      rotationDays: z.number().int().min(0).default(90).describe('Rotate each algorithm\'s signing key after this many days; 0: never automatically.'),
      jwksMaxAgeSeconds: seconds.default(300).describe('Cache-Control max-age of the JWKS document.'),
      publishAheadSeconds: seconds.optional()
        .describe('A new key is published this long before it signs; default 2 × jwksMaxAgeSeconds; must exceed jwksMaxAgeSeconds.'),
    })
    .prefault({})
    // A key that signed before every cached JWKS had it would fail validation at relying parties until their cache ends.
    .refine((k) => k.publishAheadSeconds === undefined || k.publishAheadSeconds > k.jwksMaxAgeSeconds, {
      path: ['publishAheadSeconds'],
      message: 'keys.publishAheadSeconds must be above keys.jwksMaxAgeSeconds, or caches of the JWKS miss the next key when it starts signing',
    }),
  oidc: z
    .strictObject({
      // The same three as core/keys/algorithms.ts SIGNING_ALGS (a literal here: config imports nothing from core).
      defaultIdTokenAlg: z.enum(['RS256', 'ES256', 'EdDSA']).default('RS256')
        .describe('ID tokens and signed UserInfo of clients that registered no algorithm are signed with this (OpenID Connect Core §3.1.3.7: RS256 is the default).'),
      refreshTokensWithoutOfflineAccess: z.boolean().default(true)
        .describe('Give refresh tokens to requests with scope openid that did not ask for offline_access, as before OpenID Connect (clients migrated from other providers rely on it); false: only with offline_access (OpenID Connect Core §11). Requests without openid always get them.'),
      pairwiseSalt: z.string().min(16, 'at least 16 characters').optional()
        .describe('Secret mixed into pairwise subject identifiers (OpenID Connect Core §8.1); needed by clients with subjectType pairwise. Never change it: every pairwise sub would change.'),
    })
    .prefault({}),
  clientAssertions: z
    .strictObject({
      maxLifetimeSeconds: seconds.max(3600).default(300)
        .describe('private_key_jwt: refuse assertions whose exp is further than this in the future (RFC 7523 §3 lets the server bound it).'),
      clockSkewSeconds: z.number().int().min(0).max(300).default(30).describe('Tolerance for the exp, iat and nbf of assertions.'),
      acceptTokenEndpointAudience: z.boolean().default(false)
        .describe('Also accept the token endpoint URL as aud (OpenID Connect Core §9, older clients). Off: only the issuer (draft-ietf-oauth-rfc7523bis, which closes an audience-injection attack).'),
      jwksCacheSeconds: seconds.default(300).describe('How long a client\'s jwks_uri document is used before it is fetched again.'),
      jwksRefetchSeconds: seconds.default(60).describe('Least time between two fetches of one jwks_uri when an assertion names an unknown kid.'),
      jwksUriAllowLoopbackHttp: z.boolean().default(false).describe('Development only: allow http jwks_uri on 127.0.0.1 or localhost (https otherwise).'),
    })
    .prefault({}),
  backchannelLogout: z
    .strictObject({
      timeoutMs: z.number().int().min(100).max(60_000).default(5000)
        .describe('Back-Channel Logout: how long a relying party has to answer one logout POST.'),
      maxAttempts: z.number().int().min(1).max(100).default(10).describe('Attempts per logout before giving up (a 4xx answer gives up at once).'),
      retryBaseMs: z.number().int().min(1).default(2000).describe('Wait before the first retry; doubled at each further one, with jitter.'),
      retryMaxMs: z.number().int().min(1).default(600_000).describe('Longest wait between two attempts.'),
      maxAgeSeconds: seconds.default(86_400).describe('A logout not delivered this long after the session ended is given up.'),
      pollIntervalSeconds: seconds.default(10)
        .describe('How often each node looks for logouts queued by other nodes or the CLI (its own are sent at once).'),
    })
    .prefault({}),
  session: z
    .strictObject({
      ttl: seconds.default(24 * 3600).describe('SSO session lifetime.'),
      interactionTtl: seconds.default(600).describe('Time to finish login and consent.'),
    })
    .prefault({}),
  pkce: z
    .strictObject({
      required: z.boolean().default(true).describe('Require PKCE for confidential clients too (always for public).'),
      allowPlain: z.boolean().default(false).describe('Accept code_challenge_method=plain (RFC 7636 §4.2); discouraged.'),
    })
    .prefault({}),
  features: z
    .strictObject({
      implicit: z.boolean().default(false)
        .describe('Allow response_type=token for clients that list it (RFC 9700 §2.1.2 advises against it).'),
      queryStringTokens: z.boolean().default(false).describe('Accept access_token in the query string (RFC 6750 §2.3).'),
    })
    .prefault({}),
  pushedAuthorizationRequests: z
    .strictObject({
      required: z.boolean().default(false)
        .describe('Every client must push its authorization requests (RFC 9126 §5 require_pushed_authorization_requests); a client setting overrides it.'),
      requestUriTtl: seconds.max(600).default(60).describe('Lifetime of a request_uri (RFC 9126 §2.2 expires_in); it is also used only once.'),
    })
    .prefault({}),
  requestObjects: z
    .strictObject({
      requireSigned: z.boolean().default(false)
        .describe('Every client must send its authorization requests as signed request objects (RFC 9101 §10.5 require_signed_request_object); a client setting overrides it.'),
      algorithms: z.array(z.enum(['RS256', 'PS256', 'ES256', 'EdDSA'])).min(1).default(['RS256', 'PS256', 'ES256', 'EdDSA'])
        .describe('Accepted signing algorithms of request objects (never none).'),
      maxLifetimeSeconds: seconds.max(3600).default(3600).describe('A request object whose exp is further than this past its iat (or now) is refused.'),
    })
    .prefault({}),
  deviceFlow: z
    .strictObject({
      codeTtl: seconds.default(600).describe('Lifetime of a device code and its user code (RFC 8628 §3.2 expires_in).'),
      interval: seconds.default(5).describe('Seconds a device waits between polls (RFC 8628 §3.2 interval); slow_down adds 5.'),
      freeFailuresPerAddress: z.number().int().min(1).default(10)
        .describe('Wrong user codes typed from one address before backoff starts (RFC 8628 §5.1).'),
      freeFailures: z.number().int().min(1).default(200)
        .describe('Wrong user codes typed from all addresses together, per loginFailureWindowSeconds, before backoff starts.'),
    })
    .prefault({}),
  dpop: z
    .strictObject({
      enabled: z.boolean().default(true)
        .describe('Accept DPoP proofs (RFC 9449) at the token endpoint and resources and bind tokens to the key; false: DPoP headers are refused.'),
      proofWindowSeconds: z.number().int().min(1).max(600).default(60)
        .describe('A proof is accepted while its iat is within this many seconds of the server\'s clock, and its jti is remembered as long (RFC 9449 §11.1).'),
      algorithms: z.array(z.enum(['ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519', 'PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512'])).min(1)
        .default(['ES256', 'EdDSA', 'Ed25519', 'PS256', 'RS256'])
        .describe('Proof signature algorithms accepted (asymmetric only, RFC 9449 §4.3); advertised as dpop_signing_alg_values_supported.'),
      requireNonce: z.boolean().default(false)
        .describe('Require a server nonce in every proof (RFC 9449 §8-9): a proof without a current one is answered use_dpop_nonce with a DPoP-Nonce header.'),
      nonceSecret: z.string().min(32, 'at least 32 characters').optional()
        .describe('Secret the nonces are derived from; every node must share it (default: random per process, right for one node only).'),
      nonceLifetimeSeconds: z.number().int().min(10).max(3600).default(300).describe('A nonce is accepted for one to two of these periods.'),
    })
    .prefault({}),
  clientMetadataDocuments: z
    .strictObject({
      enabled: z.boolean().default(false)
        .describe('Accept an https URL as client_id and fetch the client\'s metadata from it (OAuth Client ID Metadata Documents, as MCP clients use).'),
      allowLoopbackHttp: z.boolean().default(false)
        .describe('DEVELOPMENT ONLY: also fetch http:// documents from loopback addresses (127.0.0.1, ::1, localhost); the same for the jwks_uri and back-channel logout URI of clients that chose them (RFC 7591 registration, metadata documents).'),
      minCacheSeconds: seconds.default(300).describe('A document is kept at least this long, whatever its Cache-Control max-age says.'),
      maxCacheSeconds: seconds.default(86_400).describe('A document is fetched again after this long at the latest.'),
      maxClients: z.number().int().min(1).default(10_000).describe('At most this many clients are made from documents; past it new ones are refused.'),
      timeoutMs: z.number().int().min(100).max(60_000).default(5000).describe('A document fetch (DNS, connection, body) must end within this.'),
      maxBytes: z.number().int().min(1024).max(1_048_576).default(65_536).describe('A larger document is refused.'),
    })
    .prefault({}),
  cookies: z
    .strictObject({ secure: z.union([z.boolean(), z.literal('auto')]).default('auto').describe('auto: Secure when the issuer is https.') })
    .prefault({}),
  rateLimit: z
    .strictObject({
      tokenPerMinute: z.number().int().min(0).default(600)
        .describe('Requests per minute per address to every endpoint that authenticates a client (token, revocation, introspection, the profiles\' routes); 0 disables.'),
      clientAuthFailuresPerMinute: z.number().int().min(0).default(60)
        .describe('Failed client authentications (invalid_client) per minute per address, on the same endpoints; 0 disables.'),
      store: z.enum(['auto', 'memory', 'database']).default('auto')
        .describe('Where those requests are counted; auto: the database on PostgreSQL (shared by all nodes), memory on SQLite.'),
      loginFreeFailures: z.number().int().min(1).default(5).describe('Failed logins per account before backoff starts.'),
      loginFreeFailuresPerAddress: z.number().int().min(1).default(20),
      loginMaxLockSeconds: seconds.default(900),
      loginFailureWindowSeconds: seconds.default(3600).describe('Failures older than this are forgotten: counting starts afresh.'),
    })
    .prefault({}),
  registration: z
    .strictObject({
      mode: z.enum(['off', 'open', 'token']).default('off')
        .describe('Dynamic client registration (RFC 7591) at /register: off; open to anyone; or token, requiring an initial access token (latchkey registration tokens create) as a Bearer.'),
      redirectUriSchemes: z.array(z.string().regex(/^[a-z0-9.+*-]+$/i, 'a scheme or a pattern with *')).default([])
        .describe('Schemes a registered redirect URI may use, * matching any run of characters (["https", "com.example.*"]); empty: those the application_type allows.'),
      redirectUriHosts: z.array(z.string().regex(/^[a-z0-9.*:[\]-]+$/i, 'a host or a pattern with *')).default([])
        .describe('Hosts an https redirect URI may name, * matching any run of characters ("*.example.com"); empty: any host. Loopback redirect URIs of native apps are not restricted by it.'),
      perHour: z.number().int().min(0).default(20).describe('Registration requests per hour per address, counted in the database so every node shares the limit; 0 disables.'),
      scopes: z.array(z.string()).default(['openid', 'profile', 'email', 'offline_access'])
        .describe('Scopes a registered client may get; a requested scope outside them is left out of the registration (RFC 7591 §3.2.1).'),
      grantTypes: z.array(z.enum(['authorization_code', 'refresh_token', 'client_credentials'])).default(['authorization_code', 'refresh_token'])
        .describe('Grant types a registered client may get; asking for another is refused with invalid_client_metadata.'),
    })
    .prefault({}),
  theme: z
    .strictObject({
      productName: z.string().default('Latchkey'),
      accentColor: z.string().regex(/^#[0-9a-fA-F]{3,8}$/).optional(),
      supportUrl: z.string().regex(/^(https:\/\/|mailto:)[^\s]+$/, 'must be an https: or mailto: URL').optional()
        .describe('Where people get help (https: or mailto:), linked from error pages next to the reference to quote.'),
    })
    .prefault({}),
  profiles: z.array(z.enum(PROFILE_NAMES)).default([])
    .describe('Migration profiles: extra routes for clients written to another provider\'s document (docs/profiles.md).'),
  scopes: z.array(scopeEntrySchema).default([]).transform(resolveScopes)
    .describe('Scopes in addition to the built-in openid, profile, email and offline_access; { name, remove: true } drops a built-in one.'),
  clients: z.array(clientSchema).default([]),
  resources: z.array(resourceSchema).default([]).describe('APIs that access tokens are issued for (RFC 8707); see README "Resources (APIs)".'),
  resourceTokens: z
    .strictObject({
      defaultResource: z.string().optional()
        .describe('The resource (identifier) of requests that name none but ask for one of its scopes (RFC 8707); unset, or other scopes: such tokens carry no audience, as before.'),
      jwtAccessTokenTtl: seconds.default(300)
        .describe('Lifetime of JWT access tokens (RFC 9068) for resources without their own: short, as an API validating them locally never sees a revocation.'),
      jwtAccessTokenAlg: z.enum(['RS256', 'ES256', 'EdDSA']).optional()
        .describe('How JWT access tokens are signed; default oidc.defaultIdTokenAlg (RS256, which RFC 9068 §2.1 makes every resource server support). ES256 and EdDSA sign several times faster.'),
    })
    .prefault({}),
  users: z.array(userSchema).default([]),
  tokenExchange: tokenExchangeSchema,
});

export type ScopeConfig = z.output<typeof scopeSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
export type Config = ParsedConfig & { issuer: string };
export type ClientConfig = z.output<typeof clientSchema>;
export type UserConfig = z.output<typeof userSchema>;
export type ResourceConfig = z.output<typeof resourceSchema>;
