import { describe, it, expect } from 'vitest';
import { html, raw, escapeHtml, SafeHtml } from '../../../src/interaction/html.ts';
import {
  layout,
  loginPage,
  consentPage,
  logoutPage,
  errorPage,
  formPostPage,
  demoCallbackPage,
} from '../../../src/interaction/views/index.ts';

const XSS = '<script>alert(1)</script>';
const ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;';

/** The page must contain exactly the scripts we expect (none, unless form_post). */
function expectNoInjectedScript(page: string): void {
  expect(page).not.toContain(XSS);
  expect(page).toContain(ESCAPED);
}

describe('html', () => {
  it('escapes interpolations but not SafeHtml', () => {
    const out = html`<p title="${`"'&`}">${'<b>'}${raw('<i>x</i>')}</p>`;
    expect(out).toBeInstanceOf(SafeHtml);
    expect(out.value).toBe('<p title="&quot;&#39;&amp;">&lt;b&gt;<i>x</i></p>');
  });

  it('joins arrays and drops null/undefined/false', () => {
    const items = ['<a>', html`<b>${'&'}</b>`];
    expect(html`${items}|${null}|${undefined}|${false}|${0}`.value).toBe('&lt;a&gt;<b>&amp;</b>||||0');
  });

  it('escapeHtml escapes all five characters', () => {
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });
});

describe('escaping in every page', () => {
  it('login escapes clientName, username and error', () => {
    const page = loginPage({ action: '/login', csrf: 'c', clientName: XSS, username: XSS, error: XSS });
    expectNoInjectedScript(page);
    expect(page.split(ESCAPED)).toHaveLength(4);
  });

  it('consent escapes clientName, username and scope fields', () => {
    const page = consentPage({
      action: '/consent',
      csrf: 'c',
      clientName: XSS,
      username: XSS,
      scopes: [{ name: XSS, description: XSS }],
    });
    expectNoInjectedScript(page);
    expect(page.split(ESCAPED)).toHaveLength(5);
  });

  it('logout escapes username', () => {
    expectNoInjectedScript(logoutPage({ action: '/logout', csrf: 'c', username: XSS }));
  });

  it('error page escapes everything it is given', () => {
    const page = errorPage({ title: XSS, message: XSS, advice: XSS, links: [{ href: '/x', label: XSS }], error: XSS, description: XSS, received: [[XSS, XSS]], requestId: XSS });
    expectNoInjectedScript(page);
  });

  it('demo callback escapes received params', () => {
    const ok = demoCallbackPage({
      params: { code: XSS, state: XSS },
      tokenEndpoint: 'https://as.example/token',
      clientId: 'demo',
      redirectUri: 'https://as.example/demo/callback',
    });
    expect(ok).not.toContain('<script>');
    const failed = demoCallbackPage({
      params: { error: XSS, error_description: XSS },
      tokenEndpoint: 'https://as.example/token',
      clientId: 'demo',
      redirectUri: 'https://as.example/demo/callback',
    });
    expectNoInjectedScript(failed);
  });

  it('form_post escapes param names and values', () => {
    const page = formPostPage({ action: 'https://client.example/cb', params: { [XSS]: `"${XSS}` }, nonce: 'n' });
    expect(page).not.toContain(XSS);
    expect(page).toContain(`value="&quot;${ESCAPED}"`);
  });
});

