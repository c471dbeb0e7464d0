import type { ApplicationView, ScopeView } from '../../admin/schemas.ts';
import { html, type SafeHtml } from '../../interaction/html.ts';
import { previousSecretNote, previousSecretRow } from './secret-rotation.ts';
import { documentClientPanel } from './document-client.ts';
import {
  choiceGroup,
  copyBox,
  csrfInput,
  errorSummary,
  type FieldErrors,
  pager,
  selectField,
  table,
  textArea,
  textField,
  time,
} from './layout.ts';
import { EMPTY_OIDC_FORM, OIDC_LABELS, oidcFieldset, oidcFormFrom, type OidcForm } from './application-oidc.ts';
import { AUTH_LABELS, authFieldset, authFormFrom, EMPTY_AUTH_FORM, type AuthForm } from './application-auth.ts';
import { requestPolicyFields } from './application-requests.ts';
import { EMPTY_TOKEN_EXCHANGE_FORM, TOKEN_EXCHANGE_LABELS, tokenExchangeFieldset, tokenExchangeFormFrom, type TokenExchangeForm } from './application-token-exchange.ts';

/** The console's application pages: the list, the create form, the detail page, and the confirmations. */

/** The form as typed: strings and lists, so a refused form comes back exactly as it was sent. */
export interface ApplicationForm {
  id: string;
  name: string;
  type: string;
  redirectUris: string;
  grantTypes: string[];
  responseTypes: string[];
  scopes: string[];
  accessTokenTtl: string;
  refreshTokenTtl: string;
  codeTtl: string;
  requirePkce: string;
  introspectAny: boolean;
  /** RFC 9126 §6 and RFC 9101 §10.5: default (the server setting), yes or no. */
  requirePushedAuthorizationRequests: string;
  requireSignedRequestObject: string;
  dpopBoundAccessTokens: boolean;
  oidc: OidcForm;
  auth: AuthForm;
  tokenExchange: TokenExchangeForm;
}

export const APPLICATION_LABELS: Readonly<Record<string, string>> = {
  id: 'Client ID',
  name: 'Name',
  type: 'Type',
  redirectUris: 'Redirect URIs',
  grantTypes: 'Grant types',
  responseTypes: 'Response types',
  scopes: 'Scopes',
  accessTokenTtl: 'Access token lifetime',
  refreshTokenTtl: 'Refresh token lifetime',
  codeTtl: 'Authorization code lifetime',
  requirePkce: 'PKCE',
  introspectAny: 'Resource server',
  requirePushedAuthorizationRequests: 'Pushed authorization requests',
  requireSignedRequestObject: 'Signed request objects',
  dpopBoundAccessTokens: 'DPoP',
  ...OIDC_LABELS,
  ...AUTH_LABELS,
  ...TOKEN_EXCHANGE_LABELS,
};

const triState = (v: boolean | null) => (v === null ? 'default' : v ? 'yes' : 'no');
const ttlText = (v: number | 'never' | null) => (v === null ? '' : String(v));

export function formFromApplication(a: ApplicationView): ApplicationForm {
  return {
    id: a.id,
    name: a.name,
    type: a.type,
    redirectUris: a.redirectUris.join('\n'),
    grantTypes: a.grantTypes,
    responseTypes: a.responseTypes,
    scopes: a.scopes,
    accessTokenTtl: ttlText(a.accessTokenTtl),
    refreshTokenTtl: ttlText(a.refreshTokenTtl),
    codeTtl: ttlText(a.codeTtl),
    requirePkce: a.requirePkce === null ? 'default' : a.requirePkce ? 'yes' : 'no',
    introspectAny: a.introspectAny,
    requirePushedAuthorizationRequests: triState(a.requirePushedAuthorizationRequests),
    requireSignedRequestObject: triState(a.requireSignedRequestObject),
    dpopBoundAccessTokens: a.dpopBoundAccessTokens,
    oidc: oidcFormFrom(a),
    auth: authFormFrom(a),
    tokenExchange: tokenExchangeFormFrom(a),
  };
}

export const EMPTY_APPLICATION_FORM: ApplicationForm = {
  id: '',
  name: '',
  type: 'confidential',
  redirectUris: '',
  grantTypes: ['authorization_code', 'refresh_token'],
  responseTypes: ['code'],
  scopes: [],
  accessTokenTtl: '',
  refreshTokenTtl: '',
  codeTtl: '',
  requirePkce: 'default',
  introspectAny: false,
  requirePushedAuthorizationRequests: 'default',
  requireSignedRequestObject: 'default',
  dpopBoundAccessTokens: false,
  oidc: EMPTY_OIDC_FORM,
  auth: EMPTY_AUTH_FORM,
  tokenExchange: EMPTY_TOKEN_EXCHANGE_FORM,
};

