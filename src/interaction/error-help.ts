import type { OAuthError } from '../core/errors.ts';
import type { Client } from '../core/model.ts';
import type { ErrorPageLink } from './views/error.ts';

/**
 * What an error page says to the person in front of it. The OAuth error code and its lowercase description are for
 * the developer; the person gets a plain title, what happened, what to do, and a way on where one is known.
 */

export type ErrorReason =
  /** client_id or redirect_uri cannot be trusted: RFC 6749 §4.1.2.1 forbids redirecting, so the page is the answer. */
  | 'invalid_authorization_request'
  /** The sign-in (interaction) expired, ended, or belongs to another browser. */
  | 'sign_in_expired'
  | 'not_found';

export interface ErrorHelp {
  reason: ErrorReason;
  /** What the request carried, shown as received (escaped) for the developer. */
  received?: { clientId?: string | undefined; redirectUri?: string | undefined } | undefined;
  /** The application, when known: its name and, when one is safe to link, where to go back to. */
  application?: { name: string; url?: string | undefined } | undefined;
  /** Where "Start again" goes: the stored authorization request restarted in this browser. */
  restartHref?: string | undefined;
}

export interface ErrorCopy {
  title: string;
  message: string;
  advice: string;
  links: ErrorPageLink[];
  received: [string, string][];
}

/**
 * Where a person can go back to the application: the origin of a registered redirect URI (registered by the
 * operator, so safe to link, unlike the redirect_uri received), when it is a web address other than Latchkey itself.
 * Loopback and private-use scheme URIs belong to native apps, which a link cannot reopen.
 */
export function applicationUrl(client: Pick<Client, 'redirectUris'>, issuer: string): string | undefined {
  const own = new URL(issuer).origin;
  for (const uri of client.redirectUris) {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      continue;
    }
    if (url.protocol !== 'https:' || url.origin === own) continue;
    return `${url.origin}/`;
  }
  return undefined;
}

export function errorCopy(error: Pick<OAuthError, 'error' | 'status' | 'description'>, help: ErrorHelp | undefined, product: string): ErrorCopy {
  const received: [string, string][] = [];
  if (help?.received?.clientId !== undefined) received.push(['client_id', help.received.clientId]);
  if (help?.received?.redirectUri !== undefined) received.push(['redirect_uri', help.received.redirectUri]);
  const app = help?.application;
  const backLink: ErrorPageLink[] = app?.url ? [{ href: app.url, label: `Go to ${app.name}` }] : [];
  const links = (restart: boolean): ErrorPageLink[] => [...(restart && help?.restartHref ? [{ href: help.restartHref, label: 'Start again' }] : []), ...backLink];
  const reference = 'If it happens again, contact the people who run this service.';

  switch (help?.reason) {
    case 'invalid_authorization_request':
      return {
        title: 'This sign-in link does not work',
        message: app
          ? `${app.name} sent you here with a sign-in request that ${product} cannot accept, so it cannot safely send you back.`
          : `The application that sent you here made a sign-in request that ${product} cannot accept, so it cannot safely send you back.`,
        advice: `Go back to the application and try signing in again. If it keeps happening, the application is set up wrongly: tell its developer or the people who run ${product}.`,
        links: links(false),
        received,
      };
    case 'sign_in_expired':
      return help.restartHref
        ? {
            title: 'Your sign-in has expired',
            message: 'You took longer than the time allowed to sign in, so the sign-in was stopped to keep your account safe.',
            advice: `Start again: you go back to the sign-in page${app ? ` for ${app.name}` : ''}, and nothing was lost but the time.`,
            links: links(true),
            received,
          }
        : {
            title: 'This sign-in has expired',
            message: 'This sign-in has expired, has already finished, or was started in another browser.',
            advice: `Go back to the application and sign in again from there. ${reference}`,
            links: links(false),
            received,
          };
    case 'not_found':
      return {
        title: 'Page not found',
        message: 'There is no page at this address. The link may be mistyped or out of date.',
        advice: 'Check the address, or go back to the application you came from.',
        links: [{ href: '/account', label: 'Your account' }],
        received,
      };
    case undefined:
      break;
  }
  if (error.status === 429) {
    return { title: 'Too many attempts', message: 'There were too many requests in a short time.', advice: 'Wait a minute, then try again.', links: [], received };
  }
  if (error.status >= 500) {
    const unavailable = error.status === 503;
    return {
      title: unavailable ? 'Temporarily unavailable' : 'Something went wrong on our side',
      message: unavailable ? `${product} cannot answer right now.` : `${product} could not finish this request. It is not your fault.`,
      advice: `Try again in a moment. ${reference}`,
      links: [],
      received,
    };
  }
  if (error.status === 403) {
    return {
      title: 'This form has expired',
      message: 'The form was open too long, or did not come from this site, so it was not accepted.',
      advice: 'Go back, reload the page, and try again.',
      links: [],
      received,
    };
  }
  return {
    title: 'This request could not be understood',
    message: `${product} received a request it cannot read.`,
    advice: `Go back and try again. ${reference}`,
    links: [],
    received,
  };
}
