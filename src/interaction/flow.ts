import { completeAuthorization, errorResponse, type AuthorizationResponse } from '../core/authorize/respond.ts';
import {
  AuthorizeErrorPage,
  AuthorizeErrorRedirect,
  validateAuthorizationRequest,
  type AuthorizationRequest,
} from '../core/authorize/request.ts';
import type { CoreDeps, Params } from '../core/context.ts';
import { enforceRequestPolicy, resolveAuthorizationParams, type RequestOrigin } from '../core/authorize/par.ts';
import { randomToken, credentialKey, sha256 } from '../core/crypto.ts';
import { AccessDenied, ConsentRequired, InvalidRequest, LoginRequired, UnmetAuthenticationRequirements, type OAuthError } from '../core/errors.ts';
import type { Keyring } from '../core/keys/keyring.ts';
import { meetsEssential, sessionStrength, type SignInStrength } from '../core/oidc/acr.ts';
import { subjectFor } from '../core/oidc/subject.ts';
import type { Client, Scope, User } from '../core/model.ts';
import { formatScope, isSubset } from '../core/scope.ts';
import { refusal } from '../core/user-standing.ts';
import type { Interaction } from '../core/repositories.ts';
import { applicationUrl, type ErrorHelp } from './error-help.ts';
import { noteSessionUse } from './session-use.ts';
import { isFirstParty } from './first-party.ts';
import { hintedSubject, offeredUsername, signInAgain } from './oidc-checks.ts';

/**
 * The browser side of the authorization endpoint: decide whether the user must log in, consent, or can be sent
 * straight back to the client. State between pages lives in an `interactions` row bound to the browser.
 *
 * Nothing is trusted from one page to the next (issue 10): the row keeps the request's raw parameters, and every
 * step validates them again against the client as it is now, reads the user afresh, and runs the same decision
 * (`next`). A step that ends the request (an error, a denial, the redirect with a code) deletes the row first, and
 * only the step whose delete removed it goes on, so a decision is made at most once.
 */

/** The core's dependencies, and the keyring: the JWKS checks an id_token_hint (Core §3.1.2.1), sign makes ID tokens. */
export type FlowDeps = CoreDeps & { keys: { keyring: Pick<Keyring, 'jwks' | 'sign'> } };

export type Step =
  | { kind: 'error_page'; error: OAuthError; help?: ErrorHelp | undefined }
  | { kind: 'respond'; response: AuthorizationResponse }
  | { kind: 'login'; interactionId: string; client: Client; error?: string; status?: number; username?: string }
  | { kind: 'consent'; interactionId: string; client: Client; user: User; scopes: Scope[]; redirectUri: string; resources: { id: string; name: string }[] };

export interface BrowserState {
  /** The long-lived browser-binding cookie value. */
  browser: string;
  /** The SSO session cookie value, if any. */
  session: string | undefined;
  /** The request's address, for the audit log. */
  address?: string | undefined;
}

/** The user's answer on the consent page; undefined on every other step. */
export type Decision = 'allow' | 'deny' | undefined;

/** An authorization request in progress: validated now, from the parameters kept in its interaction. */
interface Pending {
  interaction: Interaction;
  request: AuthorizationRequest;
  client: Client;
  /** Whether the interaction row exists (it is created only when a page must be shown). */
  stored: boolean;
}

export async function knownScopes(deps: FlowDeps): Promise<Set<string>> {
  return new Set((await deps.repos.scopes.list()).map((s) => s.name));
}

/** The error page of an interaction that is gone; `help` says whether it can start again (see `restart`). */
const expired = (help: ErrorHelp = { reason: 'sign_in_expired' }): Step => ({
  kind: 'error_page',
  error: new AccessDenied('the interaction has expired, has ended, or belongs to another browser'),
  help,
});

/** What the error page can offer when client_id or redirect_uri is wrong: what was received, the application if known. */
async function invalidRequestHelp(deps: FlowDeps, params: Params): Promise<ErrorHelp> {
  const clientId = params['client_id'];
  const client = clientId ? await deps.repos.clients.findById(clientId) : undefined;
  return {
    reason: 'invalid_authorization_request',
    received: { clientId, redirectUri: params['redirect_uri'] },
    application: client ? { name: client.name, url: applicationUrl(client, deps.config.issuer) } : undefined,
  };
}

