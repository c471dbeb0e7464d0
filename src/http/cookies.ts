import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { Config } from '../config/schema.ts';
import { randomId } from '../core/crypto.ts';
import type { BrowserState } from '../interaction/flow.ts';

/** Cookies: HttpOnly, SameSite=Lax, Secure (with the __Host- prefix) when the issuer is https. */
export function cookieJar(config: Config) {
  const secure = config.cookies.secure === 'auto' ? config.issuer.startsWith('https:') : config.cookies.secure;
  const prefix = secure ? '__Host-' : '';
  const names = { browser: `${prefix}lk_browser`, session: `${prefix}lk_session` };
  const base: CookieSerializeOptions = { httpOnly: true, sameSite: 'lax', secure, path: '/' };
  return {
    names,
    /** The browser-binding cookie, created on first visit. */
    browser(req: FastifyRequest, reply: FastifyReply): BrowserState {
      let browser = req.cookies[names.browser];
      if (!browser || !/^[A-Za-z0-9_-]{22,64}$/.test(browser)) {
        browser = randomId(32);
        reply.setCookie(names.browser, browser, { ...base, maxAge: 365 * 24 * 3600 });
      }
      return { browser, session: req.cookies[names.session], address: req.ip };
    },
    setSession(reply: FastifyReply, value: string): void {
      reply.setCookie(names.session, value, { ...base, maxAge: config.session.ttl });
    },
    clearSession(reply: FastifyReply): void {
      reply.clearCookie(names.session, base);
    },
  };
}
export type CookieJar = ReturnType<typeof cookieJar>;
