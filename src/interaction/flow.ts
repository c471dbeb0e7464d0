import { completeAuthorization, errorResponse, type AuthorizationResponse } from '../core/authorize/respond.ts';
import {
  AuthorizeErrorPage,
  AuthorizeErrorRedirect,
  validateAuthorizationRequest,
  type AuthorizationRequest,
} from '../core/authorize/request.ts';
import type { CoreDeps, Params } from '../core/context.ts';
import { randomToken, credentialKey, sha256 } from '../core/crypto.ts';
import { AccessDenied, ConsentRequired, LoginRequired, type OAuthError } from '../core/errors.ts';
import type { Client, Scope, User } from '../core/model.ts';
import { ADMIN_SCOPE, isSubset } from '../core/scope.ts';
import type { Interaction } from '../storage/repositories.ts';
import { noteSessionUse } from './session-use.ts';
import { isFirstParty } from './first-party.ts';

/**
 * The browser side of the authorization endpoint: decide whether the user must log in, consent, or can be sent
 * straight back to the client. State between pages lives in an `interactions` row bound to the browser.
 */

export type FlowDeps = CoreDeps;

export type Step =
  | { kind: 'error_page'; error: OAuthError }
  | { kind: 'respond'; response: AuthorizationResponse }
  | { kind: 'login'; interactionId: string; client: Client; error?: string; status?: number; username?: string }
  | { kind: 'consent'; interactionId: string; client: Client; user: User; scopes: Scope[] };

export interface BrowserState {
  /** The long-lived browser-binding cookie value. */
  browser: string;
  /** The SSO session cookie value, if any. */
  session: string | undefined;
  /** The request's address, for the audit log. */
  address?: string | undefined;
}

export async function knownScopes(deps: FlowDeps): Promise<Set<string>> {
  return new Set((await deps.repos.scopes.list()).map((s) => s.name));
}

/** GET/POST /authorize. */
export async function authorize(deps: FlowDeps, params: Params, browser: BrowserState): Promise<Step> {
  let validated: { request: AuthorizationRequest; client: Client };
  try {
    validated = await validateAuthorizationRequest(deps, params, { knownScopes: await knownScopes(deps) });
  } catch (err) {
    if (err instanceof AuthorizeErrorPage) return { kind: 'error_page', error: err.cause };
    if (err instanceof AuthorizeErrorRedirect) return { kind: 'respond', response: errorResponse(deps.config.issuer, err, err.cause) };
    throw err;
  }
  const { request, client } = validated;
  const interaction: Interaction = {
    id: randomToken('interaction'),
    browserHash: sha256(browser.browser),
    request: JSON.stringify(request),
    userId: null,
    authTime: null,
    expiresAt: deps.clock.now() + deps.config.session.interactionTtl,
  };
  return next(deps, client, request, interaction, browser, false);
}

/** GET /interaction/:id — continue where the user is. */
export async function resume(deps: FlowDeps, interactionId: string, browser: BrowserState): Promise<Step> {
  const found = await loadInteraction(deps, interactionId, browser);
  if ('error' in found) return { kind: 'error_page', error: found.error };
  return next(deps, found.client, found.request, found.interaction, browser, true);
}

export async function loadInteraction(
  deps: FlowDeps,
  interactionId: string,
  browser: BrowserState,
): Promise<{ interaction: Interaction; request: AuthorizationRequest; client: Client } | { error: OAuthError }> {
  const interaction = await deps.repos.interactions.find(interactionId, deps.clock.now());
  // Only the browser that started the request can continue it (stops a link being handed to a victim).
  if (!interaction || interaction.browserHash !== sha256(browser.browser)) {
    return { error: new AccessDenied('This sign-in request has expired or was started in another browser. Go back to the application and try again.') };
  }
  const request = JSON.parse(interaction.request) as AuthorizationRequest;
  const client = await deps.repos.clients.findById(request.clientId);
  if (!client) return { error: new AccessDenied('The application no longer exists.') };
  return { interaction, request, client };
}

