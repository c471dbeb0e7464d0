import { html } from '../html.ts';
import { layout, type Theme } from './layout.ts';

export interface LoginPageOptions {
  action: string;
  csrf: string;
  clientName: string;
  username?: string | undefined;
  error?: string | undefined;
  nonce?: string | undefined;
  theme?: Theme | undefined;
}

/** Sign-in form. The password is never rendered back into the page. */
export function loginPage({ action, csrf, clientName, username, error, nonce, theme }: LoginPageOptions): string {
  const invalid = error ? html` aria-invalid="true" aria-describedby="lk-error"` : '';
  const body = html`<h1>Sign in</h1>
<p class="lk-muted">Sign in to continue to <strong>${clientName}</strong></p>
${error ? html`<p id="lk-error" class="lk-error" role="alert">${error}</p>` : ''}
<form method="post" action="${action}">
<input type="hidden" name="csrf" value="${csrf}">
<label for="lk-username">Username</label>
<input type="text" id="lk-username" name="username" value="${username ?? ''}" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus${invalid}>
<label for="lk-password">Password</label>
<input type="password" id="lk-password" name="password" autocomplete="current-password" required${invalid}>
<div class="lk-actions"><button type="submit" class="lk-button">Sign in</button></div>
</form>`;
  return layout({ title: 'Sign in', body, nonce, theme });
}
