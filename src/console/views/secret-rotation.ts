import type { ApplicationView } from '../../admin/schemas.ts';
import { html, type SafeHtml } from '../../interaction/html.ts';
import { choiceGroup, csrfInput, errorSummary, type FieldErrors, time } from './layout.ts';

/**
 * Rotating a client secret, with a grace period for the old one (as Keycloak's rotated secrets): the confirmation
 * page with the choice of grace, and what the application's page says while a grace lasts.
 */

export const GRACE_CHOICES: readonly { value: string; label: string; hint?: string }[] = [
  { value: '0', label: 'Stop it at once', hint: 'Anything still using the old secret is refused from now on.' },
  { value: '900', label: '15 minutes' },
  { value: '3600', label: '1 hour' },
  { value: '86400', label: '1 day' },
  { value: '604800', label: '7 days', hint: 'The longest grace; for roll-outs that take a while.' },
];

export const ROTATION_LABELS: Readonly<Record<string, string>> = { graceSeconds: 'Keep the old secret working' };

export function rotateSecretPage(o: { app: ApplicationView; csrf: string; graceSeconds: string; errors: FieldErrors }): SafeHtml {
  const path = `/console/applications/${encodeURIComponent(o.app.id)}`;
  return html`<div class="lk-page-head"><h1>Rotate the secret of ${o.app.name}?</h1></div>
${errorSummary(o.errors, ROTATION_LABELS)}
<section class="lk-panel lk-panel-danger">
<p>Latchkey makes a new client secret and shows it once. Choose how long the current secret keeps working beside it,
so you can update every copy of the application's configuration first.</p>
<form method="post" action="${path}/rotate" novalidate>
${csrfInput(o.csrf)}
${choiceGroup({ name: 'graceSeconds', legend: 'Keep the old secret working', type: 'radio', choices: GRACE_CHOICES, selected: [o.graceSeconds], error: o.errors['graceSeconds'] })}
<div class="lk-actions">
<button type="submit" class="lk-button lk-button-danger">Rotate secret</button>
<a href="${path}">Cancel</a>
</div>
</form>
</section>`;
}

/** Under the new secret: what happens to the old one. */
export function previousSecretNote(a: ApplicationView): SafeHtml {
  return a.previousSecretExpiresAt
    ? html` The old secret keeps working until ${time(a.previousSecretExpiresAt)}.`
    : html` The old secret no longer works.`;
}

/** A row of the application's credentials while a grace lasts. */
export function previousSecretRow(a: ApplicationView): SafeHtml | '' {
  return a.previousSecretExpiresAt ? html`<dt>Previous secret</dt><dd>Still works until ${time(a.previousSecretExpiresAt)}</dd>` : '';
}
