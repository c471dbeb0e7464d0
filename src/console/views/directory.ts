import { AUDIT_EVENT_TYPES } from '../../core/audit.ts';
import { USER_CLAIMS, type AuditEventView, type GrantView, type ScopeView, type SessionView, type TokenSettingsView } from '../../admin/schemas.ts';
import { html, type SafeHtml } from '../../interaction/html.ts';
import { choiceGroup, csrfInput, errorSummary, type FieldErrors, pager, postButton, selectField, table, textField, time } from './layout.ts';

/** The console's pages for scopes, token settings, grants and sessions, and the audit log. */

export const SCOPE_LABELS: Readonly<Record<string, string>> = { name: 'Name', description: 'Description', claims: 'Claims' };

export interface ScopeForm {
  name: string;
  description: string;
  claims: string[];
}

function scopeFields(form: ScopeForm, errors: FieldErrors, withName: boolean): SafeHtml {
  return html`${withName ? textField({ name: 'name', label: 'Name', value: form.name, error: errors['name'], required: true, hint: 'What applications request, e.g. calendar.read.' }) : ''}
${textField({ name: 'description', label: 'Description', value: form.description, error: errors['description'], required: true, hint: 'What the consent page tells people, e.g. “Read your calendar”.' })}
${choiceGroup({
  name: 'claims',
  legend: 'Claims released by /userinfo',
  type: 'checkbox',
  choices: USER_CLAIMS.map((c) => ({ value: c, label: c })),
  selected: form.claims,
  error: errors['claims'],
})}`;
}

export function scopesPage(o: { scopes: readonly ScopeView[]; form: ScopeForm; errors: FieldErrors; csrf: string; notice?: string | undefined; message?: string | undefined }): SafeHtml {
  const rows = o.scopes.map(
    (s) => html`<tr>
<td><code>${s.name}</code>${s.builtIn ? html` <span class="lk-badge">built in</span>` : ''}</td>
<td>${s.description}</td>
<td>${s.claims.join(', ') || '—'}</td>
<td>${s.builtIn ? '' : html`<a href="/console/scopes/${encodeURIComponent(s.name)}" aria-label="Edit ${s.name}">Edit</a>`}</td>
</tr>\n`,
  );
  return html`<div class="lk-page-head"><h1>Scopes</h1></div>
${o.notice ? html`<p class="lk-notice" role="status">${o.notice}</p>` : ''}
<section class="lk-panel">
${table({ caption: 'Scopes', head: ['Name', 'Description', 'Claims', ''], rows, empty: 'No scopes.' })}
</section>
${errorSummary(o.errors, SCOPE_LABELS, o.message)}
<form method="post" action="/console/scopes" class="lk-panel" novalidate aria-labelledby="new-scope-heading">
<h2 id="new-scope-heading">Add a scope</h2>
${csrfInput(o.csrf)}
${scopeFields(o.form, o.errors, true)}
<div class="lk-actions"><button type="submit" class="lk-button">Add scope</button></div>
</form>`;
}

export function scopeEditPage(o: { scope: ScopeView; form: ScopeForm; errors: FieldErrors; csrf: string; message?: string | undefined }): SafeHtml {
  const path = `/console/scopes/${encodeURIComponent(o.scope.name)}`;
  return html`<div class="lk-page-head"><h1>Scope <code>${o.scope.name}</code></h1><a href="/console/scopes">All scopes</a></div>
${errorSummary(o.errors, SCOPE_LABELS, o.message)}
<form method="post" action="${path}" class="lk-panel" novalidate>
${csrfInput(o.csrf)}
${scopeFields(o.form, o.errors, false)}
<div class="lk-actions"><button type="submit" class="lk-button">Save changes</button></div>
</form>
<section class="lk-panel lk-panel-danger" aria-labelledby="delete-heading">
<h2 id="delete-heading">Delete</h2>
<p>Applications that list this scope must drop it first.</p>
${postButton({ action: `${path}/delete`, csrf: o.csrf, text: 'Delete scope', danger: true, large: true })}
</section>`;
}

export const SETTINGS_LABELS: Readonly<Record<string, string>> = {
  accessTokenTtl: 'Access token lifetime',
  refreshTokenTtl: 'Refresh token lifetime',
  codeTtl: 'Authorization code lifetime',
  refreshTokenGraceSeconds: 'Refresh token retry window',
};

