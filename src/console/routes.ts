import type { FastifyInstance } from 'fastify';
import { CONSOLE_CALLBACK_PATH, CONSOLE_CLIENT_ID } from '../admin/built-in.ts';
import type { AdminDeps } from '../admin/context.ts';
import { credentialKey } from '../core/crypto.ts';
import { ADMIN_SCOPE } from '../core/scope.ts';
import { consoleMessagePage } from './views/directory.ts';
import { CONSOLE_SCRIPT_PATH } from './views/layout.ts';
import { CONSOLE_SCRIPT, CONSOLE_SCRIPT_ETAG } from './views/script.ts';
import { registerApplicationPages } from './application-pages.ts';
import { registerDirectoryPages } from './directory-pages.ts';
import { registerOverviewPage } from './overview-page.ts';
import { registerKeyPages } from './keys-pages.ts';
import { registerResourcePages } from './resources-pages.ts';
import { registerTrustedIssuerPages } from './trusted-issuers-pages.ts';
import { consoleKit, PAGE, readForm } from './kit.ts';
import { firstPartySignIn, localPath } from '../http/first-party-signin.ts';

/**
 * The web console (/console): server-rendered pages over the same operations as the admin API (src/admin), so every
 * action here is also an API call. Forms work without JavaScript; errors come back next to their field. This file
 * holds the sign-in and the script; the pages are in application-pages.ts, directory-pages.ts and the other *-page(s).ts files here.
 */

export function registerConsoleRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const kit = consoleKit(deps);
  const signIn = firstPartySignIn(deps, { clientId: CONSOLE_CLIENT_ID, callbackPath: CONSOLE_CALLBACK_PATH, scope: ADMIN_SCOPE, cookie: 'lk_console_signin', exchange: true });
  const page = PAGE;
  const { config } = deps;

  app.get(CONSOLE_SCRIPT_PATH, async (req, reply) => {
    reply.header('etag', CONSOLE_SCRIPT_ETAG).header('cache-control', 'public, max-age=3600');
    if (req.headers['if-none-match'] === CONSOLE_SCRIPT_ETAG) return reply.code(304).send();
    return reply.type('text/javascript; charset=utf-8').send(CONSOLE_SCRIPT);
  });

  app.get('/console', page, async (_req, reply) => reply.redirect('/console/applications', 303));

  // Signing in: the console is a public client of this Latchkey (PKCE); the admin scope goes to administrators only.
  app.get('/console/login', page, async (req, reply) => signIn.start(reply, localPath(readForm(req.query).get('return') || undefined, '/console', '/console/applications')));

  app.get(CONSOLE_CALLBACK_PATH, page, async (req, reply) => {
    const q = readForm(req.query);
    const result = await signIn.finish(req, reply, { state: q.get('state'), code: q.get('code'), ...(q.has('error') ? { error: q.get('error'), error_description: q.get('error_description') } : {}) });
    if (!result.ok) {
      const denied = result.error === 'access_denied';
      return kit.bare(
        reply,
        denied ? 'Not an administrator' : 'Sign-in failed',
        consoleMessagePage({
          heading: denied ? 'Not an administrator' : 'Sign-in failed',
          text: denied ? 'Only administrators can use the console. Ask an administrator if you need access.' : result.description,
          links: denied ? [{ href: '/account', label: 'Your account' }, { href: '/logout', label: 'Sign out' }] : [{ href: '/console/login', label: 'Sign in again' }],
        }),
        denied ? 403 : 400,
      );
    }
    const tokens = result.tokens;
    // The cookie outlives the token (it lasts as long as an SSO session): an expired token then brings the person
    // straight back through sign-in, silently while the SSO session lasts, instead of to the Sign in button.
    if (tokens) kit.setSession(reply, tokens.access_token, config.session.ttl);
    return reply.header('cache-control', 'no-store').redirect(localPath(result.returnTo, '/console', '/console/applications'), 303);
  });

  app.post(
    '/console/logout',
    page,
    kit.page(async (req, reply) => {
      // The console's token dies with its session; the SSO session is the sign-out page's business (/logout).
      const token = req.cookies[kit.cookieName];
      if (token) await deps.repos.tokens.revoke(credentialKey(token), deps.clock.now());
      kit.clearSession(reply);
      return reply.redirect('/console/signed-out', 303);
    }),
  );

  app.get('/console/signed-out', page, async (_req, reply) =>
    kit.bare(
      reply,
      'Signed out',
      consoleMessagePage({
        heading: 'You have signed out of the console',
        text: 'You may still be signed in to Latchkey itself, for other applications.',
        links: [{ href: '/console/login', label: 'Sign in again' }, { href: '/logout', label: 'Sign out of Latchkey' }],
      }),
    ),
  );

  registerOverviewPage(app, kit);
  registerApplicationPages(app, deps, kit);
  registerDirectoryPages(app, deps, kit);
  registerKeyPages(app, deps, kit);
  registerResourcePages(app, deps, kit);
  registerTrustedIssuerPages(app, deps, kit);
}
