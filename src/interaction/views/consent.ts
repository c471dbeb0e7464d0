import { html, type SafeHtml } from '../html.ts';
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
  /** RFC 8707: the APIs the access will be for, named so the person knows where their data goes. */
  resources?: readonly { id: string; name: string }[] | undefined;
  nonce?: string | undefined;
  theme?: Theme | undefined;
  /**
   * For a client known only by its Client ID Metadata Document: the hosts of its client_id URL and of the redirect
   * URI. Its name (and logo) are self-asserted, so the page shows where the client lives and where the person will be
   * sent (draft-ietf-oauth-client-id-metadata-document, Security Considerations).
   */
  document?: { clientIdHost: string; redirectHost: string } | undefined;
}

/** What the application asks to do, scope by scope (the consent page and the device page say the same). */
export function requestedAccess(clientName: string, scopes: readonly ConsentScope[], intro: string): SafeHtml {
  return scopes.length === 0
    ? html`<p>${clientName} asks only to know who you are.</p>`
    : html`<p>${intro}</p>
<ul class="lk-scopes">
${scopes.map((s) => html`<li>${s.description} <code>${s.name}</code></li>\n`)}</ul>`;
}

/** RFC 8707: the APIs the access will be for, named so the person knows where their data goes; empty when none. */
export function resourceList(resources: readonly { id: string; name: string }[]): SafeHtml | '' {
  return resources.length === 0
    ? ''
    : html`<p>On your behalf, at:</p>
<ul class="lk-resources">
${resources.map((r) => html`<li>${r.name} <code>${r.id}</code></li>\n`)}</ul>`;
}

export function consentPage({ action, csrf, clientName, username, scopes, unvetted, resources = [], nonce, theme, document }: ConsentPageOptions): string {
  const requested = requestedAccess(clientName, scopes, 'It will be able to:');
  const apis = resourceList(resources);
  const body = html`<h1>${clientName} wants to access your account</h1>
<p class="lk-muted">Signed in as <strong>${username}</strong></p>
${document ? documentHosts(document) : ''}${unvetted
  ? html`<p class="lk-error" role="note">This application registered itself: the operator of this server has not reviewed it. Allow it only if you trust <strong>${unvetted.redirectHost}</strong>, where you will be sent next.</p>
`
  : ''}${requested}
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

/** The name is the client's own claim; the hosts are what the server checked (draft CIMD, Security Considerations). */
function documentHosts(d: { clientIdHost: string; redirectHost: string }): SafeHtml {
  return html`<p class="lk-muted">This application named itself; its name is not verified by this server.</p>
<dl class="lk-details lk-client-document">
<dt>Application published by</dt><dd><strong>${d.clientIdHost}</strong></dd>
<dt>After you decide, you go to</dt><dd><strong>${d.redirectHost}</strong></dd>
</dl>
`;
}
