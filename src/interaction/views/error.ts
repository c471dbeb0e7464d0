import { html } from '../html.ts';
import { layout, type Theme } from './layout.ts';

export interface ErrorPageOptions {
  title?: string | undefined;
  /** OAuth error code, e.g. `invalid_request`. */
  error: string;
  /** Human-readable explanation. */
  description: string;
  nonce?: string | undefined;
  theme?: Theme | undefined;
}

/** Shown when the authorization endpoint must not redirect back to the client. */
export function errorPage({ title, error, description, nonce, theme }: ErrorPageOptions): string {
  const heading = title || 'Something went wrong';
  const body = html`<h1>${heading}</h1>
<p>${description}</p>
<p class="lk-muted">Error code: <code>${error}</code></p>`;
  return layout({ title: heading, body, nonce, theme });
}
