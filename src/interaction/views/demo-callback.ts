import { html, type SafeHtml } from '../html.ts';
import { layout, type Theme } from './layout.ts';
import { PAGE_SCRIPT_PATH } from './page-script.ts';

export interface DemoCallbackPageOptions {
  /** Query (or form) parameters the demo redirect URI received. */
  params: Readonly<Record<string, string>>;
  tokenEndpoint: string;
  clientId: string;
  redirectUri: string;
  /** Seconds the received code has left: undefined when unknown, 0 or less when it expired or was used. */
  codeExpiresIn?: number | undefined;
  /** A fresh authorization URL of the demo application, to get a new code. */
  authorizationUrl?: string | undefined;
  nonce?: string | undefined;
  theme?: Theme | undefined;
}

/** Quotes a value for a POSIX shell so a hostile `code` cannot run commands when pasted. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_\-.:/=@%+,]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

function formArg(name: string, value: string): string {
  // -d sends the value as-is; anything beyond URL-safe characters needs encoding.
  const flag = /^[A-Za-z0-9\-._~:/]*$/.test(value) ? '-d' : '--data-urlencode';
  return `${flag} ${shellQuote(`${name}=${value}`)}`;
}

/**
 * The token request for the demo's code, to run as printed once CLIENT_SECRET holds the secret printed at first start.
 * No code_verifier: the demo URL carries no PKCE challenge (the demo application has requirePkce off), and a verifier
 * sent for a code issued without a challenge is refused as a downgrade attempt (RFC 9700 §2.1.1).
 */
export function curlCommand(code: string, tokenEndpoint: string, clientId: string, redirectUri: string): string {
  // Double quotes so the shell expands $CLIENT_SECRET; the client id is quoted apart if it needs quoting at all.
  const user = /^[A-Za-z0-9_.-]+$/.test(clientId) ? `"${clientId}:$CLIENT_SECRET"` : `${shellQuote(`${clientId}:`)}"$CLIENT_SECRET"`;
  return [
    `curl -u ${user}`,
    '-d grant_type=authorization_code',
    formArg('code', code),
    formArg('redirect_uri', redirectUri),
    shellQuote(tokenEndpoint),
  ].join(' \\\n  ');
}

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

function lifetime(seconds: number | undefined, again: SafeHtml | string): SafeHtml | string {
  if (seconds === undefined) return '';
  if (seconds <= 0) return html`<p class="lk-error" role="alert">This code has expired or was already used: exchanging it will fail. ${again}</p>`;
  return html`<p>This code expires in <strong>${plural(seconds, 'second')}</strong> and works once.</p>`;
}

export function demoCallbackPage(opts: DemoCallbackPageOptions): string {
  const { params, tokenEndpoint, clientId, redirectUri, authorizationUrl, nonce, theme } = opts;
  const { code, state, error } = params;
  const field = (name: string, value: string | undefined) =>
    value === undefined ? '' : html`<dt>${name}</dt><dd><code>${value}</code></dd>\n`;
  const again = authorizationUrl ? html`<a href="${authorizationUrl}">Get a new code</a>.` : '';
  // Consent is remembered, so a newcomer would never see the consent page again: say how (OpenID Connect Core §3.1.2.1
  // prompt=consent, which Latchkey honours for OAuth requests too) and where consent is withdrawn.
  const tryAgain = html`<h2 class="lk-subhead">Try it again</h2>
<p>Latchkey remembers that you allowed this application, so the next sign-in skips the consent page.
${authorizationUrl ? html`To see it again, and try Deny, add <code>prompt=consent</code> to the URL: <a href="${`${authorizationUrl}&prompt=consent`}">ask for consent again</a>. ` : ''}To withdraw your consent, revoke the application in <a href="/account">your account</a>.</p>`;

  let body: SafeHtml;
  if (error !== undefined) {
    body = html`<h1>Authorization failed</h1>
<p class="lk-error" role="alert">The authorization server returned an error.</p>
<dl>
${field('error', error)}${field('error_description', params.error_description)}${field('state', state)}</dl>
${authorizationUrl ? html`<div class="lk-actions"><a class="lk-button" href="${authorizationUrl}">Start again</a></div>` : ''}`;
  } else if (code !== undefined) {
    body = html`<h1>Authorization code received</h1>
<dl>
${field('code', code)}${field('state', state)}${field('iss', params.iss)}</dl>
${lifetime(opts.codeExpiresIn, again)}
<p>Exchange it for tokens: set <code>CLIENT_SECRET</code> to the client secret printed when Latchkey first started
(<code>export CLIENT_SECRET=lk_cs_…</code>), then run:</p>
<pre class="lk-command" id="lk-command"><code>${curlCommand(code, tokenEndpoint, clientId, redirectUri)}</code></pre>
<div class="lk-copy"><button type="button" class="lk-button lk-button-secondary" data-copy="lk-command" hidden>Copy</button><span id="lk-command-status" role="status"></span></div>
${tryAgain}`;
  } else {
    body = html`<h1>Nothing received</h1>
<p>This page expects a <code>code</code> or an <code>error</code> parameter from the authorization server.</p>
${authorizationUrl ? html`<div class="lk-actions"><a class="lk-button" href="${authorizationUrl}">Start the demo</a></div>` : ''}`;
  }
  return layout({ title: 'Demo application', body, nonce, theme, script: PAGE_SCRIPT_PATH, wide: true });
}
