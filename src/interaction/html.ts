/**
 * Escaping tagged template for server-rendered HTML.
 *
 * Every interpolated value is escaped unless it is a SafeHtml, so pages built
 * only with `html` cannot inject markup from data.
 */

export class SafeHtml {
  readonly value: string;

  constructor(value: string) {
    this.value = value;
  }

  toString(): string {
    return this.value;
  }
}

/** Values accepted inside `html` templates. `false`, null and undefined render as nothing. */
export type HtmlValue =
  | SafeHtml
  | string
  | number
  | bigint
  | false
  | null
  | undefined
  | readonly HtmlValue[];

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** Marks a trusted string as HTML. Never pass user-controlled data. */
export function raw(s: string): SafeHtml {
  return new SafeHtml(s);
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map((v: HtmlValue) => render(v)).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) {
    out += render(values[i]) + (strings[i + 1] ?? '');
  }
  return new SafeHtml(out);
}
