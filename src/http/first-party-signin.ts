import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { AppDeps } from '../app-deps.ts';
import type { Config } from '../config/schema.ts';
import { constantTimeEqual } from '../core/crypto.ts';
import { tokenEndpoint } from '../core/token/endpoint.ts';
import type { TokenResponse } from '../core/token/issue.ts';

/**
 * How the console and the account page sign people in: as public clients of this very Latchkey, through the ordinary
 * authorization endpoint with state and PKCE (RFC 7636 §4.1-4.2), so they go through the same login page, throttling,
 * SSO session and audit as any application. The state, the code verifier and where to go afterwards wait in a
 * short-lived HttpOnly cookie on the callback's path.
 */

export function cookieSecurity(config: Config): { secure: boolean; prefix: string } {
  const secure = config.cookies.secure === 'auto' ? config.issuer.startsWith('https:') : config.cookies.secure;
  return { secure, prefix: secure ? '__Host-' : '' };
}

export interface FirstPartySignInOptions {
  clientId: string;
  /** Where the authorization server sends the browser back; registered as the client's redirect URI. */
  callbackPath: string;
  scope: string;
  /** Cookie name without prefix. */
  cookie: string;
  /** Exchange the code for tokens (the console needs an access token; the account page only the SSO session). */
  exchange: boolean;
}

export type SignInResult =
  | { ok: true; returnTo: string; tokens: TokenResponse | undefined }
  | { ok: false; error: string; description: string };

const b64 = (s: string) => Buffer.from(s).toString('base64url');
const unb64 = (s: string) => Buffer.from(s, 'base64url').toString('utf8');

export function firstPartySignIn(deps: AppDeps, o: FirstPartySignInOptions) {
  const { secure, prefix } = cookieSecurity(deps.config);
  const name = `${prefix}${o.cookie}`;
  // __Host- cookies must use path=/; otherwise keep the cookie to the callback.
  const base: CookieSerializeOptions = { httpOnly: true, sameSite: 'lax', secure, path: secure ? '/' : o.callbackPath };
  const redirectUri = deps.config.issuer + o.callbackPath;
  const token = tokenEndpoint(deps, deps.grants);

  return {
    /** Redirects to the authorization endpoint; `returnTo` must already be a safe local path. */
    start(reply: FastifyReply, returnTo: string): FastifyReply {
      const state = randomBytes(16).toString('base64url');
      const verifier = randomBytes(32).toString('base64url');
      reply.setCookie(name, `${state}.${verifier}.${b64(returnTo)}`, { ...base, maxAge: deps.config.session.interactionTtl });
      const query = new URLSearchParams({
        response_type: 'code',
        client_id: o.clientId,
        redirect_uri: redirectUri,
        state,
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
        ...(o.scope ? { scope: o.scope } : {}),
      });
      return reply.header('cache-control', 'no-store').redirect(`${deps.config.paths.authorization}?${query.toString()}`, 303);
    },

    /** Checks the callback against the cookie, and exchanges the code when asked to. */
    async finish(req: FastifyRequest, reply: FastifyReply, query: Readonly<Record<string, string>>): Promise<SignInResult> {
      const [state = '', verifier = '', returnTo = ''] = (req.cookies[name] ?? '').split('.');
      reply.clearCookie(name, base);
      if (!state || !query['state'] || !constantTimeEqual(state, query['state'])) {
        return { ok: false, error: 'invalid_request', description: 'This sign-in has expired or was started in another browser. Start again.' };
      }
      if (query['error'] !== undefined) return { ok: false, error: query['error'], description: query['error_description'] ?? 'The sign-in was refused.' };
      const code = query['code'];
      if (!code) return { ok: false, error: 'invalid_request', description: 'The sign-in did not return a code. Start again.' };
      let tokens: TokenResponse | undefined;
      if (o.exchange) {
        tokens = await token({
          params: { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier, client_id: o.clientId },
          authorization: undefined,
          address: req.ip,
        });
      }
      return { ok: true, returnTo: unb64(returnTo), tokens };
    },
  };
}

/** A path under `prefix` to go back to after signing in; anything else (another site, odd syntax) becomes `fallback`. */
export function localPath(value: string | undefined, prefix: string, fallback: string): string {
  if (value === undefined) return fallback;
  const ok = value === prefix || (value.startsWith(`${prefix}/`) || value.startsWith(`${prefix}?`));
  return ok && !/[\\\s]|\/\/|\/\.\.?(\/|$)/.test(value) && value.length <= 2000 ? value : fallback;
}
