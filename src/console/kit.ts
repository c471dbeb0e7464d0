import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CookieSerializeOptions } from '@fastify/cookie';
import { adminFromToken } from '../admin/auth.ts';
import type { AdminContext, AdminDeps } from '../admin/context.ts';
import { AdminError } from '../admin/errors.ts';
import { constantTimeEqual, sha256 } from '../core/crypto.ts';
import { AccessDenied, InvalidRequest, InvalidToken } from '../core/errors.ts';
import { InvalidCursor } from '../core/admin-repositories.ts';
import type { SafeHtml } from '../interaction/html.ts';
import { appLayout, type NavItem } from './views/layout.ts';
import { consoleMessagePage, consoleSignInPage } from './views/directory.ts';
import { reloadPage } from '../interaction/views/reload.ts';
import { cookieSecurity, localPath } from '../http/first-party-signin.ts';
import { sendPage } from '../http/pages-common.ts';
import { MALFORMED, type RawParams } from '../http/params.ts';

/**
 * The console's plumbing: its session cookie, the guard every page goes through, CSRF, form reading, and rendering
 * with a strict CSP. The session cookie holds the console's own access token (admin scope), HttpOnly and
 * SameSite=Strict: the page's JavaScript never sees it, and each request checks it as the admin API would.
 */

export const CONSOLE_NAV: readonly NavItem[] = [
  { href: '/console/overview', label: 'Overview' },
  { href: '/console/applications', label: 'Applications' },
  { href: '/console/users', label: 'Users' },
  { href: '/console/scopes', label: 'Scopes' },
  { href: '/console/settings', label: 'Token settings' },
  { href: '/console/grants', label: 'Grants' },
  { href: '/console/sessions', label: 'Sessions' },
  { href: '/console/audit', label: 'Audit log' },
  { href: '/console/keys', label: 'Signing keys' },
  { href: '/console/resources', label: 'Resources (APIs)' },
  { href: '/console/trusted-issuers', label: 'Trusted issuers' },
];

/**
 * CSP for the console and the account page: nonce'd style and script only, forms post only to Latchkey itself.
 * (form-action also governs the redirects after a post; every form here redirects within Latchkey.)
 */
