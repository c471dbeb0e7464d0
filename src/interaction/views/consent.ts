import { html } from '../html.ts';
import { layout, type Theme } from './layout.ts';

export interface ConsentScope {
  name: string;
  description: string;
}

export interface ConsentPageOptions {
  action: string;
  csrf: string;
  clientName: string;
  username: string;
  scopes: readonly ConsentScope[];
  /** The client registered itself (RFC 7591): not vetted by the operator; the host it will send the person back to. */
  unvetted?: { redirectHost: string } | undefined;
  nonce?: string | undefined;
  theme?: Theme | undefined;
}

export function consentPage({ action, csrf, clientName, username, scopes, unvetted, nonce, theme }: ConsentPageOptions): string {
  const requested =
    scopes.length === 0
      ? html`<p>${clientName} asks only to know who you are.</p>`
      : html`<p>It will be able to:</p>
<ul class="lk-scopes">
${scopes.map((s) => html`<li>${s.description} <code>${s.name}</code></li>\n`)}</ul>`;
  const body = html`<h1>${clientName} wants to access your account</h1>
<p class="lk-muted">Signed in as <strong>${username}</strong></p>
${unvetted
  ? html`<p class="lk-error" role="note">This application registered itself: the operator of this server has not reviewed it. Allow it only if you trust <strong>${unvetted.redirectHost}</strong>, where you will be sent next.</p>
`
  : ''}${requested}
<form method="post" action="${action}">
<input type="hidden" name="csrf" value="${csrf}">
<div class="lk-actions">
<button type="submit" name="decision" value="allow" class="lk-button">Allow</button>
<button type="submit" name="decision" value="deny" class="lk-button lk-button-secondary">Deny</button>
</div>
</form>`;
  return layout({ title: 'Authorize access', body, nonce, theme });
}
