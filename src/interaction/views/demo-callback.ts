import { html, type SafeHtml } from '../html.ts';
import { layout, type Theme } from './layout.ts';

export interface DemoCallbackPageOptions {
  /** Query (or form) parameters the demo redirect URI received. */
  params: Readonly<Record<string, string>>;
  tokenEndpoint: string;
  clientId: string;
  redirectUri: string;
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

export function curlCommand(code: string, tokenEndpoint: string, clientId: string, redirectUri: string): string {
  return [
    `curl -u ${shellQuote(`${clientId}:YOUR_CLIENT_SECRET`)}`,
    '-d grant_type=authorization_code',
    formArg('code', code),
    formArg('redirect_uri', redirectUri),
    '-d code_verifier=YOUR_VERIFIER',
    shellQuote(tokenEndpoint),
  ].join(' \\\n  ');
}

export function demoCallbackPage(opts: DemoCallbackPageOptions): string {
  const { params, tokenEndpoint, clientId, redirectUri, nonce, theme } = opts;
  const { code, state, error } = params;
  const field = (name: string, value: string | undefined) =>
    value === undefined ? '' : html`<dt>${name}</dt><dd><code>${value}</code></dd>\n`;

  let body: SafeHtml;
  if (error !== undefined) {
    body = html`<h1>Authorization failed</h1>
<p class="lk-error" role="alert">The authorization server returned an error.</p>
<dl>
${field('error', error)}${field('error_description', params.error_description)}${field('state', state)}</dl>`;
  } else if (code !== undefined) {
    body = html`<h1>Authorization code received</h1>
<dl>
${field('code', code)}${field('state', state)}${field('iss', params.iss)}</dl>
<p>Exchange the code for tokens (it is single-use and expires quickly).
Replace <code>YOUR_CLIENT_SECRET</code> and <code>YOUR_VERIFIER</code> with your client secret and PKCE code verifier:</p>
<pre><code>${curlCommand(code, tokenEndpoint, clientId, redirectUri)}</code></pre>`;
  } else {
    body = html`<h1>Nothing received</h1>
<p>This page expects a <code>code</code> or an <code>error</code> parameter from the authorization server.</p>`;
  }
  return layout({ title: 'Demo application', body, nonce, theme });
}
