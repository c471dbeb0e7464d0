import { html } from '../html.ts';
import { layout, type Theme } from './layout.ts';

/**
 * A page that at once loads `href` (a same-origin path) again, by a meta refresh: the new navigation starts on this
 * origin, so the browser sends SameSite=Strict cookies it withheld from a navigation that came from another site.
 * Works without JavaScript; the link is there for a browser that ignores meta refresh.
 */
export function reloadPage(o: { title: string; href: string; nonce?: string | undefined; theme?: Theme | undefined }): string {
  const body = html`<h1>${o.title}…</h1>
<p><a href="${o.href}">Continue</a> if nothing happens.</p>`;
  return layout({ title: o.title, body, nonce: o.nonce, theme: o.theme, refresh: o.href });
}
