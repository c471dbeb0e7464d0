import type { AuthorizationRequest } from '../core/authorize/request.ts';
import { credentialKey } from '../core/crypto.ts';
import type { Client } from '../core/model.ts';
import { idTokenHintSubject } from '../core/oidc/id-token-hint.ts';
import type { BrowserState, FlowDeps } from './flow.ts';

/** The OpenID Connect checks of the sign-in flow (Core §3.1.2.1: prompt, max_age, login_hint, id_token_hint). */

/**
 * Whether the browser's session may not stand for this request (OpenID Connect Core §3.1.2.1): prompt=login asks for
 * a new sign-in; select_account for the login page, where the person can sign in as someone else (the page offers the
 * signed-in user); a session older than max_age needs a new sign-in too. A login made on the interaction itself is
 * fresh, so none of these apply to it (else max_age=0 would ask forever).
 */
export function signInAgain(request: AuthorizationRequest, authTime: number, now: number): boolean {
  if (request.prompt.includes('login') || request.prompt.includes('select_account')) return true;
  // At a one-second granularity "older than max_age" is read as "max_age or more", so max_age=0 always asks.
  return request.maxAge !== undefined && now - authTime >= request.maxAge;
}

/** The username the login page starts with: login_hint (Core §3.1.2.1), or the signed-in user select_account offers. */
export async function offeredUsername(deps: FlowDeps, request: AuthorizationRequest, browser: BrowserState): Promise<string | undefined> {
  if (request.prompt.includes('select_account') && browser.session !== undefined) {
    const session = await deps.repos.sessions.findActive(credentialKey(browser.session), deps.clock.now());
    const user = session && (await deps.repos.users.findById(session.userId));
    if (user) return user.username;
  }
  return request.loginHint;
}

/** The subject of the request's id_token_hint; null when the hint is not an ID token of ours for this client. */
export async function hintedSubject(deps: FlowDeps, hint: string, client: Client): Promise<string | null> {
  const sub = await idTokenHintSubject(await deps.keys.keyring.jwks(), hint, { issuer: deps.config.issuer, clientId: client.id });
  return sub ?? null;
}