export interface ApplicationFormContext {
  scopes: readonly ScopeView[];
  /** The implicit grant is enabled on this server: offer the token response type. */
  implicit: boolean;
  defaults: { accessTokenTtl: number; refreshTokenTtl: number | 'never'; codeTtl: number };
  /** The server's oidc.defaultIdTokenAlg, named in the OpenID Connect fieldset. */
  idTokenAlg: string;
  /** The registered resources (APIs), for the token exchange policy. */
  resources: readonly { id: string; name: string }[];
}

const GRANT_CHOICES = [
  { value: 'authorization_code', label: 'Authorization code', hint: 'A person signs in and approves (web, mobile and single-page apps).' },
  { value: 'refresh_token', label: 'Refresh token', hint: 'Keep access without asking the person again.' },
  { value: 'client_credentials', label: 'Client credentials', hint: 'Machine to machine, no person involved (confidential only).' },
  { value: 'urn:ietf:params:oauth:grant-type:device_code', label: 'Device code', hint: 'A TV or command-line tool without a browser: the person approves on another device (RFC 8628).' },
  { value: 'urn:ietf:params:oauth:grant-type:token-exchange', label: 'Token exchange', hint: 'Trade a token it holds for another, as its policy below allows (RFC 8693).' },
  { value: 'urn:ietf:params:oauth:grant-type:jwt-bearer', label: 'JWT bearer', hint: 'Trade a trusted issuer\'s signed assertion about a person for a token (RFC 7523).' },
];

/** The fields both forms share; the create form adds the id and the type. */
function applicationFields(form: ApplicationForm, errors: FieldErrors, c: ApplicationFormContext, creating = false): SafeHtml {
  const secs = (v: number | 'never') => (v === 'never' ? 'never' : `${v} seconds`);
  return html`${textField({ name: 'name', label: 'Name', value: form.name, error: errors['name'], required: true, hint: 'Shown to people on the consent page.' })}
${textArea({
  name: 'redirectUris',
  label: 'Redirect URIs',
  value: form.redirectUris,
  error: errors['redirectUris'],
  rows: 4,
  validate: 'redirect-uris',
  hint: 'One per line, matched exactly. https; http only on 127.0.0.1 or [::1] (any port for a public app), not localhost; or an app scheme like com.example.app:/cb.',
})}
${choiceGroup({ name: 'grantTypes', legend: 'Grant types', type: 'checkbox', choices: GRANT_CHOICES, selected: form.grantTypes, error: errors['grantTypes'] })}
${c.implicit
  ? choiceGroup({
      name: 'responseTypes',
      legend: 'Response types',
      type: 'checkbox',
      choices: [
        { value: 'code', label: 'code', hint: 'The authorization code flow.' },
        { value: 'token', label: 'token', hint: 'The implicit grant (discouraged, RFC 9700 §2.1.2).' },
        // OpenID Connect implicit and hybrid types (Core §3.2, §3.3): ID tokens or codes and tokens from the browser.
        ...['id_token', 'id_token token', 'code id_token', 'code token', 'code id_token token'].map((t) => ({ value: t, label: t, hint: 'OpenID Connect implicit or hybrid flow (needs a nonce).' })),
      ],
      selected: form.responseTypes,
      error: errors['responseTypes'],
    })
  : html`<input type="hidden" name="responseTypes" value="code">`}
${choiceGroup({
  name: 'scopes',
  legend: 'Scopes',
  type: 'checkbox',
  hint: 'What the application may ask for. None ticked: any scope except admin.',
  choices: c.scopes.map((s) => ({ value: s.name, label: s.name, hint: s.description })),
  selected: form.scopes,
  error: errors['scopes'],
})}
<fieldset>
<legend>Token lifetimes</legend>
<p class="lk-hint">In seconds. Leave empty to follow the server settings.</p>
<div class="lk-grid">
${textField({ name: 'accessTokenTtl', label: 'Access token', value: form.accessTokenTtl, error: errors['accessTokenTtl'], short: true, hint: `Server: ${secs(c.defaults.accessTokenTtl)}` })}
${textField({ name: 'refreshTokenTtl', label: 'Refresh token', value: form.refreshTokenTtl, error: errors['refreshTokenTtl'], short: true, hint: `Server: ${secs(c.defaults.refreshTokenTtl)}; or never` })}
${textField({ name: 'codeTtl', label: 'Authorization code', value: form.codeTtl, error: errors['codeTtl'], short: true, hint: `Server: ${secs(c.defaults.codeTtl)}; at most 600` })}
</div>
</fieldset>
${selectField({
  name: 'requirePkce',
  label: 'PKCE',
  value: form.requirePkce,
  error: errors['requirePkce'],
  hint: 'Public applications always use PKCE.',
  options: [
    { value: 'default', label: 'Server default' },
    { value: 'yes', label: 'Required' },
    { value: 'no', label: 'Optional (confidential applications only)' },
  ],
})}
${choiceGroup({
  name: 'introspectAny',
  legend: 'Resource server',
  type: 'checkbox',
  choices: [{ value: 'true', label: 'This is an API that may introspect tokens issued to any application' }],
  selected: form.introspectAny ? ['true'] : [],
  error: errors['introspectAny'],
})}
${requestPolicyFields(form, errors)}
${oidcFieldset(form.oidc, errors, c.idTokenAlg)}
${authFieldset(form.auth, errors, creating)}
${tokenExchangeFieldset(form.tokenExchange, errors, c)}`;
}

