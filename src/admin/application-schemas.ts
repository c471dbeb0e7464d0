import { z } from 'zod';
import { tokenExchangePolicySchema } from '../config/token-exchange-schema.ts';
import { GRANT_TYPES, RESPONSE_TYPES } from '../core/model.ts';
import { redirectUriProblem } from '../core/redirect-uri.ts';
import { clientId, displayName, isoTime, lifetime, MAX_CODE_TTL, MAX_TTL, scopeName, seconds } from './schema-primitives.ts';

/** The admin API's schemas of applications (clients): what the routes validate with and OpenAPI describes. */

const signingAlg = z.enum(['RS256', 'ES256', 'EdDSA'], { error: 'RS256, ES256 or EdDSA' });
/** A JWK Set (RFC 7517 §5) of a private_key_jwt client's public keys; checked key by key in core/client-auth/metadata.ts. */
const jwkSet = z.strictObject({ keys: z.array(z.record(z.string(), z.unknown()), { error: 'a list of JWKs' }).min(1, { error: 'at least one key' }).max(20, { error: 'at most 20 keys' }) }, { error: 'a JWK Set as JSON: {"keys": [...]}' });
const authMethods = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none'] as const;


/**
 * Each redirect URI must be absolute, without a fragment, https (or http on a loopback IP), or a native app's scheme:
 * the one rule of core/redirect-uri.ts. It depends on the issuer (Latchkey's own pages are allowed on an http issuer),
 * so the routes validate with `applicationSchemasFor(issuer)`; the plain schemas (no issuer) serve OpenAPI and types.
 */
const redirectUrisFor = (issuer: string | undefined) => z
  .array(z.string({ error: 'each redirect URI must be a string' }), { error: 'a list of redirect URIs' })
  .max(50, { error: 'at most 50 redirect URIs' })
  .superRefine((uris, ctx) => {
    const seen = new Set<string>();
    for (const uri of uris) {
      const problem = redirectUriProblem(uri, { issuer });
      if (problem) ctx.addIssue({ code: 'custom', message: `${uri}: ${problem}` });
      else if (seen.has(uri)) ctx.addIssue({ code: 'custom', message: `${uri} is listed twice` });
      seen.add(uri);
    }
  })
  .describe('Exact-match redirect URIs: https, http on 127.0.0.1 or [::1] (a public client may use any port there, RFC 8252 §7.3), or a private-use scheme in reverse domain form (com.example.app:/cb). Not localhost (RFC 8252 §8.3), file:, javascript: or data:.');
const redirectUris = redirectUrisFor(undefined);

