import type { ApplicationView } from '../../admin/schemas.ts';
import { html, type SafeHtml } from '../../interaction/html.ts';
import { time } from './layout.ts';

/**
 * Console pieces for clients made from Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document):
 * marked in the list, and on their page the document's state instead of settings (the document says what the client
 * is; an edit would be undone by the next fetch). Disable / Enable are the buttons every application has.
 */

export function documentClientPanel(a: ApplicationView, csrf: string): SafeHtml | string {
  const d = a.metadataDocument;
  if (a.origin !== 'metadata-document' || !d) return '';
  return html`<section class="lk-panel" aria-labelledby="document-heading">
<h2 id="document-heading">Client metadata document</h2>
<p class="lk-hint">This client described itself in the document at its client ID; its name is its own claim. Latchkey fetches the document again when it expires.</p>
<dl class="lk-dl">
<dt>Status</dt><dd>${a.disabled ? 'disabled: its document is not fetched' : 'enabled'}</dd>
<dt>Redirect URIs</dt><dd>${a.redirectUris.map((u, i) => html`${i > 0 ? html`<br>` : ''}<code>${u}</code>`)}</dd>
<dt>Fetched</dt><dd>${time(d.fetchedAt)}</dd>
<dt>Fetched again after</dt><dd>${time(d.expiresAt)}</dd>
<dt>Home page</dt><dd>${d.clientUri ? html`<code>${d.clientUri}</code>` : '—'}</dd>
<dt>Logo</dt><dd>${d.logoUri ? html`<code>${d.logoUri}</code>` : '—'}</dd>
</dl>
<p class="lk-hint">Disable application (below) refuses the client everywhere and stops fetching its document; enabling fetches it afresh.</p>
</section>`;
}
