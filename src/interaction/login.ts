import { randomToken, credentialKey } from '../core/crypto.ts';
import { passwordSignIn } from '../core/oidc/acr.ts';
import { loadInteraction, restart, type BrowserState, type FlowDeps, type Step } from './flow.ts';
import { verifyPassword } from './passwords.ts';
import type { LoginThrottle } from './throttle.ts';

/** On success, the new SSO session cookie value; the caller redirects to the interaction (post/redirect/get). */
export type LoginResult = { session: string } | { step: Step };

/** POST /interaction/:id/login: username and password against local users, with throttling. */
export async function submitLogin(
  deps: FlowDeps,
  throttle: LoginThrottle,
  input: { interactionId: string; browser: BrowserState; username: string; password: string; address: string; userAgent?: string | undefined },
): Promise<LoginResult> {
  const found = await loadInteraction(deps, input.interactionId, input.browser);
  if ('step' in found) {
    if (found.step.kind !== 'error_page' || !found.step.help?.restartHref) return { step: found.step };
    // An expired sign-in in this browser starts again, keeping the username: only the password is asked again.
    const step = await restart(deps, input.interactionId, input.browser);
    if (step.kind !== 'login') return { step };
    return { step: { ...step, username: input.username.trim(), error: 'You took too long to sign in, so the sign-in was stopped to keep your account safe. Enter your password again to continue.' } };
  }
  const now = deps.clock.now();
  const loginPage = (error: string, status: number): LoginResult => ({
    // The username is given back so the person only retypes the password (never the other way round).
    step: { kind: 'login', interactionId: input.interactionId, client: found.client, error, status, username: input.username.trim() },
  });
  const username = input.username.trim();
  if (!username || !input.password) return loginPage('Enter your username and password.', 400);

  const wait = await throttle.attempt(username, input.address, now);
  const audit = { clientId: found.client.id, ip: input.address };
  if (wait > 0) {
    deps.audit.record({ type: 'login.locked', ...audit, details: { username, retryAfterSeconds: wait } });
    return loginPage(`Too many failed attempts. Try again in ${wait} second${wait === 1 ? '' : 's'}.`, 429);
  }

  const user = await deps.repos.users.findByUsername(username);
  if (!(await verifyPassword(user?.passwordHash, input.password)) || !user) {
    deps.logger.info({ event: 'login_failed', username, address: input.address }, 'login failed');
    deps.audit.record({ type: 'login.failed', ...audit, userId: user?.id, details: { username, reason: 'bad_credentials' } });
    return loginPage('The username or password is incorrect.', 401);
  }
  // Only someone who knows the password learns that the account is disabled.
  if (user.disabledAt !== null) {
    deps.audit.record({ type: 'login.failed', ...audit, userId: user.id, details: { username, reason: 'disabled' } });
    return loginPage('This account is disabled. Ask your administrator to enable it.', 403);
  }
  await throttle.succeeded(username, input.address);
  const session = randomToken('session');
  await deps.repos.sessions.create({
    hash: credentialKey(session),
    userId: user.id,
    authTime: now,
    expiresAt: now + deps.config.session.ttl,
    // Shown to the person on /account and to administrators, so each can tell the sessions apart.
    clientId: found.client.id,
    address: input.address,
    userAgent: input.userAgent ?? null,
    // Core §2 acr / RFC 8176 amr: how this person signed in, for the ID tokens of the session's grants.
    ...passwordSignIn(),
  });
  await deps.repos.interactions.setLogin(input.interactionId, user.id, now);
  deps.logger.info({ event: 'login', userId: user.id, address: input.address }, 'user signed in');
  deps.audit.record({ type: 'login.succeeded', ...audit, actorUserId: user.id, details: { username: user.username } });
  return { session };
}
