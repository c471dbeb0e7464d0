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
  /** RFC 8707: the APIs the access will be for, named so the person knows where their data goes. */
  resources?: readonly { id: string; name: string }[] | undefined;
  nonce?: string | undefined;
  theme?: Theme | undefined;
}

export function consentPage({ action, csrf, clientName, username, scopes, resources = [], nonce, theme }: ConsentPageOptions): string {
  const requested =
    scopes.length === 0
      ? html`<p>${clientName} asks only to know who you are.</p>`
      : html`<p>It will be able to:</p>
<ul class="lk-scopes">
${scopes.map((s) => html`<li>${s.description} <code>${s.name}</code></li>\n`)}</ul>`;
  const apis =
    resources.length === 0
      ? ''
      : html`<p>On your behalf, at:</p>
<ul class="lk-resources">
${resources.map((r) => html`<li>${r.name} <code>${r.id}</code></li>\n`)}</ul>`;
  const body = html`<h1>${clientName} wants to access your account</h1>
<p class="lk-muted">Signed in as <strong>${username}</strong></p>
${requested}
${apis}
<form method="post" action="${action}">
<input type="hidden" name="csrf" value="${csrf}">
<div class="lk-actions">
<button type="submit" name="decision" value="allow" class="lk-button">Allow</button>
<button type="submit" name="decision" value="deny" class="lk-button lk-button-secondary">Deny</button>
</div>
</form>`;
  return layout({ title: 'Authorize access', body, nonce, theme });
}