const applicationFields = {
  name: displayName.describe('Shown on the consent page.'),
  redirectUris,
  grantTypes: z.array(z.enum(GRANT_TYPES, { error: `use ${GRANT_TYPES.join(', ')}` })).describe('OAuth grants the application may use.'),
  responseTypes: z.array(z.enum(RESPONSE_TYPES, { error: 'use code (or token where the implicit grant is enabled)' })),
  scopes: z.array(scopeName).describe('Scopes the application may request; empty means any scope except admin.'),
  accessTokenTtl: lifetime.nullable().describe('Seconds; null follows the server setting; never only for code-flow tokens.'),
  refreshTokenTtl: lifetime.nullable().describe('Seconds; null follows the server setting.'),
  codeTtl: seconds(MAX_CODE_TTL).nullable().describe('Seconds; null follows the server setting.'),
  requirePkce: z.boolean({ error: 'true, false or null' }).nullable().describe('null follows the server setting; public clients always use PKCE.'),
  introspectAny: z.boolean({ error: 'true or false' }).describe('A resource server that may introspect tokens issued to any client.'),
  requirePushedAuthorizationRequests: z.boolean({ error: 'true, false or null' }).nullable()
    .describe('require_pushed_authorization_requests (RFC 9126 §6); null follows the server setting.'),
  requireSignedRequestObject: z.boolean({ error: 'true, false or null' }).nullable()
    .describe('require_signed_request_object (RFC 9101 §10.5); null follows the server setting.'),
  dpopBoundAccessTokens: z.boolean({ error: 'true or false' }).describe('dpop_bound_access_tokens (RFC 9449 §5.2): the token endpoint requires a DPoP proof from this application.'),
  // Operators only: dynamic client registration (registered-clients.ts) never copies it from a request.
  tokenExchange: tokenExchangePolicySchema.nullable()
    .describe('What the application may exchange (RFC 8693 token exchange); needs the token-exchange grant type. null: it may not (deny by default).'),
  // OpenID Connect client metadata (Registration 1.0 §2): checked as a whole in admin/applications.ts.
  idTokenSignedResponseAlg: signingAlg.nullable().describe('id_token_signed_response_alg; null: the server default (oidc.defaultIdTokenAlg).'),
  userinfoSignedResponseAlg: signingAlg.nullable().describe('userinfo_signed_response_alg; null: UserInfo answers JSON, else a signed JWT.'),
  subjectType: z.enum(['public', 'pairwise'], { error: 'public or pairwise' }).describe('subject_type (OpenID Connect Core §8): pairwise gives a sub per redirect URI host.'),
  defaultMaxAge: seconds(MAX_TTL).nullable().describe('default_max_age: seconds; a max_age for requests that send none.'),
  requireAuthTime: z.boolean({ error: 'true or false' }).describe('require_auth_time (auth_time is always in the ID token).'),
  postLogoutRedirectUris: z.array(z.string({ error: 'each URI must be a string' })).max(50, { error: 'at most 50 URIs' })
    .describe('post_logout_redirect_uris (RP-Initiated Logout 1.0): https, or http on a loopback address.'),
  backchannelLogoutUri: z.string().max(2000).nullable().describe('backchannel_logout_uri (Back-Channel Logout 1.0 §2.2).'),
  // Client authentication (RFC 7591 §2, RFC 7523 §2.2): checked as a whole in core/client-auth/metadata.ts.
  tokenEndpointAuthSigningAlg: z.string().max(20).nullable().describe('token_endpoint_auth_signing_alg: the one algorithm of its assertions (RS256, PS256, ES256, EdDSA, ...); null: any asymmetric one.'),
  jwks: jwkSet.nullable().describe('jwks: the public keys of a private_key_jwt application (a JWK Set, no private members).'),
  jwksUri: z.string().max(2000).nullable().describe('jwks_uri: https URL of the public keys of a private_key_jwt application; fetched and cached.'),
  backchannelLogoutSessionRequired: z.boolean({ error: 'true or false' }).describe('backchannel_logout_session_required (§2.2; sid is always in the logout token).'),
};

