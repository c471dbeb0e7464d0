import { z } from 'zod';
import * as apps from './applications.ts';
import * as dir from './directory.ts';
import { type ApiResult, type ApiRoute, type NamedSchemas, route } from './api-route.ts';
import { KEY_ROUTES, KEY_SCHEMAS } from './keys-api.ts';
import { REGISTRATION_TOKEN_ROUTES, REGISTRATION_TOKEN_SCHEMAS } from './registration-tokens-api.ts';
import { RESOURCE_ROUTES, RESOURCE_SCHEMAS } from './resources-api.ts';
import { TRUSTED_ISSUER_ROUTES, TRUSTED_ISSUER_SCHEMAS } from './trusted-issuers-api.ts';
import { parseTime } from './schemas.ts';
import * as s from './schemas.ts';
import * as users from './users.ts';

/**
 * The admin API as a table: method, path, schemas, handler. src/http/admin-routes.ts registers it and openapi.ts
 * describes it, from the same zod schemas the routes validate with. JSON in and out, camelCase, times in ISO 8601.
 */

export type { ApiInput, ApiResult, ApiRoute, Method, Tag } from './api-route.ts';

const ok = (body: unknown): ApiResult => ({ status: 200, body });
const noContent: ApiResult = { status: 204 };
const param = (input: { params: Readonly<Record<string, string>> }, name: string): string => input.params[name] ?? '';
const DEFAULT_LIMIT = 20;

const applicationPage = s.pageOf(s.applicationView);
const userPage = s.pageOf(s.userView);
const grantPage = s.pageOf(s.grantView);
const sessionPage = s.pageOf(s.sessionView);
const auditPage = s.pageOf(s.auditEventView);
const scopeList = z.object({ items: z.array(s.scopeView) }).strict();

/** Schemas named in the OpenAPI document's components. */
export const NAMED_SCHEMAS: NamedSchemas = [
  ['ApplicationCreate', s.applicationCreate, 'input'],
  ['ApplicationUpdate', s.applicationUpdate, 'input'],
  ['UserCreate', s.userCreate, 'input'],
  ['UserUpdate', s.userUpdate, 'input'],
  ['PasswordReset', s.passwordReset, 'input'],
  ['SecretRotation', s.secretRotation, 'input'],
  ['ScopeSave', s.scopeSave, 'input'],
  ['TokenSettingsUpdate', s.tokenSettingsUpdate, 'input'],
  ['Application', s.applicationView, 'output'],
  ['ApplicationWithSecret', s.applicationWithSecret, 'output'],
  ['ApplicationPage', applicationPage, 'output'],
  ['User', s.userView, 'output'],
  ['UserWithPassword', s.userWithPassword, 'output'],
  ['UserPage', userPage, 'output'],
  ['Scope', s.scopeView, 'output'],
  ['ScopeList', scopeList, 'output'],
  ['TokenSettings', s.tokenSettingsView, 'output'],
  ['Grant', s.grantView, 'output'],
  ['GrantPage', grantPage, 'output'],
  ['Session', s.sessionView, 'output'],
  ['SessionPage', sessionPage, 'output'],
  ['AuditEvent', s.auditEventView, 'output'],
  ['AuditEventPage', auditPage, 'output'],
  ['Error', s.errorView, 'output'],
  ...KEY_SCHEMAS,
  ...REGISTRATION_TOKEN_SCHEMAS,
  ...RESOURCE_SCHEMAS,
  ...TRUSTED_ISSUER_SCHEMAS,
];

