import { html } from '../html.ts';
import { DEFAULT_PRODUCT, layout, type Theme } from './layout.ts';

export interface LogoutPageOptions {
  action: string;
  csrf: string;
  username?: string | undefined;
  done?: boolean | undefined;
  /** The application that asked to sign out (RP-Initiated Logout 1.0), named on the confirmation. */
  clientName?: string | undefined;
  /** The checked logout request carried through the confirmation (client_id, post_logout_redirect_uri, state). */
  fields?: Readonly<Record<string, string>> | undefined;
  nonce?: string | undefined;
  theme?: Theme | undefined;
}

export function logoutPage({ action, csrf, username, done, clientName, fields, nonce, theme }: LogoutPageOptions): string {
  if (done) {
    const body = html`<h1>You are signed out</h1>
<p>You can now close this window.</p>`;
    return layout({ title: 'Signed out', body, nonce, theme });
  }
  const product = theme?.productName || DEFAULT_PRODUCT;
  const hidden = Object.entries(fields ?? {}).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">\n`);
  const body = html`<h1>Sign out of ${product}?</h1>
${username ? html`<p class="lk-muted">Signed in as <strong>${username}</strong></p>` : ''}
${clientName ? html`<p><strong>${clientName}</strong> asks to sign you out.</p>` : ''}
<p>Do you want to sign out?</p>
<form method="post" action="${action}">
<input type="hidden" name="csrf" value="${csrf}">
<input type="hidden" name="confirm" value="yes">
${hidden}<div class="lk-actions"><button type="submit" class="lk-button">Sign out</button></div>
</form>`;
  return layout({ title: 'Sign out', body, nonce, theme });
}