export const applicationCreate = z
  .strictObject({
    id: clientId.optional().describe('client_id; generated when omitted.'),
    name: applicationFields.name,
    type: z.enum(['confidential', 'public'], { error: 'confidential or public' }).default('confidential')
      .describe('confidential: a server that keeps a secret; public: a browser or native app (no secret, PKCE).'),
    redirectUris: applicationFields.redirectUris.default([]),
    grantTypes: applicationFields.grantTypes.default(['authorization_code', 'refresh_token']),
    responseTypes: applicationFields.responseTypes.optional().describe('Default: ["code"] with the authorization_code grant type, else none (RFC 7591 §2.1).'),
    scopes: applicationFields.scopes.default([]),
    accessTokenTtl: applicationFields.accessTokenTtl.default(null),
    refreshTokenTtl: applicationFields.refreshTokenTtl.default(null),
    codeTtl: applicationFields.codeTtl.default(null),
    requirePkce: applicationFields.requirePkce.default(null),
    introspectAny: applicationFields.introspectAny.default(false),
    requirePushedAuthorizationRequests: applicationFields.requirePushedAuthorizationRequests.default(null),
    requireSignedRequestObject: applicationFields.requireSignedRequestObject.default(null),
    dpopBoundAccessTokens: applicationFields.dpopBoundAccessTokens.default(false),
    tokenExchange: applicationFields.tokenExchange.default(null),
    idTokenSignedResponseAlg: applicationFields.idTokenSignedResponseAlg.default(null),
    userinfoSignedResponseAlg: applicationFields.userinfoSignedResponseAlg.default(null),
    subjectType: applicationFields.subjectType.default('public'),
    defaultMaxAge: applicationFields.defaultMaxAge.default(null),
    requireAuthTime: applicationFields.requireAuthTime.default(false),
    postLogoutRedirectUris: applicationFields.postLogoutRedirectUris.default([]),
    backchannelLogoutUri: applicationFields.backchannelLogoutUri.default(null),
    tokenEndpointAuthMethod: z.enum(authMethods, { error: authMethods.join(', ') }).optional()
      .describe('token_endpoint_auth_method; chosen at creation. private_key_jwt: no secret, the keys of jwks or jwksUri. client_secret_jwt: a secret the server keeps encrypted, for HMAC assertions only. Default: a secret (confidential) or none (public).'),
    tokenEndpointAuthSigningAlg: applicationFields.tokenEndpointAuthSigningAlg.default(null),
    jwks: applicationFields.jwks.default(null),
    jwksUri: applicationFields.jwksUri.default(null),
    backchannelLogoutSessionRequired: applicationFields.backchannelLogoutSessionRequired.default(false),
  });

/** PATCH: the fields present replace the stored ones; the type cannot change (create a new application instead). */
export const applicationUpdate = z
  .strictObject({
    name: applicationFields.name.optional(),
    redirectUris: applicationFields.redirectUris.optional(),
    grantTypes: applicationFields.grantTypes.optional(),
    responseTypes: applicationFields.responseTypes.optional(),
    scopes: applicationFields.scopes.optional(),
    accessTokenTtl: applicationFields.accessTokenTtl.optional(),
    refreshTokenTtl: applicationFields.refreshTokenTtl.optional(),
    codeTtl: applicationFields.codeTtl.optional(),
    requirePkce: applicationFields.requirePkce.optional(),
    introspectAny: applicationFields.introspectAny.optional(),
    requirePushedAuthorizationRequests: applicationFields.requirePushedAuthorizationRequests.optional(),
    requireSignedRequestObject: applicationFields.requireSignedRequestObject.optional(),
    dpopBoundAccessTokens: applicationFields.dpopBoundAccessTokens.optional(),
    tokenExchange: applicationFields.tokenExchange.optional(),
    idTokenSignedResponseAlg: applicationFields.idTokenSignedResponseAlg.optional(),
    userinfoSignedResponseAlg: applicationFields.userinfoSignedResponseAlg.optional(),
    subjectType: applicationFields.subjectType.optional(),
    defaultMaxAge: applicationFields.defaultMaxAge.optional(),
    requireAuthTime: applicationFields.requireAuthTime.optional(),
    postLogoutRedirectUris: applicationFields.postLogoutRedirectUris.optional(),
    backchannelLogoutUri: applicationFields.backchannelLogoutUri.optional(),
    tokenEndpointAuthSigningAlg: applicationFields.tokenEndpointAuthSigningAlg.optional(),
    jwks: applicationFields.jwks.optional(),
    jwksUri: applicationFields.jwksUri.optional(),
    backchannelLogoutSessionRequired: applicationFields.backchannelLogoutSessionRequired.optional(),
  });

export interface ApplicationSchemas {
  create: typeof applicationCreate;
  update: typeof applicationUpdate;
}

const byIssuer = new Map<string, ApplicationSchemas>();
/** The application schemas with the redirect URI rule of this server's issuer (built once per issuer). */
export function applicationSchemasFor(issuer: string): ApplicationSchemas {
  let schemas = byIssuer.get(issuer);
  if (!schemas) {
    const uris = redirectUrisFor(issuer);
    schemas = {
      create: applicationCreate.extend({ redirectUris: uris.default([]) }),
      update: applicationUpdate.extend({ redirectUris: uris.optional() }),
    };
    byIssuer.set(issuer, schemas);
  }
  return schemas;
}


