import type { ApplicationView, ScopeView } from '../../admin/schemas.ts';
import { html, type SafeHtml } from '../../interaction/html.ts';
import { choiceGroup, type FieldErrors } from './layout.ts';

/**
 * The "Token exchange" section of the application forms: the application's own RFC 8693 policy (§5: the server decides
 * by policy; Client.tokenExchange). Always shown, and explained, since it matters only to the few applications that
 * trade tokens (API gateways, backend services); off, the default, denies every exchange.
 */

/** As typed: the switch and the ticked boxes, so a refused form comes back as it was sent. */
export interface TokenExchangeForm {
  enabled: boolean;
  subjectTokenTypes: string[];
  /** impersonation, delegation, otherClientsTokens, refreshTokens: the ticked permissions. */
  allows: string[];
  resources: string[];
  scopes: string[];
}

export const EMPTY_TOKEN_EXCHANGE_FORM: TokenExchangeForm = { enabled: false, subjectTokenTypes: [], allows: [], resources: [], scopes: [] };

/** The form's field names; the admin API's error fields (`tokenExchange.resources`...) are renamed to them. */
const FIELDS = {
  enabled: 'tokenExchangeEnabled',
  subjectTokenTypes: 'tokenExchangeSubjectTypes',
  allows: 'tokenExchangeAllows',
  resources: 'tokenExchangeResources',
  scopes: 'tokenExchangeScopes',
} as const;

export const TOKEN_EXCHANGE_LABELS: Readonly<Record<string, string>> = {
  [FIELDS.enabled]: 'Token exchange',
  [FIELDS.subjectTokenTypes]: 'Tokens it may exchange',
  [FIELDS.allows]: 'Token exchange permissions',
  [FIELDS.resources]: 'APIs it may get tokens for',
  [FIELDS.scopes]: 'Scopes at most',
};

export function tokenExchangeFormFrom(a: Pick<ApplicationView, 'tokenExchange'>): TokenExchangeForm {
  const p = a.tokenExchange;
  if (!p) return EMPTY_TOKEN_EXCHANGE_FORM;
  const allows = (['impersonation', 'delegation', 'otherClientsTokens', 'refreshTokens'] as const).filter((k) => p[k]);
  return { enabled: true, subjectTokenTypes: [...p.subjectTokenTypes], allows, resources: [...p.resources], scopes: [...p.scopes] };
}

/** The posted form. */
export function tokenExchangeFormOf(f: { get(name: string): string; all(name: string): string[] }): TokenExchangeForm {
  return {
    enabled: f.get(FIELDS.enabled) === 'true',
    subjectTokenTypes: f.all(FIELDS.subjectTokenTypes),
    allows: f.all(FIELDS.allows),
    resources: f.all(FIELDS.resources),
    scopes: f.all(FIELDS.scopes),
  };
}

/** The admin API's input (validated there, as from the API): the policy, or null when the switch is off. */
export function tokenExchangeInput(form: TokenExchangeForm): { tokenExchange: Record<string, unknown> | null } {
  if (!form.enabled) return { tokenExchange: null };
  return {
    tokenExchange: {
      subjectTokenTypes: form.subjectTokenTypes,
      resources: form.resources,
      scopes: form.scopes,
      impersonation: form.allows.includes('impersonation'),
      delegation: form.allows.includes('delegation'),
      otherClientsTokens: form.allows.includes('otherClientsTokens'),
      refreshTokens: form.allows.includes('refreshTokens'),
    },
  };
}

/** The admin API's error fields renamed to this form's, so each message shows at its field and the summary links there. */
export function tokenExchangeErrors(errors: Readonly<Record<string, string>>): FieldErrors {
  const rename = (k: string): string => {
    if (k === 'tokenExchange') return FIELDS.enabled;
    if (!k.startsWith('tokenExchange.')) return k;
    const member = k.slice('tokenExchange.'.length).split('.')[0];
    return member === 'subjectTokenTypes' || member === 'resources' || member === 'scopes' ? FIELDS[member] : FIELDS.allows;
  };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(errors)) out[rename(k)] = out[rename(k)] === undefined ? v : `${out[rename(k)]}; ${v}`;
  return out;
}