async function currentUser(deps: FlowDeps, request: AuthorizationRequest, interaction: Interaction, browser: BrowserState) {
  if (interaction.userId !== null && interaction.authTime !== null) {
    const user = await deps.repos.users.findById(interaction.userId);
    return user && { user, authTime: interaction.authTime };
  }
  if (request.prompt.includes('login') || browser.session === undefined) return undefined;
  const session = await deps.repos.sessions.findActive(credentialKey(browser.session), deps.clock.now());
  if (!session) return undefined;
  await noteSessionUse(deps.repos, session, deps.clock.now());
  const user = await deps.repos.users.findById(session.userId);
  return user && { user, authTime: session.authTime };
}

async function next(
  deps: FlowDeps,
  client: Client,
  request: AuthorizationRequest,
  interaction: Interaction,
  browser: BrowserState,
  stored: boolean,
): Promise<Step> {
  const deny = (err: OAuthError): Step => ({ kind: 'respond', response: errorResponse(deps.config.issuer, { ...request }, err) });
  const persist = async () => {
    if (!stored) await deps.repos.interactions.create(interaction);
  };
  const current = await currentUser(deps, request, interaction, browser);
  if (!current) {
    if (request.prompt.includes('none')) return deny(new LoginRequired('the user is not signed in'));
    await persist();
    return { kind: 'login', interactionId: interaction.id, client };
  }
  // The admin API's scope goes to administrators only: anyone else is refused before any consent is asked.
  if (request.scope.includes(ADMIN_SCOPE) && !current.user.isAdmin) {
    deps.audit.record({ type: 'authorization.denied', actorUserId: current.user.id, clientId: client.id, ip: browser.address, details: { reason: 'admin_scope_not_administrator' } });
    return deny(new AccessDenied('only administrators may be granted the admin scope'));
  }
  // Consent is asked when none covers the requested scopes, or when prompt=consent asks for it anew; never for
  // Latchkey's own console and account page asking for what they are registered for (nothing more, even if crafted).
  const consent = await deps.repos.consents.find(current.user.id, client.id);
  const firstParty = isFirstParty(client.id) && isSubset(request.scope, client.scopes);
  const consentNeeded = !firstParty && (request.prompt.includes('consent') || !consent || !isSubset(request.scope, consent.scope));
  if (consentNeeded) {
    if (request.prompt.includes('none')) return deny(new ConsentRequired('the user has not approved this application'));
    await persist();
    return { kind: 'consent', interactionId: interaction.id, client, user: current.user, scopes: await deps.repos.scopes.findMany(request.scope) };
  }
  if (stored) await deps.repos.interactions.delete(interaction.id);
  return { kind: 'respond', response: await completeAuthorization(deps, client, request, { id: current.user.id, authTime: current.authTime }) };
}

/** POST /interaction/:id/consent. Deny sends access_denied (RFC 6749 §4.1.2.1); Allow remembers the consent. */
export async function decideConsent(deps: FlowDeps, interactionId: string, browser: BrowserState, allow: boolean): Promise<Step> {
  const found = await loadInteraction(deps, interactionId, browser);
  if ('error' in found) return { kind: 'error_page', error: found.error };
  const { interaction, request, client } = found;
  const current = await currentUser(deps, request, interaction, browser);
  if (!current) return next(deps, client, request, interaction, browser, true);
  await deps.repos.interactions.delete(interaction.id);
  const audit = { actorUserId: current.user.id, clientId: client.id, ip: browser.address };
  if (!allow) {
    deps.audit.record({ type: 'consent.denied', ...audit, details: { scope: request.scope } });
    return { kind: 'respond', response: errorResponse(deps.config.issuer, request, new AccessDenied('the user denied the request')) };
  }
  const previous = await deps.repos.consents.find(current.user.id, client.id);
  const scope = [...new Set([...(previous?.scope ?? []), ...request.scope])];
  await deps.repos.consents.upsert({ userId: current.user.id, clientId: client.id, scope, grantedAt: deps.clock.now() });
  deps.audit.record({ type: 'consent.granted', ...audit, details: { scope } });
  return { kind: 'respond', response: await completeAuthorization(deps, client, request, { id: current.user.id, authTime: current.authTime }) };
}