/**
 * RFC 6749 §4.1.2.1: the checks of src/core/authorize/request.ts, as a page or a redirect to the client when they fail.
 * `origin`: a new request from the browser, whose pushed or signed form the client's policy may demand (par.ts);
 * absent for parameters kept by an interaction, which passed that policy when they arrived.
 */
async function validate(deps: FlowDeps, params: Params, origin?: RequestOrigin): Promise<{ request: AuthorizationRequest; client: Client } | { step: Step }> {
  try {
    const validated = await validateAuthorizationRequest(deps, params, { knownScopes: await knownScopes(deps) });
    if (origin) enforceRequestPolicy(deps, validated.client, validated.request, origin);
    return validated;
  } catch (err) {
    if (err instanceof AuthorizeErrorPage) return { step: { kind: 'error_page', error: err.cause, help: await invalidRequestHelp(deps, params) } };
    if (err instanceof AuthorizeErrorRedirect) return { step: { kind: 'respond', response: errorResponse(deps.config.issuer, err, err.cause) } };
    throw err;
  }
}

/**
 * GET/POST /authorize, and an expired sign-in started again (`restart`, with the parameters it kept: `stored`).
 * A pushed request_uri or a request object is unpacked first (RFC 9126 §4, RFC 9101 §6.3); the interaction keeps the
 * unpacked parameters, so later steps validate them again without using the request_uri a second time.
 */
export async function authorize(deps: FlowDeps, raw: Params, browser: BrowserState, stored = false): Promise<Step> {
  let params = raw;
  let origin: RequestOrigin | undefined;
  if (!stored) {
    try {
      ({ params, origin } = await resolveAuthorizationParams(deps, raw));
    } catch (err) {
      if (err instanceof AuthorizeErrorPage) return { kind: 'error_page', error: err.cause, help: await invalidRequestHelp(deps, raw) };
      throw err;
    }
  }
  const validated = await validate(deps, params, origin);
  if ('step' in validated) return validated.step;
  const interaction: Interaction = {
    id: randomToken('interaction'),
    browserHash: sha256(browser.browser),
    // The scope is kept as resolved now: an omitted scope means the client's registered scopes (RFC 6749 §3.3), and
    // those may change before the decision; the user decides on what the consent page showed, nothing more.
    request: JSON.stringify({ ...params, scope: formatScope(validated.request.scope) }),
    userId: null,
    authTime: null,
    expiresAt: deps.clock.now() + deps.config.session.interactionTtl,
  };
  return next(deps, { ...validated, interaction, stored: false }, browser, undefined);
}

/** GET /interaction/:id — continue where the user is. */
export async function resume(deps: FlowDeps, interactionId: string, browser: BrowserState): Promise<Step> {
  const found = await loadInteraction(deps, interactionId, browser);
  if ('step' in found) return found.step;
  return next(deps, found, browser, undefined);
}

/** POST /interaction/:id/consent. Deny sends access_denied (RFC 6749 §4.1.2.1); Allow remembers the consent. */
export async function decideConsent(deps: FlowDeps, interactionId: string, browser: BrowserState, allow: boolean): Promise<Step> {
  const found = await loadInteraction(deps, interactionId, browser);
  if ('step' in found) return found.step;
  return next(deps, found, browser, allow ? 'allow' : 'deny');
}

/**
 * The interaction of this browser, with its request validated again (the client, its redirect URIs and scopes may
 * have changed since). A request that no longer passes ends here, and its interaction with it.
 */
export async function loadInteraction(deps: FlowDeps, interactionId: string, browser: BrowserState): Promise<Pending | { step: Step }> {
  const interaction = await deps.repos.interactions.find(interactionId, deps.clock.now());
  // Only the browser that started the request can continue it (stops a link being handed to a victim).
  if (!interaction || interaction.browserHash !== sha256(browser.browser)) return { step: await expiredHere(deps, interactionId, browser) };
  const params = storedParams(interaction.request);
  const validated = params === undefined ? { step: expired() } : await validate(deps, params);
  if ('step' in validated) {
    await deps.repos.interactions.delete(interaction.id);
    return validated;
  }
  return { ...validated, interaction, stored: true };
}

