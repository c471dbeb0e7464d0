import type { z } from 'zod';
import { isoTime } from '../core/clock.ts';
import { randomId, randomToken } from '../core/crypto.ts';
import { clientSettings, defaultResponseTypes, isDisabled, originOf, responseTypeWords, type Client, type OidcClientMetadata } from '../core/model.ts';
import { oidcMetadataProblems } from '../core/oidc/client-metadata.ts';
import { tokenExchangeProblems } from '../core/token-exchange/policy-rules.ts';
import { storedSecret } from '../core/client-auth/secret-encryption.ts';
import { assertionAuthOf, clientAuthProblems, type ClientAuthFields } from '../core/client-auth/metadata.ts';
import type { Page } from '../core/admin-repositories.ts';
import type { ClientPatch } from '../core/repositories.ts';
import { isFirstParty } from './built-in.ts';
import { type AdminContext, type AdminDeps, recordAction } from './context.ts';
import { conflict, invalidFields, notFound } from './errors.ts';
import type { ApplicationView, applicationCreate, applicationUpdate } from './schemas.ts';

/** Applications (OAuth clients): list, read, create, update, delete, rotate the secret. A secret is shown once. */

export function applicationView(c: Client, deps: Pick<AdminDeps, 'config' | 'clock'>): ApplicationView {
  const previous = c.previousSecret;
  return {
    ...clientSettings(c),
    hasSecret: c.secretHash !== null,
    builtIn: isFirstParty(c.id),
    disabled: isDisabled(c),
    declaredInConfig: deps.config.clients.some((d) => d.id === c.id),
    // Only while it still works (core/client-auth/previous-secret.ts checks the same bound).
    previousSecretExpiresAt: previous && deps.clock.now() < previous.expiresAt ? isoTime(previous.expiresAt) : null,
    ...documentView(c),
  };
}

export async function listApplications(ctx: AdminContext, q: string | undefined, limit: number, cursor: string | undefined): Promise<Page<ApplicationView>> {
  const page = await ctx.deps.repos.listings.clients(q, { limit, cursor });
  return { items: page.items.map((c) => applicationView(c, ctx.deps)), nextCursor: page.nextCursor };
}

export async function findApplication(ctx: AdminContext, id: string): Promise<Client> {
  const client = await ctx.deps.repos.clients.findById(id);
  if (!client) throw notFound('application');
  return client;
}

/** Built-in applications are Latchkey's own console and account page: changing them would lock people out. */
function refuseBuiltIn(client: Client): void {
  if (isFirstParty(client.id)) throw conflict(`${client.id} is built into Latchkey and cannot be changed`);
}

type Shape = Pick<Client, 'type' | 'redirectUris' | 'grantTypes' | 'responseTypes' | 'scopes' | 'requirePkce' | 'oidc' | 'tokenExchange'>;

/** The OpenID Connect members of the API's flat input, as the client's `oidc` metadata (only those present). */
const OIDC_KEYS = ['idTokenSignedResponseAlg', 'userinfoSignedResponseAlg', 'subjectType', 'defaultMaxAge', 'requireAuthTime', 'postLogoutRedirectUris', 'backchannelLogoutUri', 'backchannelLogoutSessionRequired'] as const;
function splitOidc(input: Record<string, unknown>): { rest: Record<string, unknown>; oidc: Partial<OidcClientMetadata> | undefined } {
  const rest: Record<string, unknown> = {};
  const oidc: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    if (v === undefined) continue;
    if ((OIDC_KEYS as readonly string[]).includes(k)) oidc[k] = v;
    else rest[k] = v;
  }
  return { rest, oidc: Object.keys(oidc).length > 0 ? (oidc as Partial<OidcClientMetadata>) : undefined };
}

/**
 * Rules for an application as a whole, checked on create and on the result of an update; each names its field.
 * Dynamic client registration (registered-clients.ts) checks with the same rules.
 */
