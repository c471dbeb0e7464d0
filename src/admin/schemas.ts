import { z } from 'zod';
import { AUDIT_EVENT_TYPES } from '../core/audit.ts';
import { GRANT_TYPES, RESPONSE_TYPES } from '../core/model.ts';
import { redirectUriProblem } from '../core/redirect-uri.ts';

/**
 * The admin API's schemas: the routes validate with them and the OpenAPI document (openapi.ts) is generated from them,
 * so the two cannot drift apart. Messages are written for a person: the console shows them next to the field.
 */

const MAX_TTL = 10 * 365 * 24 * 3600;
const MAX_CODE_TTL = 600;

const seconds = (max: number, what = 'a whole number of seconds') =>
  z.number({ error: `enter ${what}` }).int({ error: `enter ${what}` }).min(1, { error: `enter ${what} of at least 1` }).max(max, { error: `at most ${max} seconds` });

/** A lifetime in seconds, or 'never' (for clients migrated from providers whose tokens do not expire). */
const lifetime = z.union([seconds(MAX_TTL), z.literal('never')], { error: `enter a whole number of seconds from 1 to ${MAX_TTL}, or never` });

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
export const scopeName = z.string().max(100, { error: 'at most 100 characters' }).regex(SCOPE_TOKEN, { error: 'use printable ASCII without spaces, quotes or backslashes (RFC 6749 §3.3)' });

/** Client ids travel in Basic credentials, URLs and forms: unreserved characters only. */
export const clientId = z.string().regex(/^[A-Za-z0-9._~-]{1,200}$/, { error: 'use 1 to 200 letters, digits, and . _ ~ -' });

const signingAlg = z.enum(['RS256', 'ES256', 'EdDSA'], { error: 'RS256, ES256 or EdDSA' });

const displayName = z.string().max(200, { error: 'at most 200 characters' }).regex(/\S/, { error: 'enter a name' });

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
  // OpenID Connect client metadata (Registration 1.0 §2): checked as a whole in admin/applications.ts.
  idTokenSignedResponseAlg: signingAlg.nullable().describe('id_token_signed_response_alg; null: the server default (oidc.defaultIdTokenAlg).'),
  userinfoSignedResponseAlg: signingAlg.nullable().describe('userinfo_signed_response_alg; null: UserInfo answers JSON, else a signed JWT.'),
  subjectType: z.enum(['public', 'pairwise'], { error: 'public or pairwise' }).describe('subject_type (OpenID Connect Core §8): pairwise gives a sub per redirect URI host.'),
  defaultMaxAge: seconds(MAX_TTL).nullable().describe('default_max_age: seconds; a max_age for requests that send none.'),
  requireAuthTime: z.boolean({ error: 'true or false' }).describe('require_auth_time (auth_time is always in the ID token).'),
  postLogoutRedirectUris: z.array(z.string({ error: 'each URI must be a string' })).max(50, { error: 'at most 50 URIs' })
    .describe('post_logout_redirect_uris (RP-Initiated Logout 1.0): https, or http on a loopback address.'),
  backchannelLogoutUri: z.string().max(2000).nullable().describe('backchannel_logout_uri (Back-Channel Logout 1.0 §2.2).'),
};

