import type { Params } from '../core/context.ts';
import { credentialKey } from '../core/crypto.ts';
import { InvalidRequest } from '../core/errors.ts';
import { oidcMetadata, type Client, type Session } from '../core/model.ts';
import { verifyIdTokenHint } from '../core/oidc/id-token-hint.ts';
import { subjectFor } from '../core/oidc/subject.ts';
import type { BrowserState, FlowDeps } from './flow.ts';

/**
 * RP-Initiated Logout 1.0 (§2, §3) and the plain sign-out page, which is the same request with no parameters.
 * A bad request is an error page, never a redirect: post_logout_redirect_uri is followed only once it is proven to be
 * one the identified client registered (§3), as an authorization error is redirected only to a verified redirect_uri.
 */

/** The checked request: the client it is tied to, and where to send the browser afterwards. */
export interface LogoutRequest {
  client?: Client | undefined;
  postLogoutRedirectUri?: string | undefined;
  state?: string | undefined;
  /** The subject the id_token_hint names (for `client`); absent without a hint. */
  hintedSub?: string | undefined;
}

export type LogoutStep =
  | { kind: 'error'; error: InvalidRequest }
  /** §2: the request cannot be tied to the session's user: ask before ending anything. */
  | { kind: 'confirm'; request: LogoutRequest; username: string | undefined }
  /** The session ended (or there was none): redirect, or say "You are signed out". */
  | { kind: 'ended'; redirectTo: string | undefined };

/** Validates the parameters (§2): the hint by our signature, client_id against its audience, the URI exactly (§3). */
export async function checkLogoutRequest(deps: FlowDeps, params: Params): Promise<LogoutRequest | InvalidRequest> {
  const hintText = params['id_token_hint'];
  const clientId = params['client_id'];
  const uri = params['post_logout_redirect_uri'];
  let clientIdToUse = clientId;
  let hintedSub: string | undefined;
  if (hintText !== undefined) {
    // §2: the OP validates the hint (signature and issuer); an expired one is still a hint.
    const hint = await verifyIdTokenHint(await deps.keys.keyring.jwks(), hintText, deps.config.issuer);
    if (!hint) return new InvalidRequest('id_token_hint is not an ID token this server issued');
    // §2: when both are given, client_id must be an audience of the hint; else the hint's audience names the client.
    if (clientId !== undefined && !hint.aud.includes(clientId)) return new InvalidRequest('client_id does not match the audience of id_token_hint');
    clientIdToUse = clientId ?? (hint.aud.length === 1 ? hint.aud[0] : undefined);
    hintedSub = hint.sub;
  }
  const client = clientIdToUse === undefined ? undefined : await deps.repos.clients.findById(clientIdToUse);
  if (clientIdToUse !== undefined && !client) return new InvalidRequest('client_id names no registered application');
  if (uri !== undefined) {
    // §3: only a URI the client registered, compared exactly; without a known client there is nothing to compare to.
    if (!client) return new InvalidRequest('post_logout_redirect_uri needs client_id or id_token_hint to identify the application');
    if (!oidcMetadata(client).postLogoutRedirectUris.includes(uri)) return new InvalidRequest('post_logout_redirect_uri is not registered for this application');
  }
  return { client, postLogoutRedirectUri: uri, state: params['state'], hintedSub };
}

async function activeSession(deps: FlowDeps, browser: BrowserState): Promise<Session | undefined> {
  return browser.session === undefined ? undefined : deps.repos.sessions.findActive(credentialKey(browser.session), deps.clock.now());
}

/** Ends the browser's session for every node (the row goes), then answers where to go (§3: state echoed). */
async function end(deps: FlowDeps, request: LogoutRequest, session: Session | undefined, ip: string | undefined): Promise<LogoutStep> {
  if (session) {
    await deps.repos.sessions.delete(session.hash);
    deps.audit.record({ type: 'session.revoked', actorUserId: session.userId, userId: session.userId, clientId: request.client?.id ?? null, ip: ip ?? null, details: { by: 'logout' } });
  }
  if (request.postLogoutRedirectUri === undefined) return { kind: 'ended', redirectTo: undefined };
  const target = new URL(request.postLogoutRedirectUri);
  if (request.state !== undefined) target.searchParams.append('state', request.state);
  return { kind: 'ended', redirectTo: target.toString() };
}

/**
 * A logout request (GET, or a POST from the relying party; §2 requires both): ends the session at once only when a
 * valid hint names the session's user; otherwise asks for confirmation. With no session there is nothing to end.
 */
export async function requestLogout(deps: FlowDeps, params: Params, browser: BrowserState): Promise<LogoutStep> {
  const request = await checkLogoutRequest(deps, params);
  if (request instanceof InvalidRequest) return { kind: 'error', error: request };
  const session = await activeSession(deps, browser);
  if (!session) return end(deps, request, undefined, browser.address);
  const { client, hintedSub } = request;
  if (client && hintedSub !== undefined && hintedSub === subjectFor(client, session.userId, deps.config.oidc.pairwiseSalt)) {
    return end(deps, request, session, browser.address);
  }
  const user = await deps.repos.users.findById(session.userId);
  return { kind: 'confirm', request, username: user ? (user.name ?? user.username) : undefined };
}

/** The confirmation, posted from the page (CSRF checked by the route): the request is checked again, then ended. */
export async function confirmLogout(deps: FlowDeps, params: Params, browser: BrowserState): Promise<LogoutStep> {
  const request = await checkLogoutRequest(deps, params);
  if (request instanceof InvalidRequest) return { kind: 'error', error: request };
  return end(deps, request, await activeSession(deps, browser), browser.address);
}
