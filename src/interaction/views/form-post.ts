import { html } from '../html.ts';
import { layout } from './layout.ts';

export interface FormPostPageOptions {
  /** The client's redirect URI. */
  action: string;
  params: Readonly<Record<string, string>>;
  nonce: string;
}

/**
 * OAuth 2.0 Form Post Response Mode: auto-submits the response parameters to
 * the redirect URI, with a visible button when JavaScript is unavailable.
 * Only http(s) targets are accepted, so a `javascript:` action cannot slip in.
 */
export function formPostPage({ action, params, nonce }: FormPostPageOptions): string {
  const protocol = URL.parse(action)?.protocol;
  if (protocol !== 'https:' && protocol !== 'http:') {
    throw new TypeError('form_post target must be an http(s) URL');
  }
  const inputs = Object.entries(params).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">\n`,
  );
  const body = html`<form method="post" action="${action}">
${inputs}<noscript>
<h1>Continue to the application</h1>
<p>JavaScript is disabled. Select Continue to finish signing in.</p>
<div class="lk-actions"><button type="submit" class="lk-button">Continue</button></div>
</noscript>
</form>
<script nonce="${nonce}">document.forms[0].submit();</script>`;
  return layout({ title: 'Continue', body, nonce });
}