export const API_ROUTES: readonly ApiRoute[] = [
  // Applications
  route({
    method: 'GET', path: '/applications', operationId: 'listApplications', tag: 'Applications',
    summary: 'List applications', description: 'Oldest first. `q` matches the client id or the name.',
    query: s.listQuery,
    responses: { 200: { description: 'A page of applications', schema: applicationPage } },
    handle: async (ctx, { query }) => ok(await apps.listApplications(ctx, query.q, query.limit ?? DEFAULT_LIMIT, query.cursor)),
  }),
  route({
    method: 'POST', path: '/applications', operationId: 'createApplication', tag: 'Applications',
    summary: 'Register an application',
    description: 'A confidential application gets a generated secret, returned in this response only.',
    body: s.applicationCreate, bodyFor: (issuer) => s.applicationSchemasFor(issuer).create, conflicts: true,
    responses: { 201: { description: 'Created; store clientSecret now', schema: s.applicationWithSecret } },
    handle: async (ctx, { body }) => ({ status: 201, body: await apps.createApplication(ctx, body) }),
  }),
  route({
    method: 'GET', path: '/applications/{id}', operationId: 'getApplication', tag: 'Applications',
    summary: 'Read an application (never its secret)',
    responses: { 200: { description: 'The application', schema: s.applicationView } },
    handle: async (ctx, input) => ok(apps.applicationView(await apps.findApplication(ctx, param(input, 'id')), ctx.deps)),
  }),
  route({
    method: 'PATCH', path: '/applications/{id}', operationId: 'updateApplication', tag: 'Applications',
    summary: 'Change an application', description: 'The fields present replace the stored ones.',
    body: s.applicationUpdate, bodyFor: (issuer) => s.applicationSchemasFor(issuer).update, conflicts: true,
    responses: { 200: { description: 'The changed application', schema: s.applicationView } },
    handle: async (ctx, input) => ok(await apps.updateApplication(ctx, param(input, 'id'), input.body)),
  }),
  route({
    method: 'DELETE', path: '/applications/{id}', operationId: 'deleteApplication', tag: 'Applications',
    summary: 'Delete an application', description: 'Revokes every grant and token it was issued.',
    conflicts: true,
    responses: { 204: { description: 'Deleted' } },
    handle: async (ctx, input) => (await apps.deleteApplication(ctx, param(input, 'id')), noContent),
  }),
  route({
    method: 'POST', path: '/applications/{id}/rotate-secret', operationId: 'rotateApplicationSecret', tag: 'Applications',
    summary: 'Replace the client secret',
    description: 'The new secret is in this response only. The old one stops working at once, or after `graceSeconds` (the application then shows `previousSecretExpiresAt`).',
    body: s.secretRotation, bodyOptional: true, conflicts: true,
    responses: { 200: { description: 'The new secret', schema: s.applicationWithSecret } },
    handle: async (ctx, input) => ok(await apps.rotateSecret(ctx, param(input, 'id'), input.body.graceSeconds)),
  }),

  route({
    method: 'POST', path: '/applications/{id}/disable', operationId: 'disableApplication', tag: 'Applications',
    summary: 'Disable an application',
    description: 'Refused at the authorization, token and introspection endpoints, and its tokens are inactive, until it is enabled again. Meant for clients that registered themselves (origin dynamic or metadata-document).',
    conflicts: true,
    responses: { 200: { description: 'The disabled application', schema: s.applicationView } },
    handle: async (ctx, input) => ok(await apps.setApplicationDisabled(ctx, param(input, 'id'), true)),
  }),
  route({
    method: 'POST', path: '/applications/{id}/enable', operationId: 'enableApplication', tag: 'Applications',
    summary: 'Enable a disabled application',
    conflicts: true,
    responses: { 200: { description: 'The enabled application', schema: s.applicationView } },
    handle: async (ctx, input) => ok(await apps.setApplicationDisabled(ctx, param(input, 'id'), false)),
  }),

  // Users
  route({
    method: 'GET', path: '/users', operationId: 'listUsers', tag: 'Users',
    summary: 'List users', description: 'By username. `q` matches the username, the name or the email address.',
    query: s.listQuery,
    responses: { 200: { description: 'A page of users', schema: userPage } },
    handle: async (ctx, { query }) => ok(await users.listUsers(ctx, query.q, query.limit ?? DEFAULT_LIMIT, query.cursor)),
  }),
  route({
    method: 'POST', path: '/users', operationId: 'createUser', tag: 'Users',
    summary: 'Add a user', description: 'Without a password, one is generated and returned in this response only.',
    body: s.userCreate, conflicts: true,
    responses: { 201: { description: 'Created', schema: s.userWithPassword } },
    handle: async (ctx, { body }) => ({ status: 201, body: await users.createUser(ctx, body) }),
  }),
  route({
    method: 'GET', path: '/users/{id}', operationId: 'getUser', tag: 'Users',
    summary: 'Read a user',
    responses: { 200: { description: 'The user', schema: s.userView } },
    handle: async (ctx, input) => ok(users.userView(await users.findUser(ctx, param(input, 'id')), ctx.deps)),
  }),
  route({
    method: 'PATCH', path: '/users/{id}', operationId: 'updateUser', tag: 'Users',
    summary: 'Change a user', description: 'You cannot remove your own administrator rights, nor the last administrator\'s.',
    body: s.userUpdate, conflicts: true,
    responses: { 200: { description: 'The changed user', schema: s.userView } },
    handle: async (ctx, input) => ok(await users.updateUser(ctx, param(input, 'id'), input.body)),
  }),
  route({
    method: 'DELETE', path: '/users/{id}', operationId: 'deleteUser', tag: 'Users',
    summary: 'Delete a user', description: 'Ends their sessions and revokes their tokens.',
    conflicts: true,
    responses: { 204: { description: 'Deleted' } },
    handle: async (ctx, input) => (await users.deleteUser(ctx, param(input, 'id')), noContent),
  }),
  route({
    method: 'POST', path: '/users/{id}/disable', operationId: 'disableUser', tag: 'Users',
    summary: 'Disable a user', description: 'They cannot sign in; their sessions end and their tokens are revoked.',
    conflicts: true,
    responses: { 200: { description: 'The user', schema: s.userView } },
    handle: async (ctx, input) => ok(await users.disableUser(ctx, param(input, 'id'))),
  }),
  route({
    method: 'POST', path: '/users/{id}/enable', operationId: 'enableUser', tag: 'Users',
    summary: 'Enable a disabled user',
    responses: { 200: { description: 'The user', schema: s.userView } },
    handle: async (ctx, input) => ok(await users.enableUser(ctx, param(input, 'id'))),
  }),
  route({
    method: 'POST', path: '/users/{id}/reset-password', operationId: 'resetUserPassword', tag: 'Users',
    summary: "Set a user's password", description: 'Without a password, one is generated and returned in this response only. Ends their sessions.',
    body: s.passwordReset, bodyOptional: true,
    responses: { 200: { description: 'Done', schema: s.userWithPassword } },
    handle: async (ctx, input) => ok(await users.resetPassword(ctx, param(input, 'id'), input.body)),
  }),
  route({
    method: 'DELETE', path: '/users/{id}/sessions', operationId: 'endUserSessions', tag: 'Grants and sessions',
    summary: 'Sign a user out everywhere', description: 'Ends every SSO session of the user; tokens stay valid until revoked.',
    responses: { 204: { description: 'Done' } },
    handle: async (ctx, input) => (await dir.endUserSessions(ctx, param(input, 'id')), noContent),
  }),

  // Scopes
  route({
    method: 'GET', path: '/scopes', operationId: 'listScopes', tag: 'Scopes',
    summary: 'List scopes',
    responses: { 200: { description: 'Every scope', schema: scopeList } },
    handle: async (ctx) => ok({ items: await dir.listScopes(ctx) }),
  }),
  route({
    method: 'PUT', path: '/scopes/{name}', operationId: 'saveScope', tag: 'Scopes',
    summary: 'Create or replace a scope', body: s.scopeSave, conflicts: true,
    responses: { 200: { description: 'Replaced', schema: s.scopeView }, 201: { description: 'Created', schema: s.scopeView } },
    handle: async (ctx, input) => {
      const { scope, created } = await dir.saveScope(ctx, param(input, 'name'), input.body);
      return { status: created ? 201 : 200, body: scope };
    },
  }),
  route({
    method: 'DELETE', path: '/scopes/{name}', operationId: 'deleteScope', tag: 'Scopes',
    summary: 'Delete a scope', description: 'Refused while an application lists it, and for the built-in admin scope.',
    conflicts: true,
    responses: { 204: { description: 'Deleted' } },
    handle: async (ctx, input) => (await dir.deleteScope(ctx, param(input, 'name')), noContent),
  }),

  // Token settings
  route({
    method: 'GET', path: '/settings/tokens', operationId: 'getTokenSettings', tag: 'Token settings',
    summary: 'Global token lifetimes', description: "Applications without their own lifetimes use these.",
    responses: { 200: { description: 'The settings in force', schema: s.tokenSettingsView } },
    handle: async (ctx) => ok(await dir.tokenSettings(ctx)),
  }),
  route({
    method: 'PATCH', path: '/settings/tokens', operationId: 'updateTokenSettings', tag: 'Token settings',
    summary: 'Change global token lifetimes', description: "Applies to tokens issued from now on. null goes back to the configuration file's value.",
    body: s.tokenSettingsUpdate,
    responses: { 200: { description: 'The settings in force', schema: s.tokenSettingsView } },
    handle: async (ctx, { body }) => ok(await dir.updateTokenSettings(ctx, body)),
  }),

  // Grants and sessions
  route({
    method: 'GET', path: '/grants', operationId: 'listGrants', tag: 'Grants and sessions',
    summary: 'List grants', description: 'Newest first; by default only grants that still hold a usable token.',
    query: s.grantsQuery,
    responses: { 200: { description: 'A page of grants', schema: grantPage } },
    handle: async (ctx, { query }) =>
      ok(await dir.listGrants(ctx, { userId: query.userId, clientId: query.clientId, activeOnly: query.active !== 'false' }, query.limit ?? DEFAULT_LIMIT, query.cursor)),
  }),
  route({
    method: 'DELETE', path: '/grants/{id}', operationId: 'revokeGrant', tag: 'Grants and sessions',
    summary: 'Revoke a grant', description: 'Revokes every access and refresh token issued under it.',
    responses: { 204: { description: 'Revoked' } },
    handle: async (ctx, input) => (await dir.revokeGrant(ctx, param(input, 'id')), noContent),
  }),
  route({
    method: 'GET', path: '/sessions', operationId: 'listSessions', tag: 'Grants and sessions',
    summary: 'List SSO sessions', description: 'Unexpired sessions, newest first.',
    query: s.sessionsQuery,
    responses: { 200: { description: 'A page of sessions', schema: sessionPage } },
    handle: async (ctx, { query }) => ok(await dir.listSessions(ctx, query.userId, query.limit ?? DEFAULT_LIMIT, query.cursor)),
  }),
  route({
    method: 'DELETE', path: '/sessions/{id}', operationId: 'revokeSession', tag: 'Grants and sessions',
    summary: 'End a session', description: 'The person must sign in again; tokens already issued stay valid until revoked.',
    responses: { 204: { description: 'Ended' } },
    handle: async (ctx, input) => (await dir.revokeSession(ctx, param(input, 'id')), noContent),
  }),

  // Audit log
  route({
    method: 'GET', path: '/audit-events', operationId: 'listAuditEvents', tag: 'Audit log',
    summary: 'Read the audit log', description: 'Newest first. Administrative actions and security events; never a secret.',
    query: s.auditQuery,
    responses: { 200: { description: 'A page of events', schema: auditPage } },
    handle: async (ctx, { query }) =>
      ok(
        await dir.listAuditEvents(
          ctx,
          {
            type: query.type,
            actorUserId: query.actor,
            clientId: query.client,
            userId: query.user,
            since: query.since === undefined ? undefined : parseTime(query.since),
            until: query.until === undefined ? undefined : parseTime(query.until),
          },
          query.limit ?? DEFAULT_LIMIT,
          query.cursor,
        ),
      ),
  }),
  ...KEY_ROUTES,
  ...REGISTRATION_TOKEN_ROUTES,
  ...RESOURCE_ROUTES,
  ...TRUSTED_ISSUER_ROUTES,
];
