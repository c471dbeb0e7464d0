import type { ApplicationView } from '../../admin/schemas.ts';
import { html, type SafeHtml } from '../../interaction/html.ts';
import { type FieldErrors, selectField, textArea, textField } from './layout.ts';

/** The OpenID Connect fieldset of the application forms (Registration 1.0 §2 metadata), as typed. */
export interface OidcForm {
  idTokenSignedResponseAlg: string;
  userinfoSignedResponseAlg: string;
  subjectType: string;
  defaultMaxAge: string;
  postLogoutRedirectUris: string;
  backchannelLogoutUri: string;
  /** 'yes' or 'no'. */
  backchannelLogoutSessionRequired: string;
}

export const OIDC_LABELS: Readonly<Record<string, string>> = {
  idTokenSignedResponseAlg: 'ID token signing',
  userinfoSignedResponseAlg: 'UserInfo answers',
  subjectType: 'Subject identifiers',
  defaultMaxAge: 'Default max age',
  postLogoutRedirectUris: 'Return URIs after sign-out',
  backchannelLogoutUri: 'Back-channel logout URI',
  backchannelLogoutSessionRequired: 'Session id in logout tokens',
};

export const EMPTY_OIDC_FORM: OidcForm = {
  idTokenSignedResponseAlg: 'default',
  userinfoSignedResponseAlg: 'json',
  subjectType: 'public',
  defaultMaxAge: '',
  postLogoutRedirectUris: '',
  backchannelLogoutUri: '',
  backchannelLogoutSessionRequired: 'no',
};

export function oidcFormFrom(a: ApplicationView): OidcForm {
  return {
    idTokenSignedResponseAlg: a.idTokenSignedResponseAlg ?? 'default',
    userinfoSignedResponseAlg: a.userinfoSignedResponseAlg ?? 'json',
    subjectType: a.subjectType,
    defaultMaxAge: a.defaultMaxAge === null ? '' : String(a.defaultMaxAge),
    postLogoutRedirectUris: a.postLogoutRedirectUris.join('\n'),
    backchannelLogoutUri: a.backchannelLogoutUri ?? '',
    backchannelLogoutSessionRequired: a.backchannelLogoutSessionRequired ? 'yes' : 'no',
  };
}

/** The admin API's input for these fields: the same validation as the API's (admin/schemas.ts). */
export function oidcInput(form: OidcForm): Record<string, unknown> {
  const maxAge = form.defaultMaxAge.trim();
  return {
    idTokenSignedResponseAlg: form.idTokenSignedResponseAlg === 'default' ? null : form.idTokenSignedResponseAlg,
    userinfoSignedResponseAlg: form.userinfoSignedResponseAlg === 'json' ? null : form.userinfoSignedResponseAlg,
    subjectType: form.subjectType,
    defaultMaxAge: maxAge === '' ? null : /^[0-9]+$/.test(maxAge) ? Number(maxAge) : maxAge,
    postLogoutRedirectUris: form.postLogoutRedirectUris.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== ''),
    backchannelLogoutUri: form.backchannelLogoutUri.trim() === '' ? null : form.backchannelLogoutUri.trim(),
    backchannelLogoutSessionRequired: form.backchannelLogoutSessionRequired === 'yes',
  };
}

const ALGS = [
  { value: 'RS256', label: 'RS256 (RSA; every library supports it)' },
  { value: 'ES256', label: 'ES256 (ECDSA P-256; smaller, faster)' },
  { value: 'EdDSA', label: 'EdDSA (Ed25519; smallest, fastest)' },
];

export function oidcFieldset(form: OidcForm, errors: FieldErrors, defaultAlg: string): SafeHtml {
  return html`<fieldset>
<legend>OpenID Connect</legend>
<p class="lk-hint">For applications that sign people in with OpenID Connect (scope openid). The defaults suit most.</p>
${selectField({
  name: 'idTokenSignedResponseAlg',
  label: OIDC_LABELS['idTokenSignedResponseAlg'] ?? '',
  value: form.idTokenSignedResponseAlg,
  error: errors['idTokenSignedResponseAlg'],
  options: [{ value: 'default', label: `Server default (${defaultAlg})` }, ...ALGS],
})}
${selectField({
  name: 'userinfoSignedResponseAlg',
  label: OIDC_LABELS['userinfoSignedResponseAlg'] ?? '',
  value: form.userinfoSignedResponseAlg,
  error: errors['userinfoSignedResponseAlg'],
  options: [{ value: 'json', label: 'Plain JSON' }, ...ALGS.map((a) => ({ value: a.value, label: `Signed JWT, ${a.label}` }))],
})}
${selectField({
  name: 'subjectType',
  label: OIDC_LABELS['subjectType'] ?? '',
  value: form.subjectType,
  error: errors['subjectType'],
  hint: 'Pairwise gives this application its own identifier for each person, so applications cannot match people up.',
  options: [
    { value: 'public', label: 'Public: the same for every application' },
    { value: 'pairwise', label: 'Pairwise: one per redirect URI host' },
  ],
})}
${textField({ name: 'defaultMaxAge', label: OIDC_LABELS['defaultMaxAge'] ?? '', value: form.defaultMaxAge, error: errors['defaultMaxAge'], short: true, hint: 'Seconds; people who signed in longer ago sign in again. Empty: no limit.' })}
${textArea({ name: 'postLogoutRedirectUris', label: OIDC_LABELS['postLogoutRedirectUris'] ?? '', value: form.postLogoutRedirectUris, error: errors['postLogoutRedirectUris'], rows: 2, hint: 'One per line; where the application may send people after signing out.' })}
${textField({ name: 'backchannelLogoutUri', label: OIDC_LABELS['backchannelLogoutUri'] ?? '', value: form.backchannelLogoutUri, error: errors['backchannelLogoutUri'], hint: 'Where Latchkey tells the application that a session ended (https).' })}
${selectField({
  name: 'backchannelLogoutSessionRequired',
  label: OIDC_LABELS['backchannelLogoutSessionRequired'] ?? '',
  value: form.backchannelLogoutSessionRequired,
  error: errors['backchannelLogoutSessionRequired'],
  hint: 'Latchkey always sends the session id (sid); "required" records that the application relies on it.',
  options: [
    { value: 'no', label: 'Sent; not required by the application' },
    { value: 'yes', label: 'Sent; required by the application' },
  ],
})}
</fieldset>`;
}
