import type { z } from 'zod';
import type { signingKeyView } from '../../admin/keys.ts';
import { html, type SafeHtml } from '../../interaction/html.ts';
import { choiceGroup, csrfInput, postButton, selectField, table, time } from './layout.ts';

/** The console's signing keys page: the keys with their state and dates, Rotate, and Retire per key. */

type SigningKeyView = z.output<typeof signingKeyView>;

const STATE_LABELS: Readonly<Record<SigningKeyView['state'], string>> = {
  next: 'next (published, not signing yet)',
  active: 'active (signing)',
  retired: 'retired (published for its tokens)',
  expired: 'unpublished',
};

export function keysPage(o: { keys: readonly SigningKeyView[]; csrf: string; jwksUrl: string; notice?: string | undefined }): SafeHtml {
  const rows = o.keys.map(
    (k) => html`<tr>
<td><code>${k.kid}</code></td>
<td>${k.alg}</td>
<td>${STATE_LABELS[k.state]}</td>
<td>${time(k.createdAt)}</td>
<td>${time(k.activatesAt)}</td>
<td>${time(k.retiredAt)}</td>
<td>${time(k.expiresAt)}</td>
<td>${
      k.state === 'next' || k.state === 'active'
        ? postButton({ action: `/console/keys/${encodeURIComponent(k.kid)}/retire`, csrf: o.csrf, text: 'Retire', label: `Retire ${k.alg} key ${k.kid}`, danger: true })
        : k.state === 'retired'
          ? postButton({ action: `/console/keys/${encodeURIComponent(k.kid)}/retire`, csrf: o.csrf, text: 'Unpublish', label: `Unpublish ${k.alg} key ${k.kid}`, danger: true, hidden: { unpublish: 'yes' } })
          : ''
    }</td>
</tr>\n`,
  );
  return html`<div class="lk-page-head"><h1>Signing keys</h1><a href="${o.jwksUrl}">JWKS</a></div>
${o.notice ? html`<p class="lk-notice" role="status">${o.notice}</p>` : ''}
<section class="lk-panel">
<p>Tokens are signed with the active key of their algorithm. A new key is published before it signs, and a retired key
stays published until every token it signed has expired, so relying parties that cache the JWKS keep validating.
Retiring the active key replaces it with a fresh one at once; Unpublish removes a retired key from the JWKS, so the
tokens it signed stop validating (a compromised key).</p>
${table({ caption: 'Signing keys', head: ['Key id', 'Algorithm', 'State', 'Created', 'Signs from', 'Retired', 'Unpublished', ''], rows, empty: 'No signing keys.' })}
</section>
<form method="post" action="/console/keys/rotate" class="lk-panel" aria-labelledby="rotate-heading">
<h2 id="rotate-heading">Rotate</h2>
${csrfInput(o.csrf)}
${selectField({ name: 'alg', label: 'Algorithm', value: '', options: [{ value: '', label: 'Every algorithm' }, { value: 'RS256', label: 'RS256' }, { value: 'ES256', label: 'ES256' }, { value: 'EdDSA', label: 'EdDSA' }] })}
${choiceGroup({
  name: 'now',
  legend: 'When the new key signs',
  type: 'checkbox',
  selected: [],
  choices: [{ value: 'yes', label: 'At once (a compromised key)', hint: 'Relying parties whose cached JWKS lacks the new key may fail to validate its tokens until they fetch it again.' }],
})}
<div class="lk-actions"><button type="submit" class="lk-button">Rotate</button></div>
</form>`;
}
