import { html, raw, type HtmlValue, type SafeHtml } from '../../interaction/html.ts';
import { safeAccent, STYLES, type Theme } from '../../interaction/views/layout.ts';
import { CHART_STYLES } from './charts.ts';
import { STACKED_TABLE_STYLES } from './stacked-tables.ts';

/**
 * The console's and the account page's frame: a top bar with navigation and the signed-in person, a wide main area,
 * and one same-origin script for progressive enhancement (copy buttons, redirect URI checks as you type). Every page
 * works without it.
 */

export const CONSOLE_SCRIPT_PATH = '/console/assets/console.js';

// Builds on the sign-in pages' stylesheet (layout.ts): same colours, focus ring, buttons and dark mode.
const APP_STYLES = `
body.lk-app { display: block; padding: 0; min-height: 100vh; }
[hidden] { display: none !important; }
.lk-skip { position: absolute; left: -9999px; top: 0; padding: 0.5rem 1rem; background: var(--lk-card); z-index: 10; }
.lk-skip:focus { left: 0.5rem; top: 0.5rem; }
.lk-topbar { background: var(--lk-card); border-bottom: 1px solid var(--lk-line); }
.lk-topbar-inner { max-width: 72rem; margin: 0 auto; padding: 0.625rem 1.5rem; display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 0.5rem 1.5rem; }
.lk-product { font-weight: 700; margin: 0; white-space: nowrap; }
.lk-product span { font-weight: 400; color: var(--lk-muted); }
.lk-nav { max-width: 72rem; margin: 0 auto; padding: 0 1.5rem; }
.lk-nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: 0 0.25rem; margin: 0; padding: 0; }
.lk-nav a { display: block; padding: 0.5rem 0.75rem 0.625rem; color: var(--lk-fg); text-decoration: none; border-bottom: 3px solid transparent; }
.lk-nav a:hover { border-bottom-color: var(--lk-line); }
.lk-nav a[aria-current="page"] { font-weight: 600; border-bottom-color: var(--lk-accent); }
.lk-whoami { display: flex; align-items: center; gap: 0.75rem; color: var(--lk-muted); }
.lk-whoami form { margin: 0; }
.lk-page { max-width: 72rem; margin: 0 auto; padding: 1.5rem; }
.lk-page-head { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 1rem; margin-bottom: 1rem; }
.lk-page-head h1 { margin: 0; }
.lk-panel { background: var(--lk-card); border: 1px solid var(--lk-line); border-radius: var(--lk-radius); padding: 1.25rem 1.5rem; margin: 0 0 1.5rem; overflow-wrap: anywhere; }
.lk-panel > h2 { font-size: 1.125rem; margin: 0 0 1rem; }
.lk-panel > :last-child, .lk-secret > :last-child, .lk-secret > .lk-field:last-child .lk-status { margin-bottom: 0; }
.lk-panel-danger { border-color: var(--lk-danger); }
h2 { font-size: 1.25rem; }
a { color: var(--lk-link); }
.lk-app .lk-actions { margin-top: 1rem; align-items: center; }
.lk-app .lk-button { flex: 0 0 auto; display: inline-flex; align-items: center; justify-content: center; text-decoration: none; min-height: 2.5rem; }
.lk-button-small { min-height: 2rem !important; padding: 0.25rem 0.75rem; font-size: 0.875rem; }
.lk-button-danger { background: var(--lk-danger); border-color: var(--lk-danger); color: #fff; }
.lk-link-button { background: none; border: none; padding: 0; font: inherit; color: var(--lk-link); text-decoration: underline; cursor: pointer; }
.lk-field { margin: 0 0 1.25rem; }
.lk-field > input, .lk-field > select, .lk-field > textarea { margin: 0; }
.lk-hint { margin: 0 0 0.375rem; color: var(--lk-muted); font-size: 0.875rem; }
.lk-field-error { margin: 0 0 0.375rem; color: var(--lk-error); font-weight: 600; }
.lk-field-error:empty { display: none; }
.lk-app input[type="text"], .lk-app input[type="password"], .lk-app input[type="email"], .lk-app input[type="search"],
.lk-app input[type="url"], .lk-app input[type="datetime-local"], .lk-app select, .lk-app textarea {
  display: block; width: 100%; max-width: 40rem; min-height: 2.5rem; padding: 0.375rem 0.75rem; font: inherit; color: inherit;
  background: var(--lk-input); border: 1px solid var(--lk-border); border-radius: var(--lk-radius);
}
.lk-app input[type="text"], .lk-app input[type="password"] { margin: 0; }
.lk-app textarea { min-height: 6rem; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.875rem; }
.lk-app input.lk-short { max-width: 12rem; }
[aria-invalid="true"] { border-color: var(--lk-error) !important; box-shadow: 0 0 0 1px var(--lk-error); }
fieldset { border: 1px solid var(--lk-line); border-radius: var(--lk-radius); padding: 0.75rem 1rem; margin: 0 0 1.25rem; max-width: 40rem; min-width: 0; }
legend { font-weight: 600; padding: 0 0.25rem; }
.lk-check { display: flex; gap: 0.5rem; align-items: flex-start; margin: 0.375rem 0; }
.lk-check input { width: 1.125rem; height: 1.125rem; margin: 0.2rem 0 0; flex: none; accent-color: var(--lk-accent); }
.lk-check label { font-weight: 400; margin: 0; }
.lk-check .lk-hint { display: block; margin: 0; }
.lk-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr)); gap: 0 1.5rem; max-width: 38rem; align-items: end; }
.lk-table-wrap { overflow-x: auto; }
.lk-table { width: 100%; border-collapse: collapse; font-size: 0.9375rem; }
.lk-table { overflow-wrap: normal; }
.lk-table th, .lk-table td { text-align: left; padding: 0.5rem 0.75rem; border-bottom: 1px solid var(--lk-line); vertical-align: top; }
.lk-table th { font-size: 0.8125rem; text-transform: uppercase; letter-spacing: 0.03em; color: var(--lk-muted); }
.lk-table tbody tr:hover { background: var(--lk-bg); }
.lk-table td form { margin: 0; }
time { white-space: nowrap; }
.lk-empty { color: var(--lk-muted); padding: 1rem 0; margin: 0; }
.lk-badge { display: inline-block; padding: 0 0.5rem; border-radius: 999px; font-size: 0.75rem; font-weight: 600; border: 1px solid var(--lk-border); color: var(--lk-muted); white-space: nowrap; }
.lk-badge-warn { border-color: var(--lk-danger); color: var(--lk-danger); }
.lk-badge-ok { border-color: var(--lk-ok); color: var(--lk-ok); }
.lk-notice { padding: 0.75rem 1rem; margin: 0 0 1rem; border: 1px solid var(--lk-ok); border-radius: var(--lk-radius); background: var(--lk-ok-bg); }
.lk-error-summary { padding: 1rem 1.25rem; margin: 0 0 1.5rem; border: 2px solid var(--lk-error); border-radius: var(--lk-radius); background: var(--lk-error-bg); }
.lk-error-summary h2 { font-size: 1.125rem; margin: 0 0 0.5rem; color: var(--lk-error); }
.lk-error-summary ul { margin: 0; padding-left: 1.25rem; }
.lk-error-summary a { color: var(--lk-error); font-weight: 600; }
.lk-secret { padding: 1rem 1.25rem; margin: 0 0 1.5rem; border: 2px solid var(--lk-accent); border-radius: var(--lk-radius); background: var(--lk-card); }
.lk-secret h2 { font-size: 1.125rem; margin: 0 0 0.5rem; }
.lk-copy { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; }
.lk-copy input { flex: 1 1 20rem; font-family: ui-monospace, Menlo, Consolas, monospace; }
.lk-status { color: var(--lk-ok); font-weight: 600; min-height: 1.5em; margin: 0.25rem 0 0; }
.lk-dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.375rem 1.5rem; margin: 0; }
.lk-dl dt { color: var(--lk-muted); font-weight: 600; }
.lk-dl dd { margin: 0; }
.lk-spaced { margin-bottom: 1.25rem; }
.lk-narrow { max-width: 34rem; margin: 3rem auto; }
.lk-inline-form { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: flex-end; margin: 0 0 1rem; }
.lk-inline-form .lk-field { margin: 0; }
.lk-pager { display: flex; gap: 1rem; margin-top: 1rem; }
.lk-visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.lk-details code { font-size: 0.8125rem; }
.lk-details span { display: inline-block; margin-right: 0.875rem; }
:root { --lk-line: #e5e7eb; --lk-input: #ffffff; --lk-link: #1d4ed8; --lk-danger: #b91c1c; --lk-ok: #166534; --lk-ok-bg: #f0fdf4; }
@media (prefers-color-scheme: dark) {
  :root { --lk-line: #374151; --lk-input: #111827; --lk-link: #93c5fd; --lk-danger: #f87171; --lk-ok: #86efac; --lk-ok-bg: #052e16; }
  .lk-button-danger { color: #111827; }
}
`;

