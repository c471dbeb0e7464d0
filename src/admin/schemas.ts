import { z } from 'zod';
import { claimsPatch, emailClaim } from '../config/claims-schema.ts';
import { STANDARD_CLAIMS } from '../core/oidc/standard-claims.ts';
import { AUDIT_EVENT_TYPES } from '../core/audit.ts';
import { isoTime, lifetime, MAX_CODE_TTL, MAX_TTL, seconds } from './schema-primitives.ts';

/**
 * The admin API's schemas: the routes validate with them and the OpenAPI document (openapi.ts) is generated from them,
 * so the two cannot drift apart. Messages are written for a person: the console shows them next to the field.
 * The applications' schemas are in application-schemas.ts, re-exported here.
 */

export * from './application-schemas.ts';
export { clientId, scopeName } from './schema-primitives.ts';

export const newPassword = z.string({ error: 'enter a password' }).min(8, { error: 'use at least 8 characters' }).max(1024, { error: 'at most 1024 characters' });
const email = emailClaim;
const claims = claimsPatch.describe('OpenID Connect Core §5.1 claims besides name and email (given_name, picture, address…). '
  + 'On update, an absent claim is left alone and null or "" removes it; a new email or phone number is no longer verified unless the same change says so.');

export const userCreate = z
  .strictObject({
    username: z.string().regex(/^\S(.{0,198}\S)?$/, { error: 'use 1 to 200 characters, without spaces at either end' }).describe('What they sign in with.'),
    password: newPassword.optional().describe('Generated (and returned once) when omitted.'),
    name: z.string().max(200, { error: 'at most 200 characters' }).nullable().default(null),
    email: email.nullable().default(null),
    isAdmin: z.boolean({ error: 'true or false' }).default(false).describe('Administrators may use the console and the admin API.'),
    claims: claims.optional(),
  });

export const userUpdate = z
  .strictObject({
    name: z.string().max(200, { error: 'at most 200 characters' }).nullable().optional(),
    email: email.nullable().optional(),
    isAdmin: z.boolean({ error: 'true or false' }).optional(),
    claims: claims.optional(),
  });

export const passwordReset = z
  .strictObject({ password: newPassword.optional().describe('Generated (and returned once) when omitted.') });

/** The claims a scope may release: those of OpenID Connect Core §5.1 a user carries. */
export const USER_CLAIMS = STANDARD_CLAIMS;

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

export const userView = z
  .object({
    id: z.string(),
    username: z.string(),
    name: z.string().nullable(),
    email: z.string().nullable(),
    isAdmin: z.boolean(),
    claims: claimsPatch.describe('The claims that have a value (OpenID Connect Core §5.1); preferred_username is the username.'),
    updatedAt: isoTime.describe('OpenID Connect updated_at: when the name, email or a claim last changed.'),
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
  .object({
    id: z.string().describe("The session's stored key; it names the session and cannot be used as one."),
    userId: z.string(),
    username: z.string().nullable(),
    clientId: z.string().nullable().describe('The application the person signed in through; null for sessions from before Latchkey recorded it.'),
    clientName: z.string().nullable(),
    address: z.string().nullable().describe('The address the sign-in came from.'),
    userAgent: z.string().nullable().describe("The sign-in's User-Agent header, at most 512 characters."),
    browser: z.string().describe('A short summary of the user agent, such as "Firefox on Linux".'),
    signedInAt: isoTime,
    lastUsedAt: isoTime.describe('When the session was last used, to the minute.'),
    expiresAt: isoTime,
  })
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

export type UserView = z.infer<typeof userView>;
export type ScopeView = z.infer<typeof scopeView>;
export type TokenSettingsView = z.infer<typeof tokenSettingsView>;
export type GrantView = z.infer<typeof grantView>;
export type SessionView = z.infer<typeof sessionView>;
export type AuditEventView = z.infer<typeof auditEventView>;