/**
 * One badge per origin (model.ts ClientOrigin): a client that registered itself (RFC 7591) or was made from its
 * metadata document was never reviewed by an administrator; say so wherever it is listed, and whether it is disabled.
 */
const ORIGIN_BADGES: Readonly<Record<ApplicationView['origin'], SafeHtml | string>> = {
  operator: '',
  dynamic: html` <span class="lk-badge lk-badge-warn">registered itself</span>`,
  'metadata-document': html` <span class="lk-badge">metadata document</span>`,
};
const originBadges = (a: ApplicationView) => html`${ORIGIN_BADGES[a.origin]}${a.disabled ? html` <span class="lk-badge lk-badge-warn">disabled</span>` : ''}`;

export function applicationListPage(o: { items: readonly ApplicationView[]; q: string; nextCursor: string | null; onLaterPage: boolean; notice?: string | undefined }): SafeHtml {
  const rows = o.items.map(
    (a) => html`<tr>
<td><a href="/console/applications/${encodeURIComponent(a.id)}">${a.name}</a>${a.builtIn ? html` <span class="lk-badge">built in</span>` : ''}${originBadges(a)}</td>
<td><code>${a.id}</code></td>
<td>${a.type}</td>
<td>${a.grantTypes.join(', ')}</td>
<td>${time(a.createdAt)}</td>
</tr>\n`,
  );
  return html`<div class="lk-page-head"><h1>Applications</h1><a class="lk-button" href="/console/applications/new">New application</a></div>
${o.notice ? html`<p class="lk-notice" role="status">${o.notice}</p>` : ''}
<section class="lk-panel">
<form method="get" action="/console/applications" class="lk-inline-form" role="search">
${textField({ name: 'q', label: 'Search by name or client ID', value: o.q, type: 'search' })}
<button type="submit" class="lk-button lk-button-secondary">Search</button>
</form>
${table({ caption: 'Applications', head: ['Name', 'Client ID', 'Type', 'Grant types', 'Created'], rows, empty: o.q ? 'No application matches.' : 'No applications yet.' })}
${pager('/console/applications', { q: o.q }, o.nextCursor, o.onLaterPage)}
</section>`;
}

export function applicationCreatePage(o: { form: ApplicationForm; errors: FieldErrors; csrf: string; context: ApplicationFormContext; message?: string | undefined }): SafeHtml {
  const f = o.form;
  return html`<div class="lk-page-head"><h1>New application</h1></div>
${errorSummary(o.errors, APPLICATION_LABELS, o.message)}
<form method="post" action="/console/applications" class="lk-panel" novalidate>
${csrfInput(o.csrf)}
${choiceGroup({
  name: 'type',
  legend: 'Type',
  type: 'radio',
  choices: [
    { value: 'confidential', label: 'Confidential', hint: 'A server-side application that can keep a client secret.' },
    { value: 'public', label: 'Public', hint: 'A browser or native app: no secret; PKCE always.' },
  ],
  selected: [f.type],
  error: o.errors['type'],
})}
${textField({ name: 'id', label: 'Client ID (optional)', value: f.id, error: o.errors['id'], short: false, hint: 'Letters, digits and . _ ~ -. Generated when left empty.' })}
${applicationFields(f, o.errors, o.context, true)}
<div class="lk-actions">
<button type="submit" class="lk-button">Create application</button>
<a href="/console/applications">Cancel</a>
</div>
</form>`;
}

