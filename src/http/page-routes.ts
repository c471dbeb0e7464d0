import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../app-deps.ts';
import type { Params } from '../core/context.ts';
import { redirectUrl, type AuthorizationResponse } from '../core/authorize/respond.ts';
import { constantTimeEqual, credentialKey, sha256 } from '../core/crypto.ts';
import { InvalidRequest } from '../core/errors.ts';
import { authorize, decideConsent, restart, resume, type BrowserState, type Step } from '../interaction/flow.ts';
import { submitLogin } from '../interaction/login.ts';
import { loginThrottle } from '../interaction/throttle.ts';
import { confirmLogout, requestLogout, type LogoutStep } from '../interaction/logout.ts';
import { END_SESSION_PATH } from '../core/oidc/logout.ts';
import { consentPage, demoCallbackPage, formPostPage, loginPage, logoutPage } from '../interaction/views/index.ts';
import { PAGE_SCRIPT, PAGE_SCRIPT_ETAG, PAGE_SCRIPT_PATH } from '../interaction/views/page-script.ts';
import { cookieJar } from './cookies.ts';
import { sendErrorPage } from './error-page.ts';
import { sendPage } from './pages-common.ts';
import { oauthParams } from './params.ts';

/** CSRF token for forms: derived from the HttpOnly browser cookie (double submit that an attacker cannot read). */
export const csrfFor = (browser: BrowserState) => sha256(`csrf:${browser.browser}`);

export const DEMO_CALLBACK_PATH = '/demo/callback';
export const DEMO_CLIENT_ID = 'demo-app';

/** The demo application's authorization URL, as printed at first start, with a fresh state. */
export function demoAuthorizationUrl(config: AppDeps['config']): string {
  const url = new URL(config.issuer + config.paths.authorization);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: DEMO_CLIENT_ID,
    redirect_uri: config.issuer + DEMO_CALLBACK_PATH,
    scope: 'openid profile email',
    state: randomBytes(6).toString('base64url'),
  }).toString();
  return url.toString();
}

const interactionPath = (id: string) => `/interaction/${encodeURIComponent(id)}`;

/** The host a redirect URI sends the browser to; a private-use scheme (RFC 8252 §7.1) names the app instead. */
function redirectHost(uri: string): string {
  try {
    const url = new URL(uri);
    return url.host === '' ? `${url.protocol.slice(0, -1)} (an app on this device)` : url.host;
  } catch {
    return uri;
  }
}

/** Renders a step of the flow as a page or a redirect. */
function stepRenderer(theme: AppDeps['config']['theme']) {
  const respond = (reply: FastifyReply, res: AuthorizationResponse) => {
    if (res.responseMode === 'form_post') {
      return sendPage(reply, (nonce) => formPostPage({ action: res.redirectUri, params: res.params, nonce }));
    }
    return reply.header('cache-control', 'no-store').redirect(redirectUrl(res), 303);
  };

  const render = (reply: FastifyReply, step: Step, browser: BrowserState): FastifyReply => {
    const csrf = csrfFor(browser);
    switch (step.kind) {
      case 'error_page':
        reply.code(step.error.status === 500 ? 500 : 400);
        // The page's reference is this request's id: this line carries it as reqId.
        reply.request.log.info({ event: 'error_page', error: step.error.error, reason: step.help?.reason }, step.error.description);
        return sendErrorPage(reply, step.error, step.help, theme);
      case 'respond':
        return respond(reply, step.response);
      case 'login':
        if (step.status) reply.code(step.status);
        return sendPage(reply, (nonce) =>
          loginPage({ action: `${interactionPath(step.interactionId)}/login`, csrf, clientName: step.client.name, error: step.error, username: step.username, nonce, theme }),
        );
      case 'consent':
        return sendPage(reply, (nonce) =>
          consentPage({
            action: `${interactionPath(step.interactionId)}/consent`,
            csrf,
            clientName: step.client.name,
            username: step.user.name ?? step.user.username,
            scopes: step.scopes,
            // A client that registered itself was never vetted by the operator: say so, and where it sends the person.
            unvetted: step.client.origin === 'dynamic' ? { redirectHost: redirectHost(step.redirectUri) } : undefined,
            resources: step.resources,
            nonce,
            theme,
            document: step.client.origin === 'metadata-document' ? { clientIdHost: new URL(step.client.id).host, redirectHost: redirectHost(step.redirectUri) } : undefined,
          }),
        );
    }
  };
  return render;
}

