import type { TrustedIssuerView } from '../../admin/trusted-issuers.ts';
import { html, type SafeHtml } from '../../interaction/html.ts';
import { csrfInput, errorSummary, type FieldErrors, postButton, selectField, table, textArea, textField } from './layout.ts';

/** The console's trusted issuers (RFC 8693 jwt tokens, RFC 7523 JWT bearer): the list, an Add form, an Edit page with Delete. */

/** The form as typed: strings, shown again with the errors next to their fields. */
export interface TrustedIssuerForm {
  issuer: string;
  name: string;
  /** A JWK Set as pasted (JSON). */
  jwks: string;
  jwksUri: string;
  userClaim: string;
  userBy: string;
}

export const EMPTY_TRUSTED_ISSUER_FORM: TrustedIssuerForm = { issuer: '', name: '', jwks: '', jwksUri: '', userClaim: 'sub', userBy: 'username' };

export const trustedIssuerForm = (t: TrustedIssuerView): TrustedIssuerForm => ({
  issuer: t.issuer,
  name: t.name === t.issuer ? '' : t.name,
  jwks: t.jwks === null ? '' : JSON.stringify(t.jwks, null, 2),
  jwksUri: t.jwksUri ?? '',
  userClaim: t.userClaim,
  userBy: t.userBy,
});

const LABELS: Readonly<Record<string, string>> = {
  issuer: 'Issuer',
  name: 'Name',
  jwks: 'Public keys (JWK Set)',
  jwksUri: 'JWK Set URL',
  userClaim: 'User claim',
  userBy: 'The claim holds',
};

interface FormOptions {
  form: TrustedIssuerForm;
  errors: FieldErrors;
  /** Edit: the issuer is fixed (it is what the JWTs carry) and travels as a hidden field. */
  editing: boolean;
}

function fields(o: FormOptions): SafeHtml {
  const f = o.form;
  return html`${o.editing
    ? html`<input type="hidden" name="issuer" value="${f.issuer}">`
    : textField({ name: 'issuer', label: LABELS['issuer'] ?? '', value: f.issuer, required: true, error: o.errors['issuer'], hint: 'The iss of the JWTs, exactly, e.g. https://idp.example.com. It cannot change later.' })}
${textField({ name: 'name', label: LABELS['name'] ?? '', value: f.name, error: o.errors['name'], hint: 'What this list calls it; empty: the issuer.' })}
${textArea({ name: 'jwks', label: LABELS['jwks'] ?? '', value: f.jwks, error: o.errors['jwks'], rows: 6, hint: 'The issuer\'s public keys as JSON, {"keys": [...]}, as its jwks_uri serves them. Never a private key. Or give a URL below.' })}
${textField({ name: 'jwksUri', label: LABELS['jwksUri'] ?? '', value: f.jwksUri, error: o.errors['jwksUri'], hint: 'https: where Latchkey fetches the issuer\'s JWK Set instead. Exactly one of the keys and the URL.' })}
${textField({ name: 'userClaim', label: LABELS['userClaim'] ?? '', value: f.userClaim, short: true, error: o.errors['userClaim'], hint: 'The claim of the JWTs that names the Latchkey user (sub, preferred_username, email...).' })}
${selectField({ name: 'userBy', label: LABELS['userBy'] ?? '', value: f.userBy, error: o.errors['userBy'], options: [{ value: 'username', label: 'A username' }, { value: 'id', label: 'A Latchkey user id' }] })}`;
}

export function trustedIssuersPage(o: FormOptions & { issuers: readonly TrustedIssuerView[]; csrf: string; notice?: string | undefined; message?: string | undefined }): SafeHtml {
  const rows = o.issuers.map(
    (t) => html`<tr>
<td><a href="/console/trusted-issuers/edit?issuer=${encodeURIComponent(t.issuer)}">${t.name}</a></td>
<td><code>${t.issuer}</code></td>
<td>${t.jwksUri ?? `${t.jwks?.keys.length ?? 0} inline`}</td>
<td><code>${t.userClaim}</code> (${t.userBy === 'id' ? 'user id' : 'username'})</td>
</tr>\n`,
  );
  return html`<div class="lk-page-head"><h1>Trusted issuers</h1></div>
${o.notice ? html`<p class="lk-notice" role="status">${o.notice}</p>` : ''}
<section class="lk-panel">
<p>Other issuers (an enterprise identity provider, another authorization server) whose signed JWTs Latchkey accepts
for the users they name: as JWT bearer assertions (RFC 7523) and as token exchange subject or actor tokens (RFC 8693).
A client still needs the grant type, and for token exchange a policy.</p>
${table({ caption: 'Trusted issuers', head: ['Name', 'Issuer', 'Keys', 'User'], rows, empty: 'No trusted issuers yet: JWTs from other issuers are refused.' })}
</section>
<form method="post" action="/console/trusted-issuers" class="lk-panel" aria-labelledby="add-heading" novalidate>
<h2 id="add-heading">Add a trusted issuer</h2>
${errorSummary(o.errors, LABELS, o.message)}
${csrfInput(o.csrf)}
${fields(o)}
<div class="lk-actions"><button type="submit" class="lk-button">Add trusted issuer</button></div>
</form>`;
}

export function trustedIssuerEditPage(o: FormOptions & { trusted: TrustedIssuerView; csrf: string; message?: string | undefined }): SafeHtml {
  return html`<div class="lk-page-head"><h1>${o.trusted.name}</h1><a href="/console/trusted-issuers">All trusted issuers</a></div>
<p><code>${o.trusted.issuer}</code>${o.trusted.declaredInConfig ? ' (declared in the configuration file: the next start writes it back as declared)' : ''}</p>
<form method="post" action="/console/trusted-issuers/edit" class="lk-panel" novalidate>
${errorSummary(o.errors, LABELS, o.message)}
${csrfInput(o.csrf)}
${fields(o)}
<div class="lk-actions"><button type="submit" class="lk-button">Save</button></div>
</form>
<section class="lk-panel">
<h2>Delete</h2>
<p>Its JWTs are refused from then on (invalid_grant); the tokens already issued for them stay valid until they expire.</p>
${postButton({ action: '/console/trusted-issuers/delete', csrf: o.csrf, text: 'Delete trusted issuer', danger: true, hidden: { issuer: o.trusted.issuer } })}
</section>`;
}