export const restartPath = (interactionId: string) => `/interaction/${encodeURIComponent(interactionId)}/restart`;

/**
 * An interaction of this browser that has expired but is still stored (the janitor removes it later): its
 * authorization request can start again. One that ended (finished, denied, refused) was deleted, so is never here.
 */
async function expiredInteraction(deps: FlowDeps, interactionId: string, browser: BrowserState): Promise<{ interaction: Interaction; params: Params } | undefined> {
  // Read as of time 0: every stored row, expired or not.
  const interaction = await deps.repos.interactions.find(interactionId, 0);
  if (!interaction || interaction.browserHash !== sha256(browser.browser) || interaction.expiresAt > deps.clock.now()) return undefined;
  const params = storedParams(interaction.request);
  return params && { interaction, params };
}

/** The page for an interaction that is gone: with Start again when it expired in this browser. */
async function expiredHere(deps: FlowDeps, interactionId: string, browser: BrowserState): Promise<Step> {
  const found = await expiredInteraction(deps, interactionId, browser);
  if (!found) return expired();
  const client = found.params['client_id'] ? await deps.repos.clients.findById(found.params['client_id']) : undefined;
  const application = client && { name: client.name, url: applicationUrl(client, deps.config.issuer) };
  return expired({ reason: 'sign_in_expired', application, restartHref: restartPath(interactionId) });
}

/**
 * GET /interaction/:id/restart — the expired sign-in's authorization request (its parameters as stored, so the
 * client's state and PKCE challenge still complete its flow) in a new interaction, validated again like any request.
 */
export async function restart(deps: FlowDeps, interactionId: string, browser: BrowserState): Promise<Step> {
  const found = await expiredInteraction(deps, interactionId, browser);
  // Only the step whose delete removed the row restarts it: one restart per expired sign-in.
  if (!found || !(await deps.repos.interactions.delete(found.interaction.id))) return expired();
  return authorize(deps, found.params, browser, true);
}