export function settingsPage(o: { settings: TokenSettingsView; form: Record<string, string>; errors: FieldErrors; csrf: string; notice?: string | undefined; message?: string | undefined }): SafeHtml {
  const c = o.settings.configured;
  const field = (name: keyof typeof c, hint: string) =>
    textField({
      name,
      label: SETTINGS_LABELS[name] ?? name,
      value: o.form[name],
      error: o.errors[name],
      short: true,
      hint: `${hint} Configuration file: ${c[name]}${o.settings.overridden.includes(name) ? '; changed here' : ''}. Empty: use the file's value.`,
      attrs: html` placeholder="${String(c[name])}"`,
    });
  return html`<div class="lk-page-head"><h1>Token settings</h1></div>
${o.notice ? html`<p class="lk-notice" role="status">${o.notice}</p>` : ''}
${errorSummary(o.errors, SETTINGS_LABELS, o.message)}
<form method="post" action="/console/settings" class="lk-panel" novalidate>
${csrfInput(o.csrf)}
<p class="lk-muted">Server-wide lifetimes in seconds, for applications without their own. They apply to tokens issued from now on.</p>
${field('accessTokenTtl', 'Seconds.')}
${field('refreshTokenTtl', 'Seconds, or never.')}
${field('codeTtl', 'Seconds, at most 600.')}
${field('refreshTokenGraceSeconds', 'Seconds (0 to 300) in which a spent refresh token may be retried instead of revoking its grant.')}
<div class="lk-actions"><button type="submit" class="lk-button">Save settings</button></div>
</form>`;
}

export function grantsPage(o: { grants: readonly GrantView[]; filter: { userId: string; clientId: string }; nextCursor: string | null; onLaterPage: boolean; csrf: string; notice?: string | undefined }): SafeHtml {
  const back = `/console/grants${o.filter.userId || o.filter.clientId ? `?${new URLSearchParams(Object.entries(o.filter).filter(([, v]) => v !== '')).toString()}` : ''}`;
  const rows = o.grants.map(
    (g) => html`<tr>
<td><a href="/console/applications/${encodeURIComponent(g.clientId)}">${g.clientName ?? g.clientId}</a></td>
<td>${g.userId ? html`<a href="/console/users/${encodeURIComponent(g.userId)}">${g.username ?? g.userId}</a>` : html`<span class="lk-hint">the application itself</span>`}</td>
<td>${g.scope.join(' ') || '—'}</td>
<td>${time(g.createdAt)}</td>
<td>${time(g.lastIssuedAt)}</td>
<td>${g.activeTokens}</td>
<td>${postButton({ action: `/console/grants/${encodeURIComponent(g.id)}/revoke`, csrf: o.csrf, text: 'Revoke', label: `Revoke the grant of ${g.clientName ?? g.clientId} to ${g.username ?? 'itself'}`, danger: true, hidden: { back } })}</td>
</tr>\n`,
  );
  return html`<div class="lk-page-head"><h1>Grants</h1></div>
${o.notice ? html`<p class="lk-notice" role="status">${o.notice}</p>` : ''}
<section class="lk-panel">
<p class="lk-muted">Authorizations that still hold a usable access or refresh token. Revoking one revokes all its tokens.</p>
<form method="get" action="/console/grants" class="lk-inline-form">
${textField({ name: 'userId', label: 'User (username or ID)', value: o.filter.userId })}
${textField({ name: 'clientId', label: 'Client ID', value: o.filter.clientId })}
<button type="submit" class="lk-button lk-button-secondary">Filter</button>
</form>
${table({ caption: 'Active grants', head: ['Application', 'User', 'Scope', 'Granted', 'Last token', 'Tokens', ''], rows, empty: 'No active grants.' })}
${pager('/console/grants', o.filter, o.nextCursor, o.onLaterPage)}
</section>`;
}

export function sessionsPage(o: { sessions: readonly SessionView[]; nextCursor: string | null; onLaterPage: boolean; csrf: string; notice?: string | undefined; current?: string | undefined }): SafeHtml {
  const rows = o.sessions.map(
    (s) => html`<tr>
<td><a href="/console/users/${encodeURIComponent(s.userId)}">${s.username ?? s.userId}</a>${s.id === o.current ? html` <span class="lk-badge lk-badge-ok">This session</span>` : ''}</td>
<td>${s.clientId ? html`<a href="/console/applications/${encodeURIComponent(s.clientId)}">${s.clientName ?? s.clientId}</a>` : '—'}</td>
<td>${s.address ?? '—'}</td>
<td>${s.userAgent ? html`<span title="${s.userAgent}">${s.browser}</span>` : s.browser}</td>
<td>${time(s.signedInAt)}</td>
<td>${time(s.lastUsedAt)}</td>
<td>${postButton({ action: `/console/sessions/${encodeURIComponent(s.id)}/revoke`, csrf: o.csrf, text: 'End', label: `End the session of ${s.username ?? s.userId} from ${s.signedInAt}`, secondary: true, hidden: { back: '/console/sessions' } })}</td>
</tr>\n`,
  );
  return html`<div class="lk-page-head"><h1>Sessions</h1></div>
${o.notice ? html`<p class="lk-notice" role="status">${o.notice}</p>` : ''}
<section class="lk-panel">
<p class="lk-muted">People signed in (single sign-on). Ending a session signs the person out; their applications' tokens stay valid until revoked.</p>
${table({ caption: 'Sessions', head: ['User', 'Signed in through', 'Address', 'Browser', 'Signed in', 'Last used', ''], rows, empty: 'Nobody is signed in.' })}
${pager('/console/sessions', {}, o.nextCursor, o.onLaterPage)}
</section>`;
}