export function sendAppPage(reply: FastifyReply, render: (nonce: string) => string): FastifyReply {
  const nonce = randomBytes(16).toString('base64');
  return reply
    .header(
      'content-security-policy',
      `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
    )
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(render(nonce));
}

/** Form fields: one value each, or every value of a repeated field (checkboxes). */
export interface FormReader {
  get(name: string): string;
  all(name: string): string[];
  has(name: string): boolean;
}

export function readForm(body: unknown): FormReader {
  const raw = (body ?? {}) as RawParams;
  // An OAuthError, not an AdminError: it is thrown outside the page guard too (a query read before sign-in), where
  // only OAuthErrors become a 400 page; anything else would be a 500 (issue 10, defect 8).
  if (typeof raw !== 'object' || raw[MALFORMED]) throw new InvalidRequest(raw[MALFORMED] ?? 'the form could not be read');
  const values = (name: string): string[] => {
    const v = Object.hasOwn(raw, name) ? raw[name] : undefined;
    if (v === undefined) return [];
    return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
  };
  return { get: (n) => values(n)[0] ?? '', all: values, has: (n) => values(n).length > 0 };
}

export interface ConsolePage {
  ctx: AdminContext;
  csrf: string;
  form: FormReader;
  /** Renders a console page with the navigation and the signed-in administrator. */
  render(o: { title: string; current?: string; body: SafeHtml; status?: number; canonical?: string }): FastifyReply;
}

export type ConsoleHandler<P> = (req: FastifyRequest<{ Params: P }>, reply: FastifyReply, page: ConsolePage) => Promise<FastifyReply>;

export function consoleKit(deps: AdminDeps) {
  const { secure, prefix } = cookieSecurity(deps.config);
  const name = `${prefix}lk_console`;
  const base: CookieSerializeOptions = { httpOnly: true, sameSite: 'strict', secure, path: secure ? '/' : '/console' };
  const theme = deps.config.theme;
  const csrfFor = (token: string) => sha256(`console-csrf:${token}`);

  const bare = (reply: FastifyReply, title: string, body: SafeHtml, status = 200) =>
    sendAppPage(reply.code(status), (nonce) => appLayout({ title, body, nonce, theme, area: 'console', nav: [] }));

  /**
   * Every console page: signed in as an administrator, and for a POST, the form's CSRF token. Without a session
   * cookie a GET goes straight to the login page, as /account does. A SameSite=Strict cookie is withheld on a
   * navigation that came from another site (Sec-Fetch-Site: cross-site), and a redirect chain that started there stays
   * cross-site, so redirecting then could loop through sign-in: such a request first reloads itself from this origin
   * (a meta refresh, no script needed), which carries the cookie if there is one.
   */
  function page<P = Record<string, never>>(handler: ConsoleHandler<P>) {
    return async (req: FastifyRequest<{ Params: P }>, reply: FastifyReply): Promise<FastifyReply> => {
      const token = req.cookies[name];
      const returnTo = localPath(req.method === 'GET' ? req.url : undefined, '/console', '/console/applications');
      if (!token && req.method === 'GET') {
        if (req.headers['sec-fetch-site'] === 'cross-site') return sendPage(reply, (nonce) => reloadPage({ title: 'Opening the console', href: returnTo, nonce, theme }));
        return reply.header('cache-control', 'no-store').redirect(`/console/login?return=${encodeURIComponent(returnTo)}`, 303);
      }
      if (!token) return bare(reply, 'Sign in', consoleSignInPage({ returnTo, message: 'You are not signed in to the console, so the form was not saved. Sign in and try again.' }), 401);
      let ctx: AdminContext;
      try {
        ctx = { deps, actor: await adminFromToken(deps, token, req.ip) };
      } catch (err) {
        if (err instanceof InvalidToken) {
          reply.clearCookie(name, base);
          // The cookie came along, so this navigation is same-site: going straight to sign-in cannot loop.
          if (req.method === 'GET') return reply.redirect(`/console/login?return=${encodeURIComponent(returnTo)}`, 303);
          return bare(reply, 'Sign in', consoleSignInPage({ returnTo, message: 'Your console session has expired, so the form was not saved. Sign in and try again.' }), 401);
        }
        if (err instanceof AccessDenied) return bare(reply, 'Not an administrator', consoleMessagePage({ heading: 'Not an administrator', text: 'Your account cannot use the console.', links: [{ href: '/account', label: 'Your account' }] }), 403);
        throw err;
      }
      const csrf = csrfFor(token);
      const form = readForm(req.body);
      if (req.method === 'POST' && !constantTimeEqual(form.get('csrf'), csrf)) {
        return bare(reply, 'Form expired', consoleMessagePage({ heading: 'The form has expired', text: 'It did not come from this console session. Go back, reload the page and try again.' }), 403);
      }
      const render: ConsolePage['render'] = (o) =>
        sendAppPage(reply.code(o.status ?? 200), (nonce) =>
          appLayout({
            title: o.title,
            body: o.body,
            nonce,
            theme,
            area: 'console',
            nav: CONSOLE_NAV,
            current: o.current,
            user: { name: ctx.actor.username, signOutAction: '/console/logout', csrf },
            canonical: o.canonical,
          }),
        );
      try {
        return await handler(req, reply, { ctx, csrf, form, render });
      } catch (err) {
        if (err instanceof InvalidCursor) {
          return render({ title: 'Page not found', status: 422, body: consoleMessagePage({ heading: 'That page link no longer works', text: 'Start again from the first page of the list.' }) });
        }
        if (!(err instanceof AdminError)) throw err;
        // Errors a form does not handle itself (a missing entity, a built-in one): a page in the console's frame.
        const heading = err.status === 404 ? 'Not found' : err.status === 409 ? 'That cannot be done' : 'There is a problem';
        return render({ title: heading, status: err.status, body: consoleMessagePage({ heading, text: err.description, links: [{ href: '/console/applications', label: 'Back to the console' }] }) });
      }
    };
  }

  return {
    page,
    bare,
    cookieName: name,
    setSession(reply: FastifyReply, accessToken: string, seconds: number): void {
      reply.setCookie(name, accessToken, { ...base, maxAge: seconds });
    },
    clearSession(reply: FastifyReply): void {
      reply.clearCookie(name, base);
    },
    csrfFor,
  };
}

/** Where to go after a form: a console path from the form's `back` field, or `fallback`. */
export const backTo = (form: FormReader, fallback: string): string => localPath(form.get('back') || undefined, '/console', fallback);

/** Adds a notice code to a path; the page shows the fixed message for it (never text from the URL). */
export function withNotice(path: string, notice: string): string {
  return `${path}${path.includes('?') ? '&' : '?'}notice=${encodeURIComponent(notice)}`;
}

export const NOTICES: Readonly<Record<string, string>> = {
  'application-deleted': 'The application was deleted and everything issued to it revoked.',
  'application-disabled': 'The application is disabled: it cannot sign anyone in or get tokens, and its tokens are inactive.',
  'application-enabled': 'The application is enabled again.',
  'user-created': 'The user was created.',
  'user-deleted': 'The user was deleted, their sessions ended and their tokens revoked.',
  'user-disabled': 'The account is disabled: its sessions ended and its tokens were revoked.',
  'user-enabled': 'The account is enabled again.',
  'sessions-ended': 'Every session of the user has ended.',
  'password-reset': 'The password was changed and the user’s sessions ended.',
  saved: 'Your changes were saved.',
  'scope-saved': 'The scope was saved.',
  'scope-deleted': 'The scope was deleted.',
  'grant-revoked': 'The grant and all its tokens were revoked.',
  'session-ended': 'The session has ended.',
};

export const noticeFrom = (query: unknown, notices: Readonly<Record<string, string>> = NOTICES): string | undefined => {
  const code = (query as Record<string, unknown> | undefined)?.['notice'];
  return typeof code === 'string' && Object.hasOwn(notices, code) ? notices[code] : undefined;
};

/**
 * Route options of every console page: errors outside a handler render as a page, and a form may repeat a field
 * (one checkbox per grant type or scope).
 */
export const PAGE = { config: { errorStyle: 'page' as const, repeatedFields: true } };

export type ConsoleKit = ReturnType<typeof consoleKit>;

/** The form's strings as the API's JSON: numbers where digits were typed, null for empty lifetimes. */
export function ttlValue(s: string): unknown {
  const t = s.trim();
  if (t === '') return null;
  if (t === 'never') return 'never';
  return /^[0-9]{1,12}$/.test(t) ? Number(t) : t;
}

export const orNull = (s: string) => (s.trim() === '' ? null : s.trim());

/** Runs an operation; a 422 or 409 comes back as field errors (or a message) for the form to show again. */
export async function attempt<T>(fn: () => Promise<T>): Promise<{ ok: T } | { errors: Record<string, string>; message?: string; status: number }> {
  try {
    return { ok: await fn() };
  } catch (err) {
    if (err instanceof AdminError && (err.status === 422 || err.status === 409)) {
      return err.fields ? { errors: { ...err.fields }, status: err.status } : { errors: {}, message: err.description, status: err.status };
    }
    throw err;
  }
}
