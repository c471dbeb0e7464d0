import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ACCOUNT_CALLBACK_PATH, ACCOUNT_CLIENT_ID, isFirstParty } from '../admin/built-in.ts';
import type { AdminDeps } from '../admin/context.ts';
import { fieldsFromZod } from '../admin/errors.ts';
import { newPassword } from '../admin/schemas.ts';
import { ownProfileEdit } from '../config/claims-schema.ts';
import { isoTime } from '../core/clock.ts';
import { constantTimeEqual, randomToken, credentialKey } from '../core/crypto.ts';
import { passwordSignIn } from '../core/oidc/acr.ts';
import type { Session, User } from '../core/model.ts';
import { applyClaimsEdit } from '../core/oidc/claims-edit.ts';
import type { BrowserState } from '../interaction/flow.ts';
import { hashPassword, verifyPassword } from '../interaction/passwords.ts';
import { noteSessionUse } from '../interaction/session-use.ts';
import { loginThrottle } from '../interaction/throttle.ts';
import { accountMessage, accountPage, type AccountSession, type AuthorizedApplication, type ProfileForm } from './view.ts';
import { browserSummary } from '../interaction/browser-summary.ts';
import { claimErrors, claimsFormFrom, claimsFormOf, claimsPatchOf } from '../interaction/views/claims-fields.ts';
import { appLayout } from '../console/views/layout.ts';
import type { SafeHtml } from '../interaction/html.ts';
import { noticeFrom, readForm, sendAppPage, withNotice } from '../console/kit.ts';
import { cookieJar } from '../http/cookies.ts';
import { firstPartySignIn } from '../http/first-party-signin.ts';
import { csrfFor } from '../http/page-routes.ts';

/**
 * /account, for the people who sign in: the applications they have authorized (with a Revoke button that withdraws
 * the consent and revokes every token of that application for them), their profile, a password change, and signing out of every
 * session. It uses the ordinary SSO session (the lk_session cookie); without one, it signs the person in through
 * the ordinary login page, as Latchkey's own public client.
 */

/** The signed-in person, this browser, and the SSO session it is signed in with. */
type Who = { user: User; browser: BrowserState; session: Session };

const NOTICES: Readonly<Record<string, string>> = {
  'session-ended': 'The session has ended: that browser is signed out.',
  revoked: 'Access was revoked: the application’s tokens no longer work.',
  'password-changed': 'Your password was changed. Your other sessions have ended.',
  'profile-saved': 'Your profile was saved.',
};

