import type { GrantView, SessionView, UserView } from '../../admin/schemas.ts';
import { html, type SafeHtml } from '../../interaction/html.ts';
import { CLAIM_LABELS, type ClaimsForm, claimsFields } from '../../interaction/views/claims-fields.ts';
import { choiceGroup, copyBox, csrfInput, errorSummary, type FieldErrors, pager, postButton, table, textField, time } from './layout.ts';

/** The console's user pages: the list, the create form, and a user's page (profile, access, sessions, grants). */

export interface UserForm {
  username: string;
  name: string;
  email: string;
  isAdmin: boolean;
}

export const USER_LABELS: Readonly<Record<string, string>> = {
  username: 'Username',
  name: 'Full name',
  email: 'Email',
  isAdmin: 'Administrator',
  password: 'Password',
};

const status = (u: UserView) =>
  html`${u.isAdmin ? html`<span class="lk-badge lk-badge-ok">admin</span> ` : ''}${u.disabled ? html`<span class="lk-badge lk-badge-warn">disabled</span>` : ''}`;

export function userListPage(o: { items: readonly UserView[]; q: string; nextCursor: string | null; onLaterPage: boolean; notice?: string | undefined }): SafeHtml {
  const rows = o.items.map(
    (u) => html`<tr>
<td><a href="/console/users/${encodeURIComponent(u.id)}">${u.username}</a></td>
<td>${u.name ?? ''}</td>
<td>${u.email ?? ''}</td>
<td>${status(u)}</td>
<td>${time(u.createdAt)}</td>
</tr>\n`,
  );
  return html`<div class="lk-page-head"><h1>Users</h1><a class="lk-button" href="/console/users/new">New user</a></div>
${o.notice ? html`<p class="lk-notice" role="status">${o.notice}</p>` : ''}
<section class="lk-panel">
<form method="get" action="/console/users" class="lk-inline-form" role="search">
${textField({ name: 'q', label: 'Search by username, name or email', value: o.q, type: 'search' })}
<button type="submit" class="lk-button lk-button-secondary">Search</button>
</form>
${table({ caption: 'Users', head: ['Username', 'Name', 'Email', 'Status', 'Created'], rows, empty: o.q ? 'No user matches.' : 'No users yet.' })}
${pager('/console/users', { q: o.q }, o.nextCursor, o.onLaterPage)}
</section>`;
}

function profileFields(form: UserForm, errors: FieldErrors): SafeHtml {
  return html`${textField({ name: 'name', label: 'Full name (optional)', value: form.name, error: errors['name'], autocomplete: 'off' })}
${textField({ name: 'email', label: 'Email (optional)', value: form.email, error: errors['email'], type: 'email', autocomplete: 'off' })}
${choiceGroup({
  name: 'isAdmin',
  legend: 'Access',
  type: 'checkbox',
  choices: [{ value: 'true', label: 'Administrator', hint: 'May use this console and the admin API.' }],
  selected: form.isAdmin ? ['true'] : [],
  error: errors['isAdmin'],
})}`;
}

export function userCreatePage(o: { form: UserForm; errors: FieldErrors; csrf: string; message?: string | undefined }): SafeHtml {
  return html`<div class="lk-page-head"><h1>New user</h1></div>
${errorSummary(o.errors, USER_LABELS, o.message)}
<form method="post" action="/console/users" class="lk-panel" novalidate>
${csrfInput(o.csrf)}
${textField({ name: 'username', label: 'Username', value: o.form.username, error: o.errors['username'], required: true, autocomplete: 'off', hint: 'What they sign in with.' })}
${textField({ name: 'password', label: 'Password (optional)', value: '', error: o.errors['password'], type: 'password', autocomplete: 'new-password', hint: 'At least 8 characters. Leave empty to generate one, shown once.' })}
${profileFields(o.form, o.errors)}
<div class="lk-actions">
<button type="submit" class="lk-button">Create user</button>
<a href="/console/users">Cancel</a>
</div>
</form>`;
}