/**
 * The authorization endpoint for already-parsed parameters: the standard route and the migration profiles' routes
 * (src/http/profile-routes.ts) share it, so both run the same checks and pages.
 */
export function authorizationHandler(deps: AppDeps): (req: FastifyRequest, reply: FastifyReply, params: Params) => Promise<FastifyReply> {
  const cookies = cookieJar(deps.config);
  const render = stepRenderer(deps.config.theme);
  return async (req, reply, params) => {
    const browser = cookies.browser(req, reply);
    const step = await authorize(deps, params, browser);
    // Login and consent pages live on their own URL, so a reload does not resend the authorization request.
    if (step.kind === 'login' || step.kind === 'consent') return reply.redirect(interactionPath(step.interactionId), 303);
    return render(reply, step, browser);
  };
}

/** The parameters of an RP-Initiated Logout request (RP-Initiated Logout 1.0 §2). */
const LOGOUT_PARAMS = ['id_token_hint', 'client_id', 'post_logout_redirect_uri', 'state', 'ui_locales', 'logout_hint'] as const;

/** The authorization endpoint and the login, consent and logout pages. */
export function registerPageRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { config } = deps;
  const theme = config.theme;
  const cookies = cookieJar(config);
  const throttle = loginThrottle(deps.repos.throttle, config.rateLimit);
  const page = { config: { errorStyle: 'page' as const } };
  const render = stepRenderer(theme);
  const authorizeRequest = authorizationHandler(deps);

  const checkCsrf = (req: FastifyRequest, browser: BrowserState) => {
    const sent = oauthParams(req.body)['csrf'];
    if (!sent || !constantTimeEqual(sent, csrfFor(browser))) {
      throw new InvalidRequest('The form has expired or did not come from this site. Go back and try again.', { status: 403 });
    }
  };

  // RFC 6749 §3.1: the authorization endpoint supports GET and may support POST (form-encoded).
  app.route({
    method: ['GET', 'POST'],
    url: config.paths.authorization,
    ...page,
    handler: async (req, reply) => authorizeRequest(req, reply, oauthParams(req.query, req.method === 'POST' ? req.body : undefined)),
  });

  app.get<{ Params: { id: string } }>('/interaction/:id', page, async (req, reply) => {
    const browser = cookies.browser(req, reply);
    return render(reply, await resume(deps, req.params.id, browser), browser);
  });

  // "Start again" on the page of an expired sign-in: the same authorization request in a new interaction.
  app.get<{ Params: { id: string } }>('/interaction/:id/restart', page, async (req, reply) => {
    const browser = cookies.browser(req, reply);
    const step = await restart(deps, req.params.id, browser);
    if (step.kind === 'login' || step.kind === 'consent') return reply.header('cache-control', 'no-store').redirect(interactionPath(step.interactionId), 303);
    return render(reply, step, browser);
  });

  app.post<{ Params: { id: string } }>('/interaction/:id/login', page, async (req, reply) => {
    const browser = cookies.browser(req, reply);
    checkCsrf(req, browser);
    const body = oauthParams(req.body);
    const result = await submitLogin(deps, throttle, {
      interactionId: req.params.id,
      browser,
      username: body['username'] ?? '',
      password: body['password'] ?? '',
      address: req.ip,
      userAgent: req.headers['user-agent'],
    });
    if ('step' in result) return render(reply, result.step, browser);
    cookies.setSession(reply, result.session);
    return reply.redirect(interactionPath(req.params.id), 303);
  });

  app.post<{ Params: { id: string } }>('/interaction/:id/consent', page, async (req, reply) => {
    const browser = cookies.browser(req, reply);
    checkCsrf(req, browser);
    const decision = oauthParams(req.body)['decision'];
    if (decision !== 'allow' && decision !== 'deny') throw new InvalidRequest('choose Allow or Deny');
    return render(reply, await decideConsent(deps, req.params.id, browser, decision === 'allow'), browser);
  });

  // RP-Initiated Logout 1.0 §2: the end_session_endpoint takes GET and POST. A POST with the request's parameters and
  // without the confirmation form's fields (csrf, confirm) is a relying party's request; any other POST is the
  // person's answer, and must pass CSRF (an empty forged POST is refused, not shown a page).
  const renderLogout = async (reply: FastifyReply, step: LogoutStep, browser: BrowserState): Promise<FastifyReply> => {
    const csrf = csrfFor(browser);
    switch (step.kind) {
      case 'error':
        reply.code(400);
        reply.request.log.info({ event: 'error_page', error: step.error.error, reason: 'logout_request' }, step.error.description);
        return sendErrorPage(reply, step.error, undefined, theme);
      case 'ended':
        cookies.clearSession(reply);
        if (step.redirectTo !== undefined) return reply.header('cache-control', 'no-store').redirect(step.redirectTo, 303);
        return sendPage(reply, (nonce) => logoutPage({ action: END_SESSION_PATH, csrf, done: true, nonce, theme }));
      case 'confirm': {
        const { client, postLogoutRedirectUri, state } = step.request;
        const fields: Record<string, string> = {};
        // The hint is not carried (no token in a page): the client it named is, and is checked again on POST.
        if (client) fields['client_id'] = client.id;
        if (postLogoutRedirectUri !== undefined) fields['post_logout_redirect_uri'] = postLogoutRedirectUri;
        if (state !== undefined) fields['state'] = state;
        return sendPage(reply, (nonce) =>
          logoutPage({ action: END_SESSION_PATH, csrf, username: step.username, clientName: client?.name, fields, nonce, theme }),
        );
      }
    }
  };

  app.route({
    method: ['GET', 'POST'],
    url: END_SESSION_PATH,
    ...page,
    handler: async (req, reply) => {
      const browser = cookies.browser(req, reply);
      const params = oauthParams(req.method === 'POST' ? req.body : req.query);
      const answer = params['csrf'] !== undefined || params['confirm'] !== undefined || !LOGOUT_PARAMS.some((k) => params[k] !== undefined);
      if (req.method === 'POST' && answer) {
        checkCsrf(req, browser);
        return renderLogout(reply, await confirmLogout(deps, params, browser), browser);
      }
      return renderLogout(reply, await requestLogout(deps, params, browser), browser);
    },
  });

  // The pages' script (Copy buttons), same-origin so the nonce CSP allows it.
  app.get(PAGE_SCRIPT_PATH, async (req, reply) => {
    reply.header('etag', PAGE_SCRIPT_ETAG).header('cache-control', 'public, max-age=3600');
    if (req.headers['if-none-match'] === PAGE_SCRIPT_ETAG) return reply.code(304).send();
    return reply.type('text/javascript; charset=utf-8').send(PAGE_SCRIPT);
  });

  // The landing page of the first-start demo application: shows the code, its remaining lifetime, and how to exchange it.
  app.get(DEMO_CALLBACK_PATH, page, async (req, reply) => {
    const params = Object.fromEntries(Object.entries(oauthParams(req.query)));
    const now = deps.clock.now();
    const code = params['code'] === undefined ? undefined : await deps.repos.codes.find(credentialKey(params['code']));
    // Only the demo application's codes: the page says nothing about other clients' codes.
    const demoCode = code?.clientId === DEMO_CLIENT_ID ? code : undefined;
    return sendPage(reply, (nonce) =>
      demoCallbackPage({
        params,
        tokenEndpoint: config.issuer + config.paths.token,
        clientId: DEMO_CLIENT_ID,
        redirectUri: config.issuer + DEMO_CALLBACK_PATH,
        codeExpiresIn: params['code'] === undefined ? undefined : demoCode && demoCode.consumedAt === null ? demoCode.expiresAt - now : 0,
        authorizationUrl: demoAuthorizationUrl(config),
        nonce,
        theme,
      }),
    );
  });
}
