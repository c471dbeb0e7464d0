import { html, raw, type SafeHtml } from '../html.ts';

export interface Theme {
  productName?: string | undefined;
  accentColor?: string | undefined;
  /** Where people get help, linked from error pages (config: https: or mailto: only). */
  supportUrl?: string | undefined;
}

export interface LayoutOptions {
  title: string;
  body: SafeHtml;
  nonce?: string | undefined;
  theme?: Theme | undefined;
  /** A same-origin script that enhances the page (it must work without it), loaded with the nonce. */
  script?: string | undefined;
  /** A wider card, for pages that show long values such as a command. */
  wide?: boolean | undefined;
  /** A same-origin path to load at once (meta refresh). */
  refresh?: string | undefined;
}

const DEFAULT_ACCENT = '#1d4ed8';
export const DEFAULT_PRODUCT = 'Latchkey';
const COLOR = /^#[0-9a-fA-F]{3,8}$/;

/** Returns the accent colour if it is a plain hex colour, otherwise the default. */
export function safeAccent(color: string | undefined): string {
  return color !== undefined && COLOR.test(color) ? color : DEFAULT_ACCENT;
}

// Static stylesheet; the only dynamic value (accent) is validated above. The console (src/console/views/layout.ts) builds on it.
export const STYLES = `
:root {
  --lk-bg: #f3f4f6; --lk-card: #ffffff; --lk-fg: #111827; --lk-muted: #4b5563;
  --lk-border: #9ca3af; --lk-accent-fg: #ffffff; --lk-focus: var(--lk-accent);
  --lk-error: #991b1b; --lk-error-bg: #fef2f2; --lk-radius: 0.5rem; --lk-link: #1d4ed8;
}
*, *::before, *::after { box-sizing: border-box; }
html { font-size: 100%; -webkit-text-size-adjust: 100%; }
body {
  margin: 0; min-height: 100vh; display: flex; flex-direction: column;
  align-items: center; justify-content: center; padding: 1rem;
  background: var(--lk-bg); color: var(--lk-fg); line-height: 1.5;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
}
.lk-brand { margin: 0 0 1rem; font-weight: 600; color: var(--lk-muted); }
.lk-card {
  width: 100%; max-width: 28rem; padding: 2rem 1.5rem; background: var(--lk-card);
  border: 1px solid #e5e7eb; border-radius: var(--lk-radius);
  box-shadow: 0 1px 3px rgb(0 0 0 / 0.1); overflow-wrap: anywhere;
}
.lk-card-wide { max-width: 44rem; }
h1 { font-size: 1.5rem; line-height: 1.25; margin: 0 0 1rem; }
p { margin: 0 0 1rem; }
.lk-muted { color: var(--lk-muted); }
label { display: block; font-weight: 600; margin: 0 0 0.25rem; }
input[type="text"], input[type="password"] {
  display: block; width: 100%; min-height: 2.75rem; padding: 0.5rem 0.75rem;
  margin: 0 0 1rem; font: inherit; color: inherit; background: #fff;
  border: 1px solid var(--lk-border); border-radius: var(--lk-radius);
}
input[aria-invalid="true"] { border-color: var(--lk-error); }
.lk-actions { display: flex; flex-wrap: wrap; gap: 0.75rem; margin-top: 1.5rem; }
.lk-button {
  flex: 1 1 8rem; min-height: 2.75rem; padding: 0.5rem 1rem; font: inherit;
  font-weight: 600; border-radius: var(--lk-radius); cursor: pointer;
  border: 2px solid var(--lk-accent); background: var(--lk-accent); color: var(--lk-accent-fg);
}
.lk-button-secondary { background: transparent; color: var(--lk-fg); border-color: var(--lk-border); }
a.lk-button { display: inline-flex; align-items: center; justify-content: center; text-align: center; text-decoration: none; }
.lk-subhead { font-size: 1rem; margin: 1.5rem 0 0.5rem; }
.lk-actions + p { margin-top: 1rem; }
.lk-card a:not(.lk-button) { color: var(--lk-link); }
.lk-details { margin-top: 1.5rem; padding-top: 0.5rem; border-top: 1px solid var(--lk-border); font-size: 0.875rem; }
.lk-details dd { color: var(--lk-muted); }
:focus-visible { outline: 3px solid var(--lk-focus); outline-offset: 2px; }
.lk-error {
  padding: 0.75rem 1rem; margin: 0 0 1rem; color: var(--lk-error);
  background: var(--lk-error-bg); border: 1px solid var(--lk-error); border-radius: var(--lk-radius);
}
.lk-scopes { padding-left: 1.25rem; margin: 0 0 1rem; }
.lk-scopes li { margin-bottom: 0.5rem; }
code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.875em; }
.lk-scopes code { display: block; color: var(--lk-muted); }
pre { overflow-x: auto; padding: 0.75rem; background: #f9fafb; border: 1px solid #e5e7eb; border-radius: var(--lk-radius); }
pre.lk-command { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0 0 0.5rem; }
.lk-copy { display: flex; align-items: center; gap: 0.75rem; margin: 0 0 1rem; }
.lk-copy .lk-button { flex: 0 0 auto; }
@media (max-width: 30rem) {
  .lk-card-wide { padding: 1.5rem 1rem; }
  pre.lk-command { font-size: 0.8rem; padding: 0.5rem; }
}
dt { font-weight: 600; }
dd { margin: 0 0 0.75rem; }
@media (prefers-color-scheme: dark) {
  :root { --lk-bg: #111827; --lk-card: #1f2937; --lk-fg: #f9fafb; --lk-muted: #d1d5db; --lk-error: #fecaca; --lk-error-bg: #450a0a; --lk-focus: #93c5fd; --lk-link: #93c5fd; }
  .lk-card, pre { border-color: #374151; }
  input[type="text"], input[type="password"], pre { background: #111827; }
}
`;

export function layout({ title, body, nonce, theme, script, wide, refresh }: LayoutOptions): string {
  const product = theme?.productName || DEFAULT_PRODUCT;
  const accent = safeAccent(theme?.accentColor);
  const nonceAttr = nonce ? html` nonce="${nonce}"` : '';
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
${refresh ? html`<meta http-equiv="refresh" content="0; url=${refresh}">
` : ''}<title>${title} – ${product}</title>
<style${nonceAttr}>:root { --lk-accent: ${raw(accent)}; }${raw(STYLES)}</style>
${script ? html`<script src="${script}"${nonceAttr} defer></script>
` : ''}</head>
<body>
<p class="lk-brand">${product}</p>
<main class="lk-card${wide ? ' lk-card-wide' : ''}">
${body}
</main>
</body>
</html>
`.value;
}