export async function checkApplication(ctx: { deps: Pick<AdminDeps, 'repos' | 'config'> }, c: Shape & { auth?: ClientAuthFields }, scopesChanged: boolean, policyChanged = true): Promise<void> {
  const fields: Record<string, string> = {};
  if (c.grantTypes.length === 0) fields['grantTypes'] = 'choose at least one grant type';
  else if (c.type === 'public' && c.grantTypes.includes('client_credentials')) {
    fields['grantTypes'] = 'client_credentials is for confidential clients only (RFC 6749 §4.4)';
  } else if (c.responseTypes.some((rt) => responseTypeWords(rt).code) && !c.grantTypes.includes('authorization_code')) {
    fields['grantTypes'] = 'the code response type needs the authorization_code grant to redeem the code';
  }
  if (c.grantTypes.includes('authorization_code') && c.redirectUris.length === 0) {
    fields['redirectUris'] = 'add at least one redirect URI for the authorization code grant';
  }
  if (c.grantTypes.includes('authorization_code') && !c.responseTypes.some((rt) => responseTypeWords(rt).code)) {
    fields['responseTypes'] = 'the authorization code grant needs the code response type';
  }
  if (c.type === 'public' && c.requirePkce === false) fields['requirePkce'] = 'a public client always uses PKCE (RFC 9700 §2.1.1)';
  const known = new Set((await ctx.deps.repos.scopes.list()).map((s) => s.name));
  const unknown = scopesChanged ? c.scopes.filter((s) => !known.has(s)) : [];
  if (unknown.length > 0) fields['scopes'] = `unknown scope${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`;
  Object.assign(fields, oidcMetadataProblems(c, ctx.deps.config.oidc));
  if (c.tokenExchange) {
    // Its resources only when the policy changes, as for scopes: a resource deleted since does not block other edits.
    const exchange = tokenExchangeProblems(c, policyChanged ? (await ctx.deps.repos.resources.list()).map((r) => r.id) : undefined);
    if (exchange.grantTypes !== undefined) fields['tokenExchange'] = exchange.grantTypes;
    if (exchange.resources !== undefined) fields['tokenExchange.resources'] = exchange.resources;
  }
  if (c.auth) Object.assign(fields, clientAuthProblems(c.auth, ctx.deps.config.clientAssertions));
  if (Object.keys(fields).length > 0) throw invalidFields(fields);
}

export async function createApplication(
  ctx: AdminContext,
  input: z.output<typeof applicationCreate>,
): Promise<{ application: ApplicationView; clientSecret?: string }> {
  const { repos, clock } = ctx.deps;
  const id = input.id ?? randomId(12);
  if (await repos.clients.findById(id)) throw conflict('an application with this id already exists', { id: 'an application with this id already exists' });
  const { oidc } = splitOidc(input);
  const auth: ClientAuthFields = { type: input.type, hasSecret: false, method: input.tokenEndpointAuthMethod, signingAlg: input.tokenEndpointAuthSigningAlg, jwks: input.jwks, jwksUri: input.jwksUri };
  const responseTypes = input.responseTypes ?? defaultResponseTypes(input.grantTypes);
  await checkApplication(ctx, { ...input, responseTypes, oidc, auth }, true);
  const assertionAuth = assertionAuthOf(auth);
  // A private_key_jwt application proves itself with its keys: it gets no secret (RFC 7523 §2.2).
  const clientSecret = input.type === 'confidential' && !assertionAuth ? randomToken('clientSecret') : undefined;
  const hmac = input.tokenEndpointAuthMethod === 'client_secret_jwt';
  // client_secret_jwt: the secret is also kept encrypted under the KEK, to verify HMAC assertions (RFC 7523 §2.2).
  const secret = clientSecret === undefined ? { secretHash: null } : storedSecret(clientSecret, id, input.tokenEndpointAuthMethod, ctx.deps.kek);
  const client = await repos.clients.create(
    {
      id,
      name: input.name,
      type: input.type,
      ...secret,
      ...(hmac ? { tokenEndpointAuthMethod: 'client_secret_jwt' as const } : {}),
      redirectUris: input.redirectUris,
      grantTypes: [...new Set(input.grantTypes)],
      responseTypes: [...new Set(responseTypes)],
      scopes: [...new Set(input.scopes)],
      accessTokenTtl: input.accessTokenTtl,
      refreshTokenTtl: input.refreshTokenTtl,
      codeTtl: input.codeTtl,
      requirePkce: input.requirePkce,
      introspectAny: input.introspectAny,
      requirePushedAuthorizationRequests: input.requirePushedAuthorizationRequests,
      requireSignedRequestObject: input.requireSignedRequestObject,
      dpopBoundAccessTokens: input.dpopBoundAccessTokens,
      tokenExchange: input.tokenExchange,
      oidc,
      assertionAuth,
    },
    clock.now(),
  );
  recordAction(ctx, { type: 'client.created', clientId: id, details: { name: client.name, clientType: client.type, scopes: client.scopes } });
  return { application: applicationView(client, ctx.deps), ...(clientSecret === undefined ? {} : { clientSecret }) };
}