/** The parameters an interaction keeps; undefined for a row this version did not write (it then counts as expired). */
function storedParams(json: string): Params | undefined {
  try {
    const value: unknown = JSON.parse(json);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    return Object.values(value).every((v) => typeof v === 'string') ? (value as Params) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Who is signing in: the person who logged in on this interaction, or the browser's SSO session. A login made on the
 * interaction counts only while the session it opened is alive and still theirs, so signing out, a password change,
 * disabling the account or ending the session (each ends sessions) ends it too. A disabled or deleted user is nobody.
 */
async function currentUser(deps: FlowDeps, p: Pending, browser: BrowserState): Promise<{ user: User; authTime: number; sid: string | null; signIn: SignInStrength } | undefined> {
  const now = deps.clock.now();
  const session = browser.session === undefined ? undefined : await deps.repos.sessions.findActive(credentialKey(browser.session), now);
  let userId: string;
  let authTime: number;
  if (p.interaction.userId !== null && p.interaction.authTime !== null) {
    if (session?.userId !== p.interaction.userId) return undefined;
    userId = p.interaction.userId;
    authTime = p.interaction.authTime;
  } else {
    if (!session || signInAgain(p.request, session.authTime, now)) return undefined;
    userId = session.userId;
    authTime = session.authTime;
    await noteSessionUse(deps.repos, session, now);
  }
  const user = await deps.repos.users.findById(userId);
  // Either way the browser's session is this user's: its public id is the grant's `sid` (Back-Channel Logout §2.4).
  // How they signed in (Core §2 acr/amr) is the session's: the one opened by this interaction's login, or the SSO one.
  return user && user.disabledAt === null && session ? { user, authTime, sid: session.sid ?? null, signIn: sessionStrength(session) } : undefined;
}

/** Every step runs this, with the user's decision when there is one: the checks cannot differ between steps. */
async function next(deps: FlowDeps, p: Pending, browser: BrowserState, decision: Decision): Promise<Step> {
  const { client, request, interaction } = p;
  /** Ends the request: deletes its interaction, and goes on only if this call was the one that deleted it. */
  const end = async (step: () => Promise<Step> | Step): Promise<Step> => {
    if (p.stored && !(await deps.repos.interactions.delete(interaction.id))) return expired();
    return step();
  };
  const deny = (err: OAuthError) => end(() => ({ kind: 'respond', response: errorResponse(deps.config.issuer, request, err) }));
  const persist = async () => {
    if (!p.stored) await deps.repos.interactions.create(interaction);
  };
  const hinted = request.idTokenHint === undefined ? undefined : await hintedSubject(deps, request.idTokenHint, client);
  if (hinted === null) return deny(new InvalidRequest('id_token_hint is not an ID token this server issued to this client'));
  let current = await currentUser(deps, p, browser);
  // Core §3.1.2.1 id_token_hint: the session's user must be the hinted one; else a new sign-in, or login_required
  // under prompt=none. A person who signed in on this very interaction chose who they are, so they are not re-asked.
  if (current && hinted !== undefined && interaction.userId === null && hinted !== subjectFor(client, current.user.id, deps.config.oidc.pairwiseSalt)) current = undefined;
  if (!current) {
    if (request.prompt.includes('none')) return deny(new LoginRequired('the user is not signed in'));
    await persist();
    const username = await offeredUsername(deps, request, browser);
    return { kind: 'login', interactionId: interaction.id, client, ...(username === undefined ? {} : { username }) };
  }
  // Core §5.5.1.1: an essential acr the sign-in did not reach is a failed authentication. (Step-up by a second factor,
  // once there is one, goes here.)
  if (!meetsEssential(current.signIn.acr, request.acr)) return deny(new UnmetAuthenticationRequirements('the sign-in does not reach the essential acr values'));
  const audit = { actorUserId: current.user.id, clientId: client.id, ip: browser.address };
  // The admin scope goes to administrators only: anyone else is refused before any consent is asked, and again at
  // the decision (src/core/user-standing.ts, the same rule the token endpoint applies).
  if (refusal(current.user, request.scope) !== undefined) {
    deps.audit.record({ type: 'authorization.denied', ...audit, details: { reason: 'admin_scope_not_administrator' } });
    return deny(new AccessDenied('only administrators may be granted the admin scope'));
  }
  if (decision === 'deny') {
    deps.audit.record({ type: 'consent.denied', ...audit, details: { scope: request.scope } });
    return deny(new AccessDenied('the user denied the request'));
  }
  // Consent is asked when none covers the requested scopes, or when prompt=consent asks for it anew; never for
  // Latchkey's own console and account page asking for what they are registered for (nothing more, even if crafted).
  const consent = await deps.repos.consents.find(current.user.id, client.id);
  const firstParty = isFirstParty(client.id) && isSubset(request.scope, client.scopes);
  const consentNeeded = !firstParty && (request.prompt.includes('consent') || !consent || !isSubset(request.scope, consent.scope));
  if (consentNeeded && decision !== 'allow') {
    if (request.prompt.includes('none')) return deny(new ConsentRequired('the user has not approved this application'));
    // The page names the person it asks; pin them to the interaction, so that only they (while their session
    // lives) can answer it, not whoever signs in on this browser next.
    if (!p.stored) await deps.repos.interactions.create({ ...interaction, userId: current.user.id, authTime: current.authTime });
    else if (interaction.userId === null) await deps.repos.interactions.setLogin(interaction.id, current.user.id, current.authTime);
    const resources = request.resources.map((r) => ({ id: r.id, name: r.name }));
    return { kind: 'consent', interactionId: interaction.id, client, user: current.user, scopes: await deps.repos.scopes.findMany(request.scope), redirectUri: request.redirectUri, resources };
  }
  return end(async () => {
    if (consentNeeded) {
      const scope = [...new Set([...(consent?.scope ?? []), ...request.scope])];
      await deps.repos.consents.upsert({ userId: current.user.id, clientId: client.id, scope, grantedAt: deps.clock.now() });
      deps.audit.record({ type: 'consent.granted', ...audit, details: { scope } });
    }
    return { kind: 'respond', response: await completeAuthorization({ ...deps, keyring: deps.keys.keyring }, client, request, { id: current.user.id, authTime: current.authTime, sid: current.sid, signIn: current.signIn }) };
  });
}
