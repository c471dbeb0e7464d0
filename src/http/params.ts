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

/** application/x-www-form-urlencoded (and query strings). Duplicates become arrays, refused later by `oauthParams`. */
export function parseUrlEncoded(text: string): RawParams {
  const out: RawParams = Object.create(null) as RawParams;
  if (text === '') return out;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawKey = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? '' : pair.slice(eq + 1);
    let key: string;
    let value: string;
    try {
      key = formDecode(rawKey);
      value = formDecode(rawValue);
    } catch {
      out[MALFORMED] = 'a parameter is not valid percent-encoded UTF-8';
      return out;
    }
    const prev = out[key];
    out[key] = prev === undefined ? value : Array.isArray(prev) ? [...(prev as string[]), value] : [prev, value];
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
  const out: RawParams = Object.create(null) as RawParams;
  for (const [k, v] of Object.entries(parsed)) {
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
      if (Array.isArray(v)) throw new InvalidRequest(`parameter ${safeName(k)} is included more than once`);
      if (typeof v !== 'string') throw new InvalidRequest(`parameter ${safeName(k)} must be a string`);
      if (v === '') continue;
      if (k in out) throw new InvalidRequest(`parameter ${safeName(k)} is included more than once`);
      out[k] = v;
    }
  }
  return out;
}

/** Parameter names go into error messages; keep them short and printable. */
const safeName = (name: string): string => (/^[A-Za-z0-9_.-]{1,64}$/.test(name) ? name : '(unnamed)');