describe('forms', () => {
  const csrfInput = '<input type="hidden" name="csrf" value="tok&amp;en">';

  it('include the CSRF hidden input', () => {
    expect(loginPage({ action: '/login', csrf: 'tok&en', clientName: 'App' })).toContain(csrfInput);
    expect(consentPage({ action: '/c', csrf: 'tok&en', clientName: 'App', username: 'u', scopes: [] })).toContain(
      csrfInput,
    );
    expect(logoutPage({ action: '/logout', csrf: 'tok&en' })).toContain(csrfInput);
  });

  it('login associates labels with inputs and never echoes the password', () => {
    const page = loginPage({ action: '/login', csrf: 'c', clientName: 'My App', username: 'alice' });
    for (const id of ['lk-username', 'lk-password']) {
      expect(page).toContain(`<label for="${id}">`);
      expect(page).toContain(`id="${id}"`);
    }
    expect(page).toContain('autocomplete="current-password"');
    expect(page).toContain('value="alice"');
    expect(page).toMatch(/<input type="password"(?![^>]*value=)[^>]*>/);
    expect(page).toContain('Sign in to continue to <strong>My App</strong>');
    expect(page).not.toContain('role="alert"');
    expect(page).not.toMatch(/<input[^>]*aria-/);
  });

  it('login error is announced and linked to the inputs', () => {
    const page = loginPage({ action: '/login', csrf: 'c', clientName: 'App', error: 'Wrong password' });
    expect(page).toContain('<p id="lk-error" class="lk-error" role="alert">Wrong password</p>');
    expect(page.match(/<input[^>]*aria-invalid="true" aria-describedby="lk-error"[^>]*>/g)).toHaveLength(2);
  });

  it('consent has allow and deny buttons and lists scopes', () => {
    const page = consentPage({
      action: '/consent',
      csrf: 'c',
      clientName: 'App',
      username: 'alice',
      scopes: [{ name: 'profile', description: 'See your profile' }],
    });
    expect(page).toContain('App wants to access your account');
    expect(page).toMatch(/<button type="submit" name="decision" value="allow"[^>]*>Allow<\/button>/);
    expect(page).toMatch(/<button type="submit" name="decision" value="deny"[^>]*>Deny<\/button>/);
    expect(page).toContain('<li>See your profile <code>profile</code></li>');
  });

  it('consent without scopes says the app only wants to know who you are', () => {
    const page = consentPage({ action: '/c', csrf: 'c', clientName: 'App', username: 'u', scopes: [] });
    expect(page).toContain('asks only to know who you are');
    expect(page).not.toContain('<ul');
  });

  it('logout shows a confirmation form, then a done message', () => {
    expect(logoutPage({ action: '/logout', csrf: 'c' })).toContain('>Sign out</button>');
    const done = logoutPage({ action: '/logout', csrf: 'c', done: true });
    expect(done).toContain('You are signed out');
    expect(done).not.toContain('<form');
  });

  it('form_post has hidden inputs, a nonced script and a noscript button', () => {
    const page = formPostPage({
      action: 'https://client.example/cb?x=1&y=2',
      params: { code: 'abc', state: 'xyz' },
      nonce: 'n0nce',
    });
    expect(page).toContain('<form method="post" action="https://client.example/cb?x=1&amp;y=2">');
    expect(page).toContain('<input type="hidden" name="code" value="abc">');
    expect(page).toContain('<input type="hidden" name="state" value="xyz">');
    expect(page).toContain('<script nonce="n0nce">document.forms[0].submit();</script>');
    expect(page).toMatch(/<noscript>[\s\S]*<button type="submit"[^>]*>Continue<\/button>[\s\S]*<\/noscript>/);
  });

  it('form_post refuses non-http targets', () => {
    expect(() => formPostPage({ action: 'javascript:alert(1)', params: {}, nonce: 'n' })).toThrow(TypeError);
  });
});

describe('demo callback', () => {
  it('shows the code and a ready-to-copy curl command', () => {
    const page = demoCallbackPage({
      params: { code: 'c0de', state: 's1' },
      tokenEndpoint: 'https://as.example/token',
      clientId: 'demo',
      redirectUri: 'https://as.example/demo/callback',
    });
    expect(page).toContain('<code>c0de</code>');
    expect(page).toContain('<code>s1</code>');
    expect(page).toContain(
      [
        '<code>curl -u &quot;demo:$CLIENT_SECRET&quot;',
        '-d grant_type=authorization_code',
        '-d code=c0de',
        '-d redirect_uri=https://as.example/demo/callback',
        'https://as.example/token</code></pre>',
      ].join(' \\\n  '),
    );
  });

  it('shell-quotes a hostile code', () => {
    const page = demoCallbackPage({
      params: { code: "x'$(id)" },
      tokenEndpoint: 'https://as.example/token',
      clientId: 'demo',
      redirectUri: 'https://as.example/cb',
    });
    expect(page).toContain(`--data-urlencode &#39;code=x&#39;\\&#39;&#39;$(id)&#39;`);
  });

  it('shows errors', () => {
    const page = demoCallbackPage({
      params: { error: 'access_denied', error_description: 'User said no' },
      tokenEndpoint: 'https://as.example/token',
      clientId: 'demo',
      redirectUri: 'https://as.example/cb',
    });
    expect(page).toContain('access_denied');
    expect(page).toContain('User said no');
    expect(page).not.toContain('curl');
  });
});

describe('layout', () => {
  const body = html`<p>hi</p>`;

  it('is a complete accessible document with a nonced style and no script', () => {
    const page = layout({ title: 'T', body, nonce: 'abc' });
    expect(page).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(page).toContain('<meta name="viewport"');
    expect(page).toContain('<style nonce="abc">');
    expect(page).not.toContain('<script');
    expect(page).not.toMatch(/(src|href)=/);
  });

  it('applies a valid accent color and product name', () => {
    const page = layout({ title: 'T', body, theme: { accentColor: '#ff0066', productName: 'Acme <ID>' } });
    expect(page).toContain('--lk-accent: #ff0066;');
    expect(page).toContain('Acme &lt;ID&gt;');
  });

  it('ignores an invalid accent color', () => {
    const evil = 'red;}</style><script>alert(1)</script>';
    const page = layout({ title: 'T', body, theme: { accentColor: evil } });
    expect(page).not.toContain(evil);
    expect(page).not.toContain('<script');
    expect(page).toContain('--lk-accent: #1d4ed8;');
    expect(loginPage({ action: '/l', csrf: 'c', clientName: 'A', theme: { accentColor: 'red' } })).toContain(
      '--lk-accent: #1d4ed8;',
    );
  });
});
