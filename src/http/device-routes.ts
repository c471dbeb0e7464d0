import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ACCOUNT_CLIENT_ID, DEVICE_CALLBACK_PATH } from '../admin/built-in.ts';
import type { AppDeps } from '../app-deps.ts';
import { constantTimeEqual, credentialKey } from '../core/crypto.ts';
import { DEVICE_PAGE_PATH } from '../core/device/authorization.ts';
import { InvalidRequest } from '../core/errors.ts';
import type { Session, User } from '../core/model.ts';
import { decideDevice, deviceThrottle, lookUpUserCode, type DeviceLookup } from '../interaction/device.ts';
import { noteSessionUse } from '../interaction/session-use.ts';
import { deviceCodePage, deviceConsentPage, deviceDonePage } from '../interaction/views/device.ts';
import { cookieJar } from './cookies.ts';
import { firstPartySignIn, localPath } from './first-party-signin.ts';
import { csrfFor } from './page-routes.ts';
import { sendPage } from './pages-common.ts';
import { oauthParams } from './params.ts';

const DECISION_PATH = `${DEVICE_PAGE_PATH}/decision`;

/**
 * The verification URI of the device authorization grant (RFC 8628 §3.3): the person signs in (through the account
 * page's first-party sign-in: the ordinary login page, throttling and SSO session), types the code their device shows
 * (or arrives with it from verification_uri_complete, and confirms it), sees which application asks for what, and
 * allows or denies. Every POST carries the CSRF token; nothing needs JavaScript.
 */
export function registerDeviceRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { config } = deps;
  const theme = config.theme;
  const cookies = cookieJar(config);
  const throttle = deviceThrottle(deps.repos.throttle, config);
  const signIn = firstPartySignIn(deps, { clientId: ACCOUNT_CLIENT_ID, callbackPath: DEVICE_CALLBACK_PATH, scope: '', cookie: 'lk_device_signin', exchange: false });
  const page = { config: { errorStyle: 'page' as const } };

  /** The signed-in person, from the SSO session. */
  async function current(req: FastifyRequest, reply: FastifyReply) {
    const browser = cookies.browser(req, reply);
    const now = deps.clock.now();
    const session: Session | undefined = browser.session === undefined ? undefined : await deps.repos.sessions.findActive(credentialKey(browser.session), now);
    const user: User | undefined = session && (await deps.repos.users.findById(session.userId));
    if (!session || !user || user.disabledAt !== null) return { browser, who: undefined };
    await noteSessionUse(deps.repos, session, now);
    return { browser, who: { user, session } };
  }

  const done = (reply: FastifyReply, o: { heading: string; text: string }, status = 200) =>
    sendPage(reply.code(status), (nonce) => deviceDonePage({ ...o, again: DEVICE_PAGE_PATH, nonce, theme }));

  const showLookup = (reply: FastifyReply, found: DeviceLookup, csrf: string, username: string, typed: string) => {
    switch (found.kind) {
      case 'refused':
        return sendPage(reply.code(found.status), (nonce) => deviceCodePage({ action: DEVICE_PAGE_PATH, csrf, username, userCode: typed, error: found.error, nonce, theme }));
      case 'ended':
        return done(reply, found, 400);
      case 'pending':
        return sendPage(reply, (nonce) =>
          deviceConsentPage({ action: DECISION_PATH, csrf, userCode: found.userCode, clientName: found.client.name, username, scopes: found.scopes, resources: found.resources, nonce, theme }),
        );
    }
  };

  app.get(DEVICE_PAGE_PATH, page, async (req, reply) => {
    // A code is 9 characters as shown; anything much longer is not one, and is not echoed back whole.
    const typed = oauthParams(req.query)['user_code']?.slice(0, 20);
    const { browser, who } = await current(req, reply);
    // Sign in first, coming back here with the code from verification_uri_complete (§3.3.1) still in the address.
    if (!who) return signIn.start(reply, typed === undefined ? DEVICE_PAGE_PATH : `${DEVICE_PAGE_PATH}?${new URLSearchParams({ user_code: typed }).toString()}`);
    // The code is shown to confirm, never acted on from the link alone (§5.4: a link can come from an attacker).
    return sendPage(reply, (nonce) => deviceCodePage({ action: DEVICE_PAGE_PATH, csrf: csrfFor(browser), username: who.user.name ?? who.user.username, userCode: typed, nonce, theme }));
  });

  /** Signed in, with this browser's CSRF token; the typed code looked up (and counted by the throttle). */
  const checked = async (req: FastifyRequest, reply: FastifyReply) => {
    const { browser, who } = await current(req, reply);
    const body = oauthParams(req.body);
    if (!who) return { reply: done(reply, { heading: 'You are signed out', text: 'Sign in again, then type the code once more.' }, 401) };
    if (!body['csrf'] || !constantTimeEqual(body['csrf'], csrfFor(browser))) {
      throw new InvalidRequest('The form has expired or did not come from this site. Go back and try again.', { status: 403 });
    }
    const typed = (body['user_code'] ?? '').slice(0, 20);
    const found = await lookUpUserCode(deps, throttle, typed, req.ip);
    return { who, browser, body, typed, found };
  };

  app.post(DEVICE_PAGE_PATH, page, async (req, reply) => {
    const c = await checked(req, reply);
    if ('reply' in c) return c.reply;
    return showLookup(reply, c.found, csrfFor(c.browser), c.who.user.name ?? c.who.user.username, c.typed);
  });

  app.post(DECISION_PATH, page, async (req, reply) => {
    const c = await checked(req, reply);
    if ('reply' in c) return c.reply;
    const decision = c.body['decision'];
    if (decision !== 'allow' && decision !== 'deny') throw new InvalidRequest('choose Allow or Deny');
    if (c.found.kind !== 'pending') return showLookup(reply, c.found, csrfFor(c.browser), c.who.user.name ?? c.who.user.username, c.typed);
    return done(reply, await decideDevice(deps, c.found, c.who, decision === 'allow', req.ip));
  });

  app.get(DEVICE_CALLBACK_PATH, page, async (req, reply) => {
    const q = oauthParams(req.query);
    const result = await signIn.finish(req, reply, q);
    if (!result.ok) return done(reply, { heading: 'Sign-in failed', text: result.description }, 400);
    return reply.header('cache-control', 'no-store').redirect(localPath(result.returnTo, DEVICE_PAGE_PATH, DEVICE_PAGE_PATH), 303);
  });
}
