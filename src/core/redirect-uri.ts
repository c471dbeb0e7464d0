/**
 * Redirect URI matching: exact string comparison (RFC 9700 §4.1.3, RFC 6749 §3.1.2.3), with one exception for native
 * apps only: a loopback IP redirect URI may use any port (RFC 8252 §7.3), since the OS gives them an ephemeral port.
 * A confidential web client has a fixed address, so for it the port is part of the exact match.
 */

export interface MatchOptions {
  /** RFC 8252 §7.3: true for native apps (public clients); everyone else gets exact matching. */
  anyLoopbackPort?: boolean;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]']);

function loopbackParts(uri: string): { scheme: string; host: string; rest: string } | undefined {
  // Parse by hand: URL normalisation would hide differences (case, dot segments, default ports) that exact matching
  // must refuse.
  const m = /^(http):\/\/(127\.0\.0\.1|\[::1\])(?::(\d{1,5}))?(\/[^#]*)?$/.exec(uri);
  if (!m || !m[1] || !m[2] || !LOOPBACK_HOSTS.has(m[2])) return undefined;
  return { scheme: m[1], host: m[2], rest: m[4] ?? '' };
}

export function redirectUriMatches(requested: string, registered: string, options: MatchOptions = {}): boolean {
  if (requested === registered) return true;
  if (options.anyLoopbackPort !== true) return false;
  const a = loopbackParts(requested);
  const b = loopbackParts(registered);
  return a !== undefined && b !== undefined && a.scheme === b.scheme && a.host === b.host && a.rest === b.rest;
}

/**
 * The redirect URI for a request: the requested one if it matches a registered one; the single registered one when
 * omitted (RFC 6749 §3.1.2.3); otherwise undefined, and the caller must show an error page, never redirect.
 */
export function resolveRedirectUri(requested: string | undefined, registered: readonly string[], options: MatchOptions = {}): string | undefined {
  if (requested === undefined) return registered.length === 1 ? registered[0] : undefined;
  return registered.some((r) => redirectUriMatches(requested, r, options)) ? requested : undefined;
}

/**
 * Validation of a redirect URI at registration: absolute, no fragment (RFC 6749 §3.1.2), https or loopback http, or a
 * private-use scheme for native apps (RFC 8252 §7.1). Returns a reason when invalid.
 */
export function redirectUriProblem(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'must be an absolute URI';
  }
  if (url.hash || uri.includes('#')) return 'must not contain a fragment';
  if (url.username || url.password) return 'must not contain user information';
  if (url.protocol === 'javascript:' || url.protocol === 'data:' || url.protocol === 'vbscript:') return 'scheme not allowed';
  if (url.protocol === 'http:' && url.hostname !== 'localhost' && !LOOPBACK_HOSTS.has(url.hostname)) {
    return 'http is allowed only for loopback addresses; use https';
  }
  return undefined;
}