export interface NavItem {
  href: string;
  label: string;
}

export interface AppLayoutOptions {
  title: string;
  body: SafeHtml;
  nonce: string;
  theme?: Theme | undefined;
  /** "console" or "account": shown after the product name. */
  area: string;
  nav: readonly NavItem[];
  /** The nav item of this page. */
  current?: string | undefined;
  /** The signed-in person and how to sign out; left out on the sign-in pages. */
  user?: { name: string; signOutAction: string; csrf: string } | undefined;
  /** After a POST that showed something once (a secret), where a reload should go instead of re-posting. */
  canonical?: string | undefined;
}

export function appLayout(o: AppLayoutOptions): string {
  const product = o.theme?.productName || 'Latchkey';
  const accent = safeAccent(o.theme?.accentColor);
  const nav =
    o.nav.length === 0
      ? ''
      : html`<nav class="lk-nav" aria-label="${o.area}">
<ul>
${o.nav.map((n) => html`<li><a href="${n.href}"${n.href === o.current ? raw(' aria-current="page"') : ''}>${n.label}</a></li>\n`)}</ul>
</nav>`;
  const user = o.user
    ? html`<div class="lk-whoami">
<span>Signed in as <strong>${o.user.name}</strong></span>
<form method="post" action="${o.user.signOutAction}">
<input type="hidden" name="csrf" value="${o.user.csrf}">
<button type="submit" class="lk-button lk-button-secondary lk-button-small">Sign out</button>
</form>
</div>`
    : '';
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
${o.canonical ? html`<meta name="lk-canonical" content="${o.canonical}">` : ''}
<title>${o.title} – ${product} ${o.area}</title>
<style nonce="${o.nonce}">:root { --lk-accent: ${raw(accent)}; }${raw(STYLES)}${raw(APP_STYLES)}${raw(CHART_STYLES)}${raw(STACKED_TABLE_STYLES)}</style>
<script src="${CONSOLE_SCRIPT_PATH}" nonce="${o.nonce}" defer></script>
</head>
<body class="lk-app">
<a class="lk-skip" href="#main">Skip to content</a>
<header class="lk-topbar">
<div class="lk-topbar-inner">
<p class="lk-product">${product} <span>${o.area}</span></p>
${user}
</div>
${nav}
</header>
<main id="main" class="lk-page" tabindex="-1">
${o.body}
</main>
</body>
</html>
`.value;
}

// Building blocks. Field ids are `f-<name>`; errors and hints are tied to their field with aria-describedby.

export type FieldErrors = Readonly<Record<string, string>>;

const describedBy = (id: string, hint: boolean, error: boolean) => {
  const ids = [hint ? `${id}-hint` : '', `${id}-error`].filter(Boolean).join(' ');
  return html` aria-describedby="${ids}"${error ? raw(' aria-invalid="true"') : ''}`;
};

export interface TextFieldOptions {
  name: string;
  label: string;
  value?: string | null | undefined;
  error?: string | undefined;
  hint?: HtmlValue;
  type?: 'text' | 'email' | 'password' | 'search' | 'datetime-local';
  required?: boolean;
  autocomplete?: string;
  short?: boolean;
  /** Extra attributes, trusted markup only. */
  attrs?: SafeHtml;
}

export function textField(o: TextFieldOptions): SafeHtml {
  const id = `f-${o.name}`;
  const hint = o.hint !== undefined && o.hint !== '';
  return html`<div class="lk-field">
<label for="${id}">${o.label}</label>
${hint ? html`<p class="lk-hint" id="${id}-hint">${o.hint}</p>` : ''}
<p class="lk-field-error" id="${id}-error">${o.error ?? ''}</p>
<input type="${o.type ?? 'text'}" id="${id}" name="${o.name}" value="${o.value ?? ''}"${o.required ? raw(' required') : ''}${o.autocomplete ? html` autocomplete="${o.autocomplete}"` : ''}${o.short ? raw(' class="lk-short"') : ''}${describedBy(id, hint, o.error !== undefined)}${o.attrs ?? ''}>
</div>`;
}

export function textArea(o: TextFieldOptions & { rows?: number; validate?: string }): SafeHtml {
  const id = `f-${o.name}`;
  const hint = o.hint !== undefined && o.hint !== '';
  return html`<div class="lk-field">
<label for="${id}">${o.label}</label>
${hint ? html`<p class="lk-hint" id="${id}-hint">${o.hint}</p>` : ''}
<p class="lk-field-error" id="${id}-error" aria-live="polite">${o.error ?? ''}</p>
<textarea id="${id}" name="${o.name}" rows="${o.rows ?? 4}" spellcheck="false" autocapitalize="none"${o.validate ? html` data-validate="${o.validate}"` : ''}${describedBy(id, hint, o.error !== undefined)}>${o.value ?? ''}</textarea>
</div>`;
}

export interface Choice {
  value: string;
  label: string;
  hint?: string | undefined;
}

/** Checkboxes (many) or radio buttons (one) in a fieldset; the error names the group. */
export function choiceGroup(o: { name: string; legend: string; type: 'checkbox' | 'radio'; choices: readonly Choice[]; selected: readonly string[]; error?: string | undefined; hint?: string | undefined }): SafeHtml {
  const id = `f-${o.name}`;
  return html`<fieldset id="${id}"${describedBy(id, o.hint !== undefined, o.error !== undefined)}>
<legend>${o.legend}</legend>
${o.hint ? html`<p class="lk-hint" id="${id}-hint">${o.hint}</p>` : ''}
<p class="lk-field-error" id="${id}-error">${o.error ?? ''}</p>
${o.choices.map((c, i) => {
  const cid = `${id}-${i}`;
  const hint = c.hint ? html` aria-describedby="${cid}-hint"` : '';
  return html`<div class="lk-check"><input type="${o.type}" id="${cid}" name="${o.name}" value="${c.value}"${o.selected.includes(c.value) ? raw(' checked') : ''}${hint}><div><label for="${cid}">${c.label}</label>${c.hint ? html`<span class="lk-hint" id="${cid}-hint">${c.hint}</span>` : ''}</div></div>\n`;
})}</fieldset>`;
}

export function selectField(o: { name: string; label: string; options: readonly Choice[]; value: string; error?: string | undefined; hint?: string | undefined }): SafeHtml {
  const id = `f-${o.name}`;
  return html`<div class="lk-field">
<label for="${id}">${o.label}</label>
${o.hint ? html`<p class="lk-hint" id="${id}-hint">${o.hint}</p>` : ''}
<p class="lk-field-error" id="${id}-error">${o.error ?? ''}</p>
<select id="${id}" name="${o.name}"${describedBy(id, o.hint !== undefined, o.error !== undefined)}>
${o.options.map((c) => html`<option value="${c.value}"${c.value === o.value ? raw(' selected') : ''}>${c.label}</option>\n`)}</select>
</div>`;
}

/** A list of the problems at the top of a form, each a link to its field (the script moves focus here). */
export function errorSummary(errors: FieldErrors | undefined, labels: Readonly<Record<string, string>>, message?: string): SafeHtml | '' {
  const entries = Object.entries(errors ?? {});
  if (entries.length === 0 && !message) return '';
  return html`<div class="lk-error-summary" role="alert" tabindex="-1">
<h2>There is a problem</h2>
${message ? html`<p>${message}</p>` : ''}
${entries.length > 0 ? html`<ul>${entries.map(([k, v]) => html`<li><a href="#f-${k}">${labels[k] ?? k}: ${v}</a></li>`)}</ul>` : ''}
</div>`;
}

export const csrfInput = (csrf: string): SafeHtml => html`<input type="hidden" name="csrf" value="${csrf}">`;

/** A one-button POST form (revoke, disable ...); `label` should say what it acts on for screen readers. */
export function postButton(o: { action: string; csrf: string; text: string; label?: string; danger?: boolean; secondary?: boolean; hidden?: Record<string, string>; large?: boolean }): SafeHtml {
  const cls = `lk-button${o.danger ? ' lk-button-danger' : o.secondary ? ' lk-button-secondary' : ''}${o.large ? '' : ' lk-button-small'}`;
  return html`<form method="post" action="${o.action}">${csrfInput(o.csrf)}${Object.entries(o.hidden ?? {}).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}<button type="submit" class="${cls}"${o.label ? html` aria-label="${o.label}"` : ''}>${o.text}</button></form>`;
}

/** A value shown once, with a Copy button that the script reveals where the clipboard is available. */
export function copyBox(o: { id: string; label: string; value: string }): SafeHtml {
  return html`<div class="lk-field">
<label for="${o.id}">${o.label}</label>
<div class="lk-copy">
<input type="text" id="${o.id}" value="${o.value}" readonly spellcheck="false" autocomplete="off">
<button type="button" class="lk-button lk-button-secondary" data-copy="${o.id}" hidden>Copy<span class="lk-visually-hidden"> ${o.label}</span></button>
</div>
<p class="lk-status" id="${o.id}-status" role="status"></p>
</div>`;
}

export function time(iso: string | null | undefined): SafeHtml | string {
  if (!iso) return '—';
  return html`<time datetime="${iso}">${iso.slice(0, 16).replace('T', ' ')} UTC</time>`;
}

export function table(o: { caption: string; head: readonly string[]; rows: readonly SafeHtml[]; empty: string }): SafeHtml {
  if (o.rows.length === 0) return html`<p class="lk-empty">${o.empty}</p>`;
  return html`<div class="lk-table-wrap"><table class="lk-table lk-stack">
<caption class="lk-visually-hidden">${o.caption}</caption>
<thead><tr>${o.head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>
${o.rows.map((r) => labelCells(r, o.head))}</tbody>
</table></div>`;
}

/**
 * Gives each cell of a row its column's name (`data-label`), which the narrow-screen style shows beside the value
 * when the rows are stacked (CSS only). Rows are our own markup with flat cells, so the n-th `<td` is column n.
 */
function labelCells(row: SafeHtml, head: readonly string[]): SafeHtml {
  let n = 0;
  return raw(
    row.value.replace(/<td(?=[\s>])/g, () => {
      const label = head[n++] ?? '';
      return label === '' ? '<td data-label="" class="lk-cell-actions"' : html`<td data-label="${label}"`.value;
    }),
  );
}

/** "Next page" (and back to the first) for keyset-paged lists; `params` keeps the filters. */
export function pager(path: string, params: Readonly<Record<string, string | undefined>>, nextCursor: string | null, onLaterPage: boolean): SafeHtml | '' {
  if (!nextCursor && !onLaterPage) return '';
  const url = (cursor?: string) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
    if (cursor) q.set('cursor', cursor);
    const s = q.toString();
    return s ? `${path}?${s}` : path;
  };
  return html`<nav class="lk-pager" aria-label="Pages">
${onLaterPage ? html`<a href="${url()}">First page</a>` : ''}
${nextCursor ? html`<a href="${url(nextCursor)}" rel="next">Next page</a>` : ''}
</nav>`;
}
