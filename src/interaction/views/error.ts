import { html, type SafeHtml } from '../html.ts';
import { layout, type Theme } from './layout.ts';

export interface ErrorPageLink {
  href: string;
  label: string;
}

export interface ErrorPageOptions {
  /** A plain-language title: what went wrong, for the person in front of the page. */
  title: string;
  /** What happened, in a sentence or two. */
  message: string;
  /** What the person can do about it. */
  advice: string;
  /** Ways on: start again, back to the application. The first is the main action. */
  links?: readonly ErrorPageLink[] | undefined;
  /** OAuth error code, e.g. `invalid_request`: for the developer, below. */
  error: string;
  /** The technical description (safe to show: never a secret). */
  description: string;
  /** What the request carried (client_id, redirect_uri), shown as received, escaped. */
  received?: readonly (readonly [string, string])[] | undefined;
  /** The correlation id: Fastify's request id, which the request's log lines carry as `reqId`. */
  requestId?: string | undefined;
  nonce?: string | undefined;
  theme?: Theme | undefined;
}

function reference(requestId: string | undefined, supportUrl: string | undefined): SafeHtml | string {
  if (!requestId) return '';
  const ref = html`<code class="lk-ref">${requestId}</code>`;
  // supportUrl is https: or mailto: only (config schema), so it is safe in an href.
  if (supportUrl) return html`<p class="lk-muted">If you need help, <a href="${supportUrl}">contact the people who run this service</a>, quoting the reference ${ref}.</p>`;
  return html`<p class="lk-muted">If you contact the people who run this service, quote the reference ${ref}.</p>`;
}

/**
 * Every error a person can land on: the authorization endpoint when it must not redirect (RFC 6749 §4.1.2.1), an
 * expired sign-in, a page that does not exist. Written for the person first (what happened, what to do, a way on),
 * with the technical detail below for the developer and a reference that matches the log line.
 */
export function errorPage(o: ErrorPageOptions): string {
  const links = o.links ?? [];
  const body = html`<h1>${o.title}</h1>
<p>${o.message}</p>
<h2 class="lk-subhead">What you can do</h2>
<p>${o.advice}</p>
${links.length > 0
    ? html`<div class="lk-actions">${links.map((l, i) => html`<a class="lk-button${i > 0 ? ' lk-button-secondary' : ''}" href="${l.href}">${l.label}</a>`)}</div>`
    : ''}
${reference(o.requestId, o.theme?.supportUrl)}
<section class="lk-details" aria-labelledby="lk-details-heading">
<h2 id="lk-details-heading" class="lk-subhead">Details for the developer</h2>
<dl>
<dt>Error</dt><dd><code>${o.error}</code></dd>
<dt>Description</dt><dd>${o.description}</dd>
${(o.received ?? []).map(([name, value]) => html`<dt>${name} received</dt><dd><code>${value}</code></dd>\n`)}${o.requestId ? html`<dt>Reference</dt><dd><code>${o.requestId}</code></dd>` : ''}
</dl>
</section>`;
  return layout({ title: o.title, body, nonce: o.nonce, theme: o.theme });
}
