import { html } from '../html.ts';
import { requestedAccess, resourceList, type ConsentScope } from './consent.ts';
import { layout, type Theme } from './layout.ts';

/** The pages of the device verification URI (RFC 8628 §3.3): pure data in, HTML out. */

interface Common {
  nonce?: string | undefined;
  theme?: Theme | undefined;
}

export interface DeviceCodePageOptions extends Common {
  action: string;
  csrf: string;
  username: string;
  /** What the person typed (or what verification_uri_complete carried), given back to correct. */
  userCode?: string | undefined;
  error?: string | undefined;
}

/** Where the person types the code their device shows. */
export function deviceCodePage({ action, csrf, username, userCode, error, nonce, theme }: DeviceCodePageOptions): string {
  const invalid = error ? html` aria-invalid="true" aria-describedby="lk-error"` : '';
  const body = html`<h1>Connect a device</h1>
<p class="lk-muted">Signed in as <strong>${username}</strong></p>
${error ? html`<p id="lk-error" class="lk-error" role="alert">${error}</p>` : ''}
<form method="post" action="${action}">
<input type="hidden" name="csrf" value="${csrf}">
<label for="lk-user-code">Code shown on your device</label>
<input type="text" id="lk-user-code" name="user_code" value="${userCode ?? ''}" placeholder="XXXX-XXXX" autocomplete="one-time-code" autocapitalize="characters" spellcheck="false" maxlength="20" required autofocus${invalid}>
<div class="lk-actions"><button type="submit" class="lk-button">Continue</button></div>
</form>`;
  return layout({ title: 'Connect a device', body, nonce, theme });
}

export interface DeviceConsentPageOptions extends Common {
  action: string;
  csrf: string;
  userCode: string;
  clientName: string;
  username: string;
  scopes: readonly ConsentScope[];
  /** RFC 8707: the APIs the access will be for, named as on the code flow's consent page (views/consent.ts). */
  resources?: readonly { id: string; name: string }[] | undefined;
}

/**
 * Which application, on a device, asks for what. RFC 8628 §5.4 (remote phishing): an attacker can start a request on
 * their own device and send the code to a victim; the page says to continue only for a device the person has in front
 * of them, and it asks every time (no remembered consent skips it).
 */
export function deviceConsentPage({ action, csrf, userCode, clientName, username, scopes, resources = [], nonce, theme }: DeviceConsentPageOptions): string {
  const requested = requestedAccess(clientName, scopes, 'On that device it will be able to:');
  const apis = resourceList(resources);
  const body = html`<h1>${clientName} on a device wants to access your account</h1>
<p class="lk-muted">Signed in as <strong>${username}</strong> · code <strong>${userCode}</strong></p>
<p class="lk-error" role="note">Only continue if you started this yourself, on a device you have in front of you. If someone sent you this code, choose Deny.</p>
${requested}
${apis}
<form method="post" action="${action}">
<input type="hidden" name="csrf" value="${csrf}">
<input type="hidden" name="user_code" value="${userCode}">
<div class="lk-actions">
<button type="submit" name="decision" value="allow" class="lk-button">Allow</button>
<button type="submit" name="decision" value="deny" class="lk-button lk-button-secondary">Deny</button>
</div>
</form>`;
  return layout({ title: 'Connect a device', body, nonce, theme });
}

export interface DeviceDonePageOptions extends Common {
  heading: string;
  text: string;
  /** Offer to type another code. */
  again?: string | undefined;
}

/** The end of the verification: allowed, denied, or a code that can no longer be used. */
export function deviceDonePage({ heading, text, again, nonce, theme }: DeviceDonePageOptions): string {
  const body = html`<h1>${heading}</h1>
<p>${text}</p>
${again ? html`<div class="lk-actions"><a class="lk-button lk-button-secondary" href="${again}">Enter another code</a></div>` : ''}`;
  return layout({ title: heading, body, nonce, theme });
}