export const AUDIT_LABELS: Readonly<Record<string, string>> = { type: 'Event', actor: 'Actor', client: 'Application', user: 'User', since: 'From', until: 'To', cursor: 'Page' };

export function auditPage(o: { events: readonly AuditEventView[]; filter: Record<string, string>; errors: FieldErrors; nextCursor: string | null; onLaterPage: boolean }): SafeHtml {
  const who = (e: AuditEventView) =>
    e.actorUsername ?? e.actorUserId ?? (e.actorClientId ? html`<span class="lk-hint">application</span> <code>${e.actorClientId}</code>` : '—');
  const details = (e: AuditEventView) => {
    const parts = Object.entries(e.details).filter(([k]) => k !== 'actorUsername');
    if (e.clientId) parts.unshift(['client', e.clientId]);
    if (e.userId && e.userId !== e.actorUserId) parts.unshift(['user', e.userId]);
    return parts.map(([k, v]) => html`<span>${k}: <code>${Array.isArray(v) ? v.join(' ') || '—' : String(v)}</code></span> `);
  };
  const rows = o.events.map(
    (e) => html`<tr>
<td>${time(e.at)}</td>
<td><code>${e.type}</code></td>
<td>${who(e)}</td>
<td class="lk-details">${details(e)}</td>
<td>${e.ip ?? '—'}</td>
</tr>\n`,
  );
  return html`<div class="lk-page-head"><h1>Audit log</h1></div>
${errorSummary(o.errors, AUDIT_LABELS)}
<section class="lk-panel">
<form method="get" action="/console/audit" class="lk-inline-form" aria-label="Filter the audit log">
${selectField({ name: 'type', label: 'Event', value: o.filter['type'] ?? '', error: o.errors['type'], options: [{ value: '', label: 'Any event' }, ...AUDIT_EVENT_TYPES.map((t) => ({ value: t, label: t }))] })}
${textField({ name: 'actor', label: 'Actor (username or ID)', value: o.filter['actor'], error: o.errors['actor'] })}
${textField({ name: 'client', label: 'Client ID', value: o.filter['client'], error: o.errors['client'] })}
${textField({ name: 'user', label: 'User (username or ID)', value: o.filter['user'], error: o.errors['user'] })}
${textField({ name: 'since', label: 'From (UTC)', value: o.filter['since'], error: o.errors['since'], type: 'datetime-local' })}
${textField({ name: 'until', label: 'To (UTC)', value: o.filter['until'], error: o.errors['until'], type: 'datetime-local' })}
<button type="submit" class="lk-button lk-button-secondary">Filter</button>
</form>
${table({ caption: 'Audit events, newest first', head: ['Time', 'Event', 'Actor', 'Details', 'Address'], rows, empty: 'No events.' })}
${pager('/console/audit', o.filter, o.nextCursor, o.onLaterPage)}
</section>`;
}

/** The sign-in page of the console: a link, never an automatic redirect (see console/routes.ts). */
export function consoleSignInPage(o: { returnTo: string; message?: string | undefined }): SafeHtml {
  return html`<section class="lk-panel lk-narrow">
<h1>Sign in to the console</h1>
${o.message ? html`<p>${o.message}</p>` : html`<p>Manage applications, users, scopes and token settings. For administrators.</p>`}
<div class="lk-actions"><a class="lk-button" href="/console/login?return=${encodeURIComponent(o.returnTo)}">Sign in</a></div>
</section>`;
}

export function consoleMessagePage(o: { heading: string; text: string; links?: readonly { href: string; label: string }[] }): SafeHtml {
  return html`<section class="lk-panel lk-narrow">
<h1>${o.heading}</h1>
<p>${o.text}</p>
${o.links && o.links.length > 0 ? html`<div class="lk-actions">${o.links.map((l, i) => html`<a class="lk-button${i > 0 ? ' lk-button-secondary' : ''}" href="${l.href}">${l.label}</a>`)}</div>` : ''}
</section>`;
}
