import { html } from '../html.ts';
import { layout, type Theme } from './layout.ts';

export interface LogoutPageOptions {
  action: string;
  csrf: string;
  username?: string | undefined;
  done?: boolean | undefined;
  nonce?: string | undefined;
  theme?: Theme | undefined;
}

export function logoutPage({ action, csrf, username, done, nonce, theme }: LogoutPageOptions): string {
  if (done) {
    const body = html`<h1>You are signed out</h1>
<p>You can now close this window.</p>`;
    return layout({ title: 'Signed out', body, nonce, theme });
  }
  const body = html`<h1>Sign out</h1>
${username ? html`<p class="lk-muted">Signed in as <strong>${username}</strong></p>` : ''}
<p>Do you want to sign out?</p>
<form method="post" action="${action}">
<input type="hidden" name="csrf" value="${csrf}">
<div class="lk-actions"><button type="submit" class="lk-button">Sign out</button></div>
</form>`;
  return layout({ title: 'Sign out', body, nonce, theme });
}