/** The secret, shown once after creating the application or rotating its secret. */
function secretBox(secret: string, rotated: boolean, a: ApplicationView): SafeHtml {
  return html`<section class="lk-secret" aria-labelledby="secret-heading">
<h2 id="secret-heading">${rotated ? 'New client secret' : 'Client secret'}</h2>
<p><strong>Copy it now: it will not be shown again.</strong> Latchkey keeps only a hash of it.${rotated ? previousSecretNote(a) : ''}</p>
${copyBox({ id: 'client-secret', label: 'Client secret', value: secret })}
</section>`;
}

export function applicationDetailPage(o: {
  app: ApplicationView;
  form: ApplicationForm;
  errors: FieldErrors;
  csrf: string;
  context: ApplicationFormContext;
  secret?: { value: string; rotated: boolean } | undefined;
  notice?: string | undefined;
  message?: string | undefined;
}): SafeHtml {
  const a = o.app;
  const path = `/console/applications/${encodeURIComponent(a.id)}`;
  const readOnly = a.builtIn || a.origin === 'metadata-document';
  return html`<div class="lk-page-head"><h1>${a.name}</h1><a href="/console/applications">All applications</a></div>
${o.notice ? html`<p class="lk-notice" role="status">${o.notice}</p>` : ''}
${o.secret ? secretBox(o.secret.value, o.secret.rotated, a) : ''}
${errorSummary(o.errors, APPLICATION_LABELS, o.message)}
<section class="lk-panel" aria-labelledby="credentials-heading">
<h2 id="credentials-heading">Credentials</h2>
${copyBox({ id: 'client-id', label: 'Client ID', value: a.id })}
<dl class="lk-dl">
<dt>Type</dt><dd>${a.type}${originBadges(a)}</dd>
${a.origin === 'dynamic' ? html`<dt>Registered</dt><dd>by the client itself (dynamic client registration): not reviewed by an administrator</dd>` : ''}
<dt>Client secret</dt><dd>${a.type === 'public' ? 'none (public application)' : a.hasSecret ? 'set; shown only when created or rotated' : 'none (authenticates with a private key JWT)'}</dd>
${previousSecretRow(a)}
<dt>Created</dt><dd>${time(a.createdAt)}</dd>
<dt>Updated</dt><dd>${time(a.updatedAt)}</dd>
</dl>
${a.declaredInConfig ? html`<p class="lk-hint">Declared in the configuration file: Latchkey restores the file's settings at every start.</p>` : ''}
${a.builtIn
  ? html`<p class="lk-hint">Built into Latchkey; it cannot be changed here.</p>`
  : html`<div class="lk-actions">
${a.type === 'confidential' && a.hasSecret ? html`<a class="lk-button lk-button-secondary" href="${path}/rotate">Rotate secret</a>` : ''}
<a class="lk-button lk-button-secondary" href="/console/grants?clientId=${encodeURIComponent(a.id)}">Active grants</a>
<a class="lk-button lk-button-danger" href="${path}/delete">Delete application</a>
</div>
<form method="post" action="${path}/${a.disabled ? 'enable' : 'disable'}">${csrfInput(o.csrf)}<button type="submit" class="lk-button lk-button-secondary">${a.disabled ? 'Enable application' : 'Disable application'}</button></form>`}
</section>
${documentClientPanel(a, o.csrf)}
${readOnly
  ? ''
  : html`<form method="post" action="${path}" class="lk-panel" novalidate aria-labelledby="settings-heading">
<h2 id="settings-heading">Settings</h2>
${csrfInput(o.csrf)}
${applicationFields(o.form, o.errors, o.context)}
<div class="lk-actions"><button type="submit" class="lk-button">Save changes</button></div>
</form>`}`;
}

export function confirmPage(o: { heading: string; text: SafeHtml; action: string; csrf: string; button: string; cancel: string; danger: boolean }): SafeHtml {
  return html`<div class="lk-page-head"><h1>${o.heading}</h1></div>
<section class="lk-panel${o.danger ? ' lk-panel-danger' : ''}">
${o.text}
<form method="post" action="${o.action}">
${csrfInput(o.csrf)}
<div class="lk-actions">
<button type="submit" class="lk-button${o.danger ? ' lk-button-danger' : ''}">${o.button}</button>
<a href="${o.cancel}">Cancel</a>
</div>
</form>
</section>`;
}