export function userDetailPage(o: {
  user: UserView;
  form: UserForm;
  claimsForm: ClaimsForm;
  errors: FieldErrors;
  passwordError?: string | undefined;
  csrf: string;
  sessions: readonly SessionView[];
  grants: readonly GrantView[];
  generatedPassword?: string | undefined;
  notice?: string | undefined;
  message?: string | undefined;
  self: boolean;
}): SafeHtml {
  const u = o.user;
  const path = `/console/users/${encodeURIComponent(u.id)}`;
  const sessionRows = o.sessions.map(
    (s) => html`<tr><td>${time(s.signedInAt)}</td><td>${time(s.expiresAt)}</td><td>${postButton({ action: `/console/sessions/${encodeURIComponent(s.id)}/revoke`, csrf: o.csrf, text: 'End', label: `End the session from ${s.signedInAt}`, secondary: true, hidden: { back: path } })}</td></tr>\n`,
  );
  const grantRows = o.grants.map(
    (g) => html`<tr><td><a href="/console/applications/${encodeURIComponent(g.clientId)}">${g.clientName ?? g.clientId}</a></td><td>${g.scope.join(' ') || '—'}</td><td>${time(g.createdAt)}</td><td>${postButton({ action: `/console/grants/${encodeURIComponent(g.id)}/revoke`, csrf: o.csrf, text: 'Revoke', label: `Revoke the grant to ${g.clientName ?? g.clientId}`, danger: true, hidden: { back: path } })}</td></tr>\n`,
  );
  return html`<div class="lk-page-head"><h1>${u.username} ${status(u)}</h1><a href="/console/users">All users</a></div>
${o.notice ? html`<p class="lk-notice" role="status">${o.notice}</p>` : ''}
${o.generatedPassword
  ? html`<section class="lk-secret" aria-labelledby="password-heading"><h2 id="password-heading">Password</h2>
<p><strong>Give it to ${u.username} now: it will not be shown again.</strong></p>
${copyBox({ id: 'generated-password', label: 'Password', value: o.generatedPassword })}</section>`
  : ''}
${errorSummary(o.errors, { ...USER_LABELS, ...CLAIM_LABELS }, o.message)}
${u.declaredInConfig ? html`<p class="lk-hint">Declared in the configuration file: Latchkey restores the file's settings at every start.</p>` : ''}
<form method="post" action="${path}" class="lk-panel" novalidate aria-labelledby="profile-heading">
<h2 id="profile-heading">Profile</h2>
${csrfInput(o.csrf)}
<dl class="lk-dl lk-spaced"><dt>User ID</dt><dd><code>${u.id}</code></dd><dt>Created</dt><dd>${time(u.createdAt)}</dd><dt>Profile updated</dt><dd>${time(u.updatedAt)}</dd></dl>
${profileFields(o.form, o.errors)}
<h3>OpenID Connect claims</h3>
<p class="lk-hint">What applications receive with the profile, email, address and phone scopes. An empty field has no value.</p>
${claimsFields({ form: o.claimsForm, errors: o.errors, own: false })}
<div class="lk-actions"><button type="submit" class="lk-button">Save changes</button></div>
</form>
<form method="post" action="${path}/reset-password" class="lk-panel" novalidate aria-labelledby="reset-heading">
<h2 id="reset-heading">Reset password</h2>
${csrfInput(o.csrf)}
${textField({ name: 'password', label: 'New password (optional)', value: '', error: o.passwordError, type: 'password', autocomplete: 'new-password', hint: 'At least 8 characters. Leave empty to generate one. Their sessions end.' })}
<div class="lk-actions"><button type="submit" class="lk-button lk-button-secondary">Reset password</button></div>
</form>
<section class="lk-panel" aria-labelledby="sessions-heading">
<h2 id="sessions-heading">Sessions</h2>
${table({ caption: `Sessions of ${u.username}`, head: ['Signed in', 'Expires', ''], rows: sessionRows, empty: 'Not signed in anywhere.' })}
${o.sessions.length > 0 ? html`<div class="lk-actions">${postButton({ action: `${path}/end-sessions`, csrf: o.csrf, text: 'Sign out everywhere', secondary: true, large: true })}</div>` : ''}
</section>
<section class="lk-panel" aria-labelledby="grants-heading">
<h2 id="grants-heading">Authorized applications</h2>
${table({ caption: `Active grants of ${u.username}`, head: ['Application', 'Scope', 'Since', ''], rows: grantRows, empty: 'No application holds a usable token.' })}
</section>
${o.self
  ? ''
  : html`<section class="lk-panel lk-panel-danger" aria-labelledby="danger-heading">
<h2 id="danger-heading">Disable or delete</h2>
<p>${u.disabled ? 'This account is disabled: it cannot sign in.' : 'Disabling ends their sessions and revokes every token they hold.'}</p>
<div class="lk-actions">
${u.disabled
  ? postButton({ action: `${path}/enable`, csrf: o.csrf, text: 'Enable account', large: true })
  : postButton({ action: `${path}/disable`, csrf: o.csrf, text: 'Disable account', danger: true, large: true })}
<a class="lk-button lk-button-danger" href="${path}/delete">Delete user</a>
</div>
</section>`}`;
}