export function registerAccountRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { config, repos } = deps;
  const cookies = cookieJar(config);
  const throttle = loginThrottle(repos.throttle, config.rateLimit);
  const signIn = firstPartySignIn(deps, { clientId: ACCOUNT_CLIENT_ID, callbackPath: ACCOUNT_CALLBACK_PATH, scope: '', cookie: 'lk_account_signin', exchange: false });
  const page = { config: { errorStyle: 'page' as const } };

  const render = (reply: FastifyReply, title: string, body: SafeHtml, o: { status?: number; user?: User; browser?: BrowserState } = {}) =>
    sendAppPage(reply.code(o.status ?? 200), (nonce) =>
      appLayout({
        title,
        body,
        nonce,
        theme: config.theme,
        area: 'account',
        nav: [],
        ...(o.user && o.browser ? { user: { name: o.user.name ?? o.user.username, signOutAction: '/logout', csrf: csrfFor(o.browser) } } : {}),
      }),
    );

  /** The signed-in person, from the SSO session; undefined sends them to sign in. */
  async function current(req: FastifyRequest, reply: FastifyReply): Promise<Who | undefined> {
    const browser = cookies.browser(req, reply);
    if (!browser.session) return undefined;
    const session = await repos.sessions.findActive(credentialKey(browser.session), deps.clock.now());
    const user = session && (await repos.users.findById(session.userId));
    if (!session || !user || user.disabledAt !== null) return undefined;
    await noteSessionUse(repos, session, deps.clock.now());
    return { user, browser, session };
  }

  async function applications(user: User): Promise<AuthorizedApplication[]> {
    const [consents, grants, scopes] = await Promise.all([
      repos.listings.consents(user.id),
      repos.listings.grants({ userId: user.id, activeOnly: false }, deps.clock.now(), { limit: 100 }),
      repos.scopes.list(),
    ]);
    const out: AuthorizedApplication[] = [];
    for (const c of consents) {
      if (isFirstParty(c.clientId)) continue;
      const client = await repos.clients.findById(c.clientId);
      if (!client) continue;
      const used = grants.items.filter((g) => g.clientId === c.clientId).map((g) => g.lastIssuedAt ?? 0);
      const last = used.length > 0 ? Math.max(...used) : 0;
      out.push({
        clientId: c.clientId,
        name: client.name,
        scopes: c.scope.map((name) => ({ name, description: scopes.find((s) => s.name === name)?.description ?? name })),
        grantedAt: new Date(c.grantedAt * 1000).toISOString(),
        lastUsedAt: last > 0 ? new Date(last * 1000).toISOString() : null,
      });
    }
    return out;
  }

  /** The person's own sessions, newest first; this browser's is marked. */
  async function sessions(who: Who): Promise<AccountSession[]> {
    const page = await repos.listings.sessions({ userId: who.user.id }, deps.clock.now(), { limit: 50 });
    return Promise.all(
      page.items.map(async (s) => ({
        id: s.hash,
        browser: browserSummary(s.userAgent),
        application: s.clientId ? ((await repos.clients.findById(s.clientId))?.name ?? s.clientId) : null,
        address: s.address ?? null,
        signedInAt: isoTime(s.authTime),
        lastUsedAt: isoTime(s.lastUsedAt ?? s.authTime),
        current: s.hash === who.session.hash,
      })),
    );
  }

  const showAccount = async (reply: FastifyReply, who: Who, o: { errors?: Record<string, string>; message?: string | undefined; notice?: string | undefined; status?: number; profile?: ProfileForm } = {}) =>
    render(
      reply,
      'Your account',
      accountPage({
        username: who.user.username,
        profile: o.profile ?? { name: who.user.name ?? '', email: who.user.email ?? '', claims: claimsFormOf(who.user.claims), errors: {} },
        applications: await applications(who.user), sessions: await sessions(who), csrf: csrfFor(who.browser), errors: o.errors ?? {}, message: o.message, notice: o.notice,
      }),
      { user: who.user, browser: who.browser, ...(o.status === undefined ? {} : { status: o.status }) },
    );

  /** Signed in, and for a POST the form's CSRF token; otherwise off to sign in (or a refusal). */
  function guarded(handler: (req: FastifyRequest<{ Params: Record<string, string> }>, reply: FastifyReply, who: Who) => Promise<FastifyReply>) {
    return async (req: FastifyRequest<{ Params: Record<string, string> }>, reply: FastifyReply): Promise<FastifyReply> => {
      const who = await current(req, reply);
      if (!who) {
        if (req.method === 'GET') return signIn.start(reply, '/account');
        return render(reply, 'Signed out', accountMessage({ heading: 'You are signed out', text: 'Sign in again, then repeat what you were doing.', link: { href: '/account', label: 'Sign in' } }), { status: 401 });
      }
      if (req.method === 'POST' && !constantTimeEqual(readForm(req.body).get('csrf'), csrfFor(who.browser))) {
        return render(reply, 'Form expired', accountMessage({ heading: 'The form has expired', text: 'Go back, reload the page and try again.', link: { href: '/account', label: 'Your account' } }), { status: 403 });
      }
      return handler(req, reply, who);
    };
  }

  app.get('/account', page, guarded(async (req, reply, who) => showAccount(reply, who, { notice: noticeFrom(req.query, NOTICES) })));

  app.get(ACCOUNT_CALLBACK_PATH, page, async (req, reply) => {
    const q = readForm(req.query);
    const result = await signIn.finish(req, reply, { state: q.get('state'), code: q.get('code'), ...(q.has('error') ? { error: q.get('error'), error_description: q.get('error_description') } : {}) });
    if (!result.ok) return render(reply, 'Sign-in failed', accountMessage({ heading: 'Sign-in failed', text: result.description, link: { href: '/account', label: 'Try again' } }), { status: 400 });
    return reply.header('cache-control', 'no-store').redirect('/account', 303);
  });

  // Revoke: the consent goes, and every grant (so every token) of that application for this person.
  app.post<{ Params: { clientId: string } }>('/account/applications/:clientId/revoke', page, guarded(async (req, reply, who) => {
    const clientId = req.params['clientId'] ?? '';
    const now = deps.clock.now();
    await repos.grants.revokeByUserAndClient(who.user.id, clientId, now);
    await repos.consents.delete(who.user.id, clientId);
    deps.audit.record({ type: 'consent.revoked', actorUserId: who.user.id, userId: who.user.id, clientId, ip: req.ip, details: { by: 'user' } });
    return reply.redirect(withNotice('/account', 'revoked'), 303);
  }));

  app.post('/account/password', page, guarded(async (req, reply, who) => {
    const form = readForm(req.body);
    const current = form.get('currentPassword');
    const next = form.get('newPassword');
    const errors: Record<string, string> = {};
    const now = deps.clock.now();
    // The current password is guessed against here as on the login page: same throttle, same lockout.
    // Counted before the check, so parallel guesses cannot all be checked (issue 10 defect 3).
    const wait = current ? await throttle.attempt(who.user.username, req.ip, now) : 0;
    if (wait > 0) return showAccount(reply, who, { message: `Too many failed attempts. Try again in ${wait} second${wait === 1 ? '' : 's'}.`, status: 429 });
    if (!current) errors['currentPassword'] = 'enter your current password';
    else if (await verifyPassword(who.user.passwordHash, current)) await throttle.succeeded(who.user.username, req.ip);
    else {
      deps.audit.record({ type: 'login.failed', actorUserId: who.user.id, userId: who.user.id, ip: req.ip, details: { username: who.user.username, reason: 'bad_current_password' } });
      errors['currentPassword'] = 'this is not your current password';
    }
    const checked = newPassword.safeParse(next);
    if (!checked.success) errors['newPassword'] = fieldsFromZod(checked.error)['body'] ?? 'not acceptable';
    else if (form.get('confirmPassword') !== next) errors['confirmPassword'] = 'the two new passwords differ';
    if (Object.keys(errors).length > 0) return showAccount(reply, who, { errors, status: 422 });
    await repos.users.update(who.user.id, { passwordHash: await hashPassword(next) });
    // Whoever knew the old password loses their session; this browser gets a fresh one.
    await repos.sessions.deleteAllForUser(who.user.id);
    const session = randomToken('session');
    await repos.sessions.create({ hash: credentialKey(session), userId: who.user.id, authTime: now, expiresAt: now + config.session.ttl, clientId: ACCOUNT_CLIENT_ID, address: req.ip, userAgent: req.headers['user-agent'] ?? null, ...passwordSignIn() });
    cookies.setSession(reply, session);
    deps.audit.record({ type: 'account.password_changed', actorUserId: who.user.id, userId: who.user.id, ip: req.ip });
    return reply.redirect(withNotice('/account', 'password-changed'), 303);
  }));

  // Ends one of the person's own sessions. Only their own: another person's session id is "not found", as a made-up one.
  app.post<{ Params: { id: string } }>('/account/sessions/:id/end', page, guarded(async (req, reply, who) => {
    const id = req.params['id'] ?? '';
    const target = await repos.sessions.findActive(id, deps.clock.now());
    if (!target || target.userId !== who.user.id) {
      return render(reply, 'Not found', accountMessage({ heading: 'That session is not there', text: 'It may have ended already.', link: { href: '/account', label: 'Your account' } }), { status: 404, user: who.user, browser: who.browser });
    }
    await repos.sessions.delete(id);
    deps.audit.record({ type: 'session.revoked', actorUserId: who.user.id, userId: who.user.id, ip: req.ip, details: { by: 'user' } });
    if (id === who.session.hash) {
      cookies.clearSession(reply);
      return render(reply, 'Signed out', accountMessage({ heading: 'You are signed out', text: 'This session has ended.', link: { href: '/account', label: 'Sign in again' } }));
    }
    return reply.redirect(withNotice('/account', 'session-ended'), 303);
  }));

  // Their own claims (OpenID Connect Core §5.1), validated as everywhere else; never the username nor a verified flag.
  app.post('/account/profile', page, guarded(async (req, reply, who) => {
    const form = readForm(req.body);
    const claims = claimsFormFrom(form.get, false);
    const submitted = { name: form.get('name').trim(), email: form.get('email').trim() };
    const parsed = ownProfileEdit.safeParse({ ...submitted, claims: claimsPatchOf(claims, false) });
    if (!parsed.success) {
      return showAccount(reply, who, { status: 422, profile: { ...submitted, claims, errors: claimErrors(fieldsFromZod(parsed.error)) } });
    }
    const change = applyClaimsEdit(who.user, parsed.data, deps.clock.now());
    if (Object.keys(change).length > 0) {
      await repos.users.update(who.user.id, change);
      const fields = (['name', 'email', 'claims'] as const).filter((f) => change[f] !== undefined);
      deps.audit.record({ type: 'account.profile_updated', actorUserId: who.user.id, userId: who.user.id, ip: req.ip, details: { fields } });
    }
    return reply.redirect(withNotice('/account', 'profile-saved'), 303);
  }));

  app.post('/account/sign-out-everywhere', page, guarded(async (req, reply, who) => {
    await repos.sessions.deleteAllForUser(who.user.id);
    cookies.clearSession(reply);
    deps.audit.record({ type: 'account.signed_out_everywhere', actorUserId: who.user.id, userId: who.user.id, ip: req.ip });
    return render(reply, 'Signed out', accountMessage({ heading: 'You are signed out everywhere', text: 'Every session of your account has ended, this one included.', link: { href: '/account', label: 'Sign in again' } }));
  }));
}