export const applicationCreate = z
  .strictObject({
    id: clientId.optional().describe('client_id; generated when omitted.'),
    name: applicationFields.name,
    type: z.enum(['confidential', 'public'], { error: 'confidential or public' }).default('confidential')
      .describe('confidential: a server that keeps a secret; public: a browser or native app (no secret, PKCE).'),
    redirectUris: applicationFields.redirectUris.default([]),
    grantTypes: applicationFields.grantTypes.default(['authorization_code', 'refresh_token']),
    responseTypes: applicationFields.responseTypes.default(['code']),
    scopes: applicationFields.scopes.default([]),
    accessTokenTtl: applicationFields.accessTokenTtl.default(null),
    refreshTokenTtl: applicationFields.refreshTokenTtl.default(null),
    codeTtl: applicationFields.codeTtl.default(null),
    requirePkce: applicationFields.requirePkce.default(null),
    introspectAny: applicationFields.introspectAny.default(false),
    idTokenSignedResponseAlg: applicationFields.idTokenSignedResponseAlg.default(null),
    userinfoSignedResponseAlg: applicationFields.userinfoSignedResponseAlg.default(null),
    subjectType: applicationFields.subjectType.default('public'),
    defaultMaxAge: applicationFields.defaultMaxAge.default(null),
    requireAuthTime: applicationFields.requireAuthTime.default(false),
    postLogoutRedirectUris: applicationFields.postLogoutRedirectUris.default([]),
    backchannelLogoutUri: applicationFields.backchannelLogoutUri.default(null),
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
    idTokenSignedResponseAlg: applicationFields.idTokenSignedResponseAlg.optional(),
    userinfoSignedResponseAlg: applicationFields.userinfoSignedResponseAlg.optional(),
    subjectType: applicationFields.subjectType.optional(),
    defaultMaxAge: applicationFields.defaultMaxAge.optional(),
    requireAuthTime: applicationFields.requireAuthTime.optional(),
    postLogoutRedirectUris: applicationFields.postLogoutRedirectUris.optional(),
    backchannelLogoutUri: applicationFields.backchannelLogoutUri.optional(),
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

export const newPassword = z.string({ error: 'enter a password' }).min(8, { error: 'use at least 8 characters' }).max(1024, { error: 'at most 1024 characters' });
const email = z.email({ error: 'enter an email address like name@example.com' }).max(320);

export const userCreate = z
  .strictObject({
    username: z.string().regex(/^\S(.{0,198}\S)?$/, { error: 'use 1 to 200 characters, without spaces at either end' }).describe('What they sign in with.'),
    password: newPassword.optional().describe('Generated (and returned once) when omitted.'),
    name: z.string().max(200, { error: 'at most 200 characters' }).nullable().default(null),
    email: email.nullable().default(null),
    isAdmin: z.boolean({ error: 'true or false' }).default(false).describe('Administrators may use the console and the admin API.'),
  });

export const userUpdate = z
  .strictObject({
    name: z.string().max(200, { error: 'at most 200 characters' }).nullable().optional(),
    email: email.nullable().optional(),
    isAdmin: z.boolean({ error: 'true or false' }).optional(),
  });

export const passwordReset = z
  .strictObject({ password: newPassword.optional().describe('Generated (and returned once) when omitted.') });

export const USER_CLAIMS = ['name', 'preferred_username', 'email'] as const;

export const scopeSave = z
  .strictObject({
    description: z.string().max(300, { error: 'at most 300 characters' }).regex(/\S/, { error: 'enter what the scope lets an application do' })
      .describe('What the consent page shows.'),
    claims: z.array(z.enum(USER_CLAIMS, { error: `use ${USER_CLAIMS.join(', ')}` })).default([]).describe('User claims /userinfo releases for this scope.'),
  });

/** null puts a setting back to the configuration file's value. */
export const tokenSettingsUpdate = z
  .strictObject({
    accessTokenTtl: seconds(MAX_TTL).nullable().optional(),
    refreshTokenTtl: lifetime.nullable().optional(),
    codeTtl: seconds(MAX_CODE_TTL).nullable().optional(),
    refreshTokenGraceSeconds: z.number({ error: 'enter a whole number of seconds' }).int({ error: 'enter a whole number of seconds' })
      .min(0, { error: 'at least 0' }).max(300, { error: 'at most 300 seconds' }).nullable().optional(),
  });

// Query strings: every value arrives as a string.

const limit = z
  .string()
  .regex(/^[0-9]{1,3}$/, { error: 'a number from 1 to 100' })
  .transform(Number)
  .refine((n) => n >= 1 && n <= 100, { error: 'a number from 1 to 100' })
  .optional()
  .describe('Items per page, 1 to 100 (default 20).');
const cursor = z.string().max(500).optional().describe('The nextCursor of the previous page.');
const search = z.string().max(200).optional().describe('Case-insensitive substring to look for.');

export const listQuery = z.strictObject({ limit, cursor, q: search });

export const grantsQuery = z.strictObject({
  userId: z.string().max(200).optional(),
  clientId: z.string().max(200).optional(),
  active: z.enum(['true', 'false']).optional().describe('true (default): only grants that still hold a usable token.'),
  limit,
  cursor,
});

export const sessionsQuery = z.strictObject({ userId: z.string().max(200).optional(), limit, cursor });

/** A time in a query: Unix seconds, or an ISO 8601 date or date-time (UTC unless it has an offset). */
const time = z
  .string()
  .refine((s) => parseTime(s) !== undefined, { error: 'use Unix seconds or an ISO 8601 date-time, e.g. 2025-01-31T12:00Z' })
  .describe('Unix seconds, or an ISO 8601 date or date-time (UTC unless it carries an offset).');

export function parseTime(s: string): number | undefined {
  if (/^[0-9]{1,12}$/.test(s)) return Number(s);
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(s)) return undefined;
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(s) && s.length > 10;
  const ms = Date.parse(s.length === 10 ? `${s}T00:00:00Z` : hasZone ? s.replace(' ', 'T') : `${s.replace(' ', 'T')}Z`);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

export const auditQuery = z.strictObject({
  type: z.enum(AUDIT_EVENT_TYPES, { error: 'not a known event type' }).optional(),
  actor: z.string().max(200).optional().describe('The id of the user who acted.'),
  client: z.string().max(200).optional().describe('A client id: events where it acted or was acted upon.'),
  user: z.string().max(200).optional().describe('A user id: events where the user acted or was acted upon.'),
  since: time.optional(),
  until: time.optional(),
  limit,
  cursor,
});

// Responses (documentation, and the tests check the answers against them).

const isoTime = z.iso.datetime();

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
    idTokenSignedResponseAlg: z.enum(['RS256', 'ES256', 'EdDSA']).nullable(),
    userinfoSignedResponseAlg: z.enum(['RS256', 'ES256', 'EdDSA']).nullable(),
    subjectType: z.enum(['public', 'pairwise']),
    defaultMaxAge: z.number().nullable(),
    requireAuthTime: z.boolean(),
    postLogoutRedirectUris: z.array(z.string()),
    backchannelLogoutUri: z.string().nullable(),
    hasSecret: z.boolean(),
    builtIn: z.boolean().describe("Latchkey's own console or account page: read-only."),
    declaredInConfig: z.boolean().describe('Declared in the configuration file, which restores it at every start.'),
    createdAt: isoTime,
    updatedAt: isoTime,
  })
  .strict();

