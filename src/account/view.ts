import { html, type SafeHtml } from '../interaction/html.ts';
import { CLAIM_LABELS, type ClaimsForm, claimsFields } from '../interaction/views/claims-fields.ts';
import { csrfInput, errorSummary, type FieldErrors, postButton, table, textField, time } from '../console/views/layout.ts';

/** /account: the applications a person has authorized, their profile (claims), their password, and their sessions. */

export interface AuthorizedApplication {
  clientId: string;
  name: string;
  scopes: readonly { name: string; description: string }[];
  grantedAt: string;
  lastUsedAt: string | null;
}

/** One of the person's own SSO sessions; `id` is the session's stored key, never its cookie. */
export interface AccountSession {
  id: string;
  browser: string;
  application: string | null;
  address: string | null;
  signedInAt: string;
  lastUsedAt: string;
  current: boolean;
}

function sessionRows(sessions: readonly AccountSession[], csrf: string): SafeHtml[] {
  return sessions.map(
    (s) => html`<tr>
<td>${s.browser}${s.current ? html` <span class="lk-badge lk-badge-ok">This session</span>` : ''}</td>
<td>${s.application ?? '—'}</td>
<td>${s.address ?? '—'}</td>
<td>${time(s.signedInAt)}</td>
<td>${time(s.lastUsedAt)}</td>
<td>${postButton({ action: `/account/sessions/${encodeURIComponent(s.id)}/end`, csrf, text: s.current ? 'Sign out' : 'End', label: s.current ? 'Sign out of this session' : `End the session of ${s.browser} signed in ${s.signedInAt.slice(0, 16).replace('T', ' ')} UTC`, secondary: true })}</td>
</tr>
`,
  );
}

export const ACCOUNT_LABELS: Readonly<Record<string, string>> = {
  currentPassword: 'Current password',
  newPassword: 'New password',
  confirmPassword: 'Confirm the new password',
};

/** The profile form: what the person may change of their own OpenID Connect claims (not the username). */
export interface ProfileForm {
  name: string;
  email: string;
  claims: ClaimsForm;
  errors: FieldErrors;
}

export function accountPage(o: {
  username: string;
  profile: ProfileForm;
  applications: readonly AuthorizedApplication[];
  sessions: readonly AccountSession[];
  csrf: string;
  errors: FieldErrors;
  message?: string | undefined;
  notice?: string | undefined;
}): SafeHtml {
  const rows = o.applications.map(
    (a) => html`<tr>
<td><strong>${a.name}</strong></td>
<td>${a.scopes.length === 0 ? html`<span class="lk-hint">who you are</span>` : html`<ul class="lk-scopes">${a.scopes.map((s) => html`<li>${s.description} <code>${s.name}</code></li>`)}</ul>`}</td>
<td>${time(a.grantedAt)}</td>
<td>${time(a.lastUsedAt)}</td>
<td>${postButton({ action: `/account/applications/${encodeURIComponent(a.clientId)}/revoke`, csrf: o.csrf, text: 'Revoke', label: `Revoke access for ${a.name}`, danger: true })}</td>
</tr>\n`,
  );
  return html`<div class="lk-page-head"><h1>Your account</h1></div>
${o.notice ? html`<p class="lk-notice" role="status">${o.notice}</p>` : ''}
<section class="lk-panel" aria-labelledby="apps-heading">
<h2 id="apps-heading">Applications you have authorized</h2>
<p class="lk-hint">Revoking signs the application out: its tokens stop working, and it must ask you again.</p>
${table({ caption: 'Applications you have authorized', head: ['Application', 'Can', 'Authorized', 'Last used', ''], rows, empty: 'You have not authorized any application.' })}
</section>
${profileSection(o.username, o.profile, o.csrf)}
${errorSummary(o.errors, ACCOUNT_LABELS, o.message)}
<form method="post" action="/account/password" class="lk-panel" novalidate aria-labelledby="password-heading">
<h2 id="password-heading">Change your password</h2>
${csrfInput(o.csrf)}
<input type="text" name="username" value="${o.username}" autocomplete="username" hidden>
${textField({ name: 'currentPassword', label: 'Current password', type: 'password', autocomplete: 'current-password', error: o.errors['currentPassword'], required: true })}
${textField({ name: 'newPassword', label: 'New password', type: 'password', autocomplete: 'new-password', error: o.errors['newPassword'], required: true, hint: 'At least 8 characters. Your other sessions end.' })}
${textField({ name: 'confirmPassword', label: 'Confirm the new password', type: 'password', autocomplete: 'new-password', error: o.errors['confirmPassword'], required: true })}
<div class="lk-actions"><button type="submit" class="lk-button">Change password</button></div>
</form>
<section class="lk-panel" aria-labelledby="sessions-heading">
<h2 id="sessions-heading">Sessions</h2>
<p class="lk-hint">Where you are signed in. Ending a session signs that browser out; applications you authorized keep their access until you revoke it above.</p>
${table({ caption: 'Your sessions', head: ['Browser', 'Signed in through', 'Address', 'Signed in', 'Last used', ''], rows: sessionRows(o.sessions, o.csrf), empty: 'No sessions.' })}
<p>Signed in on a computer you no longer use? Sign out everywhere, this browser included.</p>
${postButton({ action: '/account/sign-out-everywhere', csrf: o.csrf, text: 'Sign out of all sessions', secondary: true, large: true })}
</section>`;
}

function profileSection(username: string, p: ProfileForm, csrf: string): SafeHtml {
  return html`<form method="post" action="/account/profile" class="lk-panel" novalidate aria-labelledby="profile-heading">
<h2 id="profile-heading">Your profile</h2>
<p class="lk-hint">Applications you allow to see your profile, email, address or phone receive these. Leave a field empty to share nothing for it.</p>
${errorSummary(p.errors, { name: 'Full name', email: 'Email', ...CLAIM_LABELS })}
${csrfInput(csrf)}
<dl class="lk-dl lk-spaced"><dt>Username</dt><dd><code>${username}</code> <span class="lk-hint">(cannot be changed)</span></dd></dl>
${textField({ name: 'name', label: 'Full name', value: p.name, error: p.errors['name'], autocomplete: 'name' })}
${textField({ name: 'email', label: 'Email', value: p.email, error: p.errors['email'], type: 'email', autocomplete: 'email', hint: 'A new address is shown to applications as not verified.' })}
${claimsFields({ form: p.claims, errors: p.errors, own: true })}
<div class="lk-actions"><button type="submit" class="lk-button">Save profile</button></div>
</form>`;
}

export function accountMessage(o: { heading: string; text: string; link?: { href: string; label: string } }): SafeHtml {
  return html`<section class="lk-panel lk-narrow">
<h1>${o.heading}</h1>
<p>${o.text}</p>
${o.link ? html`<div class="lk-actions"><a class="lk-button" href="${o.link.href}">${o.link.label}</a></div>` : ''}
</section>`;
}