export const applicationView = z
  .object({
    id: z.string(),
    name: z.string(),
    type: z.enum(['confidential', 'public']),
    redirectUris: z.array(z.string()),
    grantTypes: z.array(z.enum(GRANT_TYPES)),
    responseTypes: z.array(z.enum(RESPONSE_TYPES)),
    scopes: z.array(z.string()),
    accessTokenTtl: z.union([z.number(), z.literal('never')]).nullable(),
    refreshTokenTtl: z.union([z.number(), z.literal('never')]).nullable(),
    codeTtl: z.number().nullable(),
    requirePkce: z.boolean().nullable(),
    introspectAny: z.boolean(),
    requirePushedAuthorizationRequests: z.boolean().nullable(),
    requireSignedRequestObject: z.boolean().nullable(),
    dpopBoundAccessTokens: z.boolean(),
    tokenExchange: tokenExchangePolicySchema.nullable().describe('What the application may exchange (RFC 8693); null: nothing.'),
    idTokenSignedResponseAlg: z.enum(['RS256', 'ES256', 'EdDSA']).nullable(),
    userinfoSignedResponseAlg: z.enum(['RS256', 'ES256', 'EdDSA']).nullable(),
    subjectType: z.enum(['public', 'pairwise']),
    defaultMaxAge: z.number().nullable(),
    requireAuthTime: z.boolean(),
    postLogoutRedirectUris: z.array(z.string()),
    backchannelLogoutUri: z.string().nullable(),
    tokenEndpointAuthMethod: z.enum(authMethods),
    tokenEndpointAuthSigningAlg: z.string().nullable(),
    jwks: jwkSet.nullable(),
    jwksUri: z.string().nullable(),
    backchannelLogoutSessionRequired: z.boolean(),
    hasSecret: z.boolean(),
    builtIn: z.boolean().describe("Latchkey's own console or account page: read-only."),
    disabled: z.boolean().describe('Disabled by an administrator: refused at authorization, token and introspection; its tokens are inactive.'),
    declaredInConfig: z.boolean().describe('Declared in the configuration file, which restores it at every start.'),
    previousSecretExpiresAt: isoTime.nullable().describe('After a rotation with a grace period: until when the previous secret still works; null otherwise.'),
    origin: z.enum(['operator', 'dynamic', 'metadata-document']).describe('operator: made by an operator; dynamic: the client registered itself (RFC 7591), not vetted by an administrator; metadata-document: made from the Client ID Metadata Document at its client_id URL.'),
    metadataDocument: z
      .strictObject({ fetchedAt: isoTime, expiresAt: isoTime, logoUri: z.string().nullable(), clientUri: z.string().nullable() })
      .nullable()
      .describe('For origin metadata-document: when the document was fetched and is fetched again, and its https logo and home page. Disabled as any application (disabled, POST /applications/{id}/disable).'),
    createdAt: isoTime,
    updatedAt: isoTime,
  })
  .strict();

/** Keycloak offers rotated secrets for days; a week covers a slow roll-out, and longer defeats the rotation. */
export const MAX_SECRET_GRACE_SECONDS = 7 * 24 * 3600;

export const secretRotation = z.strictObject({
  graceSeconds: z
    .number({ error: 'a whole number of seconds' })
    .int({ error: 'a whole number of seconds' })
    .min(0, { error: 'at least 0' })
    .max(MAX_SECRET_GRACE_SECONDS, { error: `at most ${MAX_SECRET_GRACE_SECONDS} (7 days)` })
    .optional()
    .describe('How long the previous secret keeps working, in seconds (default 0: it stops at once; at most 7 days).'),
});

export const applicationWithSecret = z
  .object({
    application: applicationView,
    clientSecret: z.string().optional().describe('Shown in this response only; store it now. Absent for public clients.'),
  })
  .strict();

export type ApplicationView = z.infer<typeof applicationView>;