export async function updateApplication(ctx: AdminContext, id: string, patch: z.output<typeof applicationUpdate>): Promise<ApplicationView> {
  const existing = await findApplication(ctx, id);
  refuseBuiltIn(existing);
  // Its document says what it is, and the next fetch would undo an edit; it can be disabled (setApplicationDisabled).
  if (existing.origin === 'metadata-document') throw conflict('this client is described by its metadata document and cannot be edited; disable it instead');
  const changes: ClientPatch = {};
  const { tokenEndpointAuthSigningAlg, jwks, jwksUri, ...plain } = patch;
  const { rest, oidc } = splitOidc(plain);
  for (const [key, value] of Object.entries(rest)) (changes as Record<string, unknown>)[key] = Array.isArray(value) ? [...new Set(value)] : value;
  if (oidc) changes.oidc = { ...existing.oidc, ...oidc };
  // The keys change; the method does not (it was chosen at creation, as the type was).
  let auth: ClientAuthFields | undefined;
  if (tokenEndpointAuthSigningAlg !== undefined || jwks !== undefined || jwksUri !== undefined) {
    const was = existing.assertionAuth;
    auth = {
      type: existing.type,
      hasSecret: existing.secretHash !== null,
      method: was?.method ?? null,
      signingAlg: tokenEndpointAuthSigningAlg !== undefined ? tokenEndpointAuthSigningAlg : was?.signingAlg,
      jwks: jwks !== undefined ? jwks : was?.jwks,
      jwksUri: jwksUri !== undefined ? jwksUri : was?.jwksUri,
    };
    changes.assertionAuth = assertionAuthOf(auth);
  }
  await checkApplication(ctx, { ...existing, ...changes, ...(auth ? { auth } : {}) }, changes.scopes !== undefined, changes.tokenExchange !== undefined);
  const updated = await ctx.deps.repos.clients.update(id, changes, ctx.deps.clock.now());
  if (!updated) throw notFound('application');
  recordAction(ctx, { type: 'client.updated', clientId: id, details: { fields: Object.keys(changes) } });
  return applicationView(updated, ctx.deps);
}

/** Deletes the application and revokes everything it was issued (repos.clients.delete). */
export async function deleteApplication(ctx: AdminContext, id: string): Promise<void> {
  refuseBuiltIn(await findApplication(ctx, id));
  const revoked = await ctx.deps.repos.clients.delete(id, ctx.deps.clock.now());
  if (revoked === undefined) throw notFound('application');
  recordAction(ctx, { type: 'client.deleted', clientId: id, details: { revokedTokens: revoked } });
}

/**
 * A new secret, returned in this response only. The old one stops working at once, or after `graceSeconds` (as
 * Keycloak's rotated secrets: time to roll the new one out). Only the secret just replaced gets a grace: a second
 * rotation ends the first one's, so at most two secrets work at any time.
 */
export async function rotateSecret(ctx: AdminContext, id: string, graceSeconds = 0): Promise<{ application: ApplicationView; clientSecret: string }> {
  const client = await findApplication(ctx, id);
  refuseBuiltIn(client);
  if (client.type === 'public' || client.secretHash === null) throw conflict('a public application has no secret to rotate');
  const now = ctx.deps.clock.now();
  const clientSecret = randomToken('clientSecret');
  const previousSecret = graceSeconds > 0 ? { hash: client.secretHash, expiresAt: now + graceSeconds } : null;
  // A client_secret_jwt client's HMAC key changes at once: only the old secret's hash is kept for the grace, so the old
  // secret keeps working for Basic and POST only, which such a client does not use (README).
  const updated = await ctx.deps.repos.clients.update(id, { ...storedSecret(clientSecret, id, client.tokenEndpointAuthMethod, ctx.deps.kek), previousSecret }, now);
  if (!updated) throw notFound('application');
  recordAction(ctx, {
    type: 'client.secret_rotated',
    clientId: id,
    details: { graceSeconds, previousSecretExpiresAt: previousSecret === null ? null : isoTime(previousSecret.expiresAt) },
  });
  return { application: applicationView(updated, ctx.deps), clientSecret };
}

/** Where the client came from, and for a metadata-document client the state of its document. */
function documentView(c: Client): Pick<ApplicationView, 'origin' | 'metadataDocument'> {
  const d = c.metadataDocument;
  if (c.origin !== 'metadata-document' || !d) return { origin: originOf(c), metadataDocument: null };
  return {
    origin: 'metadata-document',
    metadataDocument: { fetchedAt: isoTime(d.fetchedAt), expiresAt: isoTime(d.expiresAt), logoUri: d.logoUri, clientUri: d.clientUri },
  };
}

/**
 * Disables or enables an application, whatever its origin (a client that registered itself or was made from its
 * metadata document, typically). Disabled, it is refused at the authorization, token and introspection endpoints and
 * its tokens are inactive; a metadata-document client's document is not fetched meanwhile. Nothing is deleted, so
 * enabling restores it as it was; a metadata-document client's document is then fetched afresh before its next use
 * (it may have changed, or been withdrawn, while the client was disabled). Deleting such a client would not keep it
 * out: the next request with its URL would make it again.
 */
export async function setApplicationDisabled(ctx: AdminContext, id: string, disabled: boolean): Promise<ApplicationView> {
  const existing = await findApplication(ctx, id);
  refuseBuiltIn(existing);
  const now = ctx.deps.clock.now();
  const doc = existing.metadataDocument;
  const refetch = !disabled && existing.origin === 'metadata-document' && doc ? { metadataDocument: { ...doc, expiresAt: now } } : {};
  const updated = await ctx.deps.repos.clients.update(id, { disabledAt: disabled ? now : null, ...refetch }, now);
  if (!updated) throw notFound('application');
  recordAction(ctx, { type: disabled ? 'client.disabled' : 'client.enabled', clientId: id, details: { name: updated.name } });
  return applicationView(updated, ctx.deps);
}