const SUBJECT_TYPES = [
  { value: 'access_token', label: 'Access tokens', hint: 'Issued by Latchkey and still active.' },
  { value: 'refresh_token', label: 'Refresh tokens', hint: 'Its own only: a refresh token is the application\'s credential.' },
  { value: 'id_token', label: 'ID tokens', hint: 'Signed by Latchkey and unexpired.' },
  { value: 'jwt', label: 'JWTs of trusted issuers', hint: 'From the issuers under tokenExchange.trustedIssuers in the configuration file.' },
];

const ALLOWS = [
  { value: 'impersonation', label: 'Impersonation', hint: 'Without an actor token: the new token names the person alone.' },
  { value: 'delegation', label: 'Delegation', hint: 'With an actor token: the new token also names the actor (act claim).' },
  { value: 'otherClientsTokens', label: 'Other applications\' tokens', hint: 'Access and ID tokens issued to other applications (never their refresh tokens).' },
  { value: 'refreshTokens', label: 'Refresh tokens', hint: 'The answer carries a refresh token too, when the application has the Refresh token grant type (RFC 8693 §2.2.1).' },
];

export function tokenExchangeFieldset(form: TokenExchangeForm, errors: FieldErrors, c: { scopes: readonly ScopeView[]; resources: readonly { id: string; name: string }[] }): SafeHtml {
  return html`<fieldset>
<legend>Token exchange</legend>
<p class="lk-hint">For an API gateway or a backend service that trades a token it holds (a person's access token, a trusted issuer's JWT) for a narrower one for one of your APIs (RFC 8693). It also needs the Token exchange grant type above. Off, the default: the application may not exchange.</p>
${choiceGroup({
  name: FIELDS.enabled,
  legend: 'Policy',
  type: 'checkbox',
  choices: [{ value: 'true', label: 'Allow this application to exchange tokens, as chosen below' }],
  selected: form.enabled ? ['true'] : [],
  error: errors[FIELDS.enabled],
})}
${choiceGroup({ name: FIELDS.subjectTokenTypes, legend: TOKEN_EXCHANGE_LABELS[FIELDS.subjectTokenTypes] ?? '', type: 'checkbox', choices: SUBJECT_TYPES, selected: form.subjectTokenTypes, error: errors[FIELDS.subjectTokenTypes], hint: 'At least one. Actor tokens must be of these types too.' })}
${choiceGroup({ name: FIELDS.allows, legend: TOKEN_EXCHANGE_LABELS[FIELDS.allows] ?? '', type: 'checkbox', choices: ALLOWS, selected: form.allows, error: errors[FIELDS.allows] })}
${choiceGroup({
  name: FIELDS.resources,
  legend: TOKEN_EXCHANGE_LABELS[FIELDS.resources] ?? '',
  type: 'checkbox',
  hint: c.resources.length > 0 ? 'None ticked: only tokens without an audience.' : 'No APIs are registered yet (Resources): only tokens without an audience.',
  choices: c.resources.map((r) => ({ value: r.id, label: r.name, hint: r.id })),
  selected: form.resources,
  error: errors[FIELDS.resources],
})}
${choiceGroup({
  name: FIELDS.scopes,
  legend: TOKEN_EXCHANGE_LABELS[FIELDS.scopes] ?? '',
  type: 'checkbox',
  hint: 'None ticked: whatever the presented token had (never more).',
  choices: c.scopes.map((s) => ({ value: s.name, label: s.name, hint: s.description })),
  selected: form.scopes,
  error: errors[FIELDS.scopes],
})}
</fieldset>`;
}