export const applicationWithSecret = z
  .object({
    application: applicationView,
    clientSecret: z.string().optional().describe('Shown in this response only; store it now. Absent for public clients.'),
  })
  .strict();

export const userView = z
  .object({
    id: z.string(),
    username: z.string(),
    name: z.string().nullable(),
    email: z.string().nullable(),
    isAdmin: z.boolean(),
    disabled: z.boolean(),
    disabledAt: isoTime.nullable(),
    createdAt: isoTime,
    declaredInConfig: z.boolean(),
  })
  .strict();

export const userWithPassword = z
  .object({ user: userView, password: z.string().optional().describe('A generated password, in this response only.') })
  .strict();

export const scopeView = z
  .object({ name: z.string(), description: z.string(), claims: z.array(z.string()), builtIn: z.boolean() })
  .strict();

const settingValues = {
  accessTokenTtl: z.number(),
  refreshTokenTtl: z.union([z.number(), z.literal('never')]),
  codeTtl: z.number(),
  refreshTokenGraceSeconds: z.number(),
};

export const tokenSettingsView = z
  .object({
    ...settingValues,
    configured: z.object(settingValues).strict().describe("The configuration file's values, used where the console has set none."),
    overridden: z.array(z.string()).describe('The settings changed from the console or the API.'),
  })
  .strict();

export const grantView = z
  .object({
    id: z.string(),
    clientId: z.string(),
    clientName: z.string().nullable(),
    userId: z.string().nullable(),
    username: z.string().nullable(),
    scope: z.array(z.string()),
    createdAt: isoTime,
    revokedAt: isoTime.nullable(),
    activeTokens: z.number(),
    lastIssuedAt: isoTime.nullable(),
  })
  .strict();

export const sessionView = z
  .object({ id: z.string(), userId: z.string(), username: z.string().nullable(), signedInAt: isoTime, expiresAt: isoTime })
  .strict();

export const auditEventView = z
  .object({
    id: z.string(),
    at: isoTime,
    type: z.string(),
    actorUserId: z.string().nullable(),
    actorUsername: z.string().nullable(),
    actorClientId: z.string().nullable(),
    userId: z.string().nullable(),
    clientId: z.string().nullable(),
    ip: z.string().nullable(),
    details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())])),
  })
  .strict();

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable().describe('Pass as cursor for the next page; null on the last.') }).strict();

export const errorView = z
  .object({
    error: z.enum(['invalid_request', 'invalid_token', 'insufficient_scope', 'access_denied', 'not_found', 'conflict', 'server_error']),
    error_description: z.string(),
    fields: z.record(z.string(), z.string()).optional().describe('Each invalid field, with what is wrong with it.'),
  });

export type ApplicationView = z.infer<typeof applicationView>;
export type UserView = z.infer<typeof userView>;
export type ScopeView = z.infer<typeof scopeView>;
export type TokenSettingsView = z.infer<typeof tokenSettingsView>;
export type GrantView = z.infer<typeof grantView>;
export type SessionView = z.infer<typeof sessionView>;
export type AuditEventView = z.infer<typeof auditEventView>;
