import { InvalidRequest } from '../core/errors.ts';
import type { Params } from '../core/context.ts';
import { formDecode } from '../core/form-decode.ts';

/**
 * Strict parsing of OAuth parameters: valid UTF-8, no duplicated parameters (RFC 6749 §3.1, §3.2), string values
 * only, and empty values treated as omitted (§3.1).
 */

export const MALFORMED = Symbol('malformed');
export type RawParams = Record<string, unknown> & { [MALFORMED]?: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeUtf8(buf: Buffer): string {
  try {
    return utf8.decode(buf);
  } catch {
    throw new InvalidRequest('the request body is not valid UTF-8');
  }
}

/**
 * The most parameters one query string or body may carry. OAuth requests use a dozen; the console's largest form
 * (an application, one checkbox per scope) a few dozen. A cap keeps the work per request bounded whatever the shape.
 */
export const MAX_PARAMS = 500;

/**
 * Parameters the OAuth endpoints accept more than once: RFC 8707 §2 `resource` ("may be specified multiple times"),
 * and RFC 8693 §2.1 `audience` (likewise).
 * They reach the core as one string, the values joined by single spaces, which no valid value contains (a resource
 * identifier is a URI: core/resources/identifier.ts refuses spaces); the core splits them again.
 */
const MULTI_VALUED: ReadonlySet<string> = new Set(['resource', 'audience']);

export interface UrlEncodedOptions {
  /**
   * Whether a name may repeat (the console's checkboxes). When not, parsing stops at the first duplicate: the OAuth
   * endpoints refuse a repeated parameter anyway (RFC 6749 §3.1, §3.2), so reading further is wasted work.
   */
  repeats?: boolean;
  maxParams?: number;
}

/**
 * application/x-www-form-urlencoded (and query strings), in one pass: linear in the input whatever its shape. The
 * first problem (malformed percent-encoding or UTF-8, a refused duplicate, too many parameters) is flagged under
 * `MALFORMED` and ends the parse; the query parser cannot throw, so the flag is refused later (`oauthParams`).
 * Repeated names (where allowed) become arrays, refused later by `oauthParams`.
 */
export function parseUrlEncoded(text: string, options: UrlEncodedOptions = {}): RawParams {
  const { repeats = true, maxParams = MAX_PARAMS } = options;
  const out: RawParams = Object.create(null) as RawParams;
  let count = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('&', start);
    if (end < 0) end = text.length;
    const pair = text.slice(start, end);
    start = end + 1;
    if (pair === '') continue;
    if (++count > maxParams) {
      out[MALFORMED] = `more than ${maxParams} parameters`;
      return out;
    }
    const eq = pair.indexOf('=');
    let key: string;
    let value: string;
    try {
      key = formDecode(eq < 0 ? pair : pair.slice(0, eq));
      value = eq < 0 ? '' : formDecode(pair.slice(eq + 1));
    } catch {
      out[MALFORMED] = 'a parameter is not valid percent-encoded UTF-8';
      return out;
    }
    const prev = out[key];
    if (prev === undefined) out[key] = value;
    else if (!repeats && !MULTI_VALUED.has(key)) {
      out[MALFORMED] = duplicated(key);
      return out;
    } else if (Array.isArray(prev)) prev.push(value); // in place: copying on every repeat made this quadratic
    else out[key] = [prev, value];
  }
  return out;
}

/** JSON bodies: an object of strings (numbers and booleans are stringified, as a form would send them). */
export function parseJsonBody(text: string): RawParams {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text, (key, value: unknown) => {
      // Prototype poisoning: refuse keys that could reach Object.prototype when merged.
      if (key === '__proto__' || (key === 'constructor' && typeof value === 'object' && value !== null && 'prototype' in value)) {
        throw new InvalidRequest('forbidden key in JSON body');
      }
      return value;
    });
  } catch (err) {
    if (err instanceof InvalidRequest) throw err;
    throw new InvalidRequest('the request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidRequest('the JSON body must be an object');
  const entries = Object.entries(parsed);
  if (entries.length > MAX_PARAMS) throw new InvalidRequest(`more than ${MAX_PARAMS} parameters`);
  const out: RawParams = Object.create(null) as RawParams;
  for (const [k, v] of entries) {
    out[k] = typeof v === 'number' || typeof v === 'boolean' ? String(v) : v;
  }
  return out;
}

/** Turns a parsed query or body into OAuth parameters, refusing duplicates and non-string values. */
export function oauthParams(...sources: (unknown | undefined)[]): Params {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const source of sources) {
    if (source === undefined || source === null) continue;
    if (typeof source !== 'object') throw new InvalidRequest('unsupported request body');
    const malformed = (source as RawParams)[MALFORMED];
    if (malformed) throw new InvalidRequest(malformed);
    for (const [k, v] of Object.entries(source)) {
      if (Array.isArray(v) && MULTI_VALUED.has(k) && v.every((x) => typeof x === 'string')) {
        const values = (v as string[]).filter((x) => x !== '');
        if (values.length === 0) continue;
        if (k in out) throw new InvalidRequest(duplicated(k));
        out[k] = values.join(' ');
        continue;
      }
      if (Array.isArray(v)) throw new InvalidRequest(duplicated(k));
      if (typeof v !== 'string') throw new InvalidRequest(`parameter ${safeName(k)} must be a string`);
      if (v === '') continue;
      if (k in out) throw new InvalidRequest(duplicated(k));
      out[k] = v;
    }
  }
  return out;
}

/** Parameter names go into error messages; keep them short and printable. */
const safeName = (name: string): string => (/^[A-Za-z0-9_.-]{1,64}$/.test(name) ? name : '(unnamed)');

/** The message for a repeated parameter, naming it when the name is safe to show. */
export const duplicated = (name: string): string => `parameter ${safeName(name)} is included more than once`;
