/**
 * Redirect URI matching: exact string comparison (RFC 9700 §4.1.3, RFC 6749 §3.1.2.3), with one exception for native
 * apps only: a loopback IP redirect URI may use any port (RFC 8252 §7.3), since the OS gives them an ephemeral port.
 * A confidential web client has a fixed address, so for it the port is part of the exact match.
 */

export interface MatchOptions {
  /** RFC 8252 §7.3: true for native apps (public clients); everyone else gets exact matching. */
  anyLoopbackPort?: boolean;
}

/** RFC 8252 §7.3: loopback IP literals; `localhost` is not one (§8.3). */
export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', '[::1]']);

/**
 * The local machine as a URL's hostname names it (IPv6 in brackets), `localhost` included: for the development-only
 * http URLs fetched or served here (an issuer, a jwks_uri, a metadata document), never for redirect URIs (above).
 */
const LOCAL_HOSTNAMES: ReadonlySet<string> = new Set([...LOOPBACK_HOSTS, 'localhost']);
export const isLocalHostname = (hostname: string): boolean => LOCAL_HOSTNAMES.has(hostname);

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

export interface RegistrationContext {
  /** This server's issuer: its own pages (the demo callback) are trusted as much as the issuer itself. */
  issuer: string | undefined;
}

/**
 * The one rule for registering a redirect URI, used by the CLI, the admin API, the console and the config file.
 * Returns why the URI is refused, or undefined when it is acceptable:
 * - absolute, without a fragment (RFC 6749 §3.1.2) or user information (a phishing aid, RFC 9700 §4.1.1);
 * - https; or http on a loopback IP literal, 127.0.0.1 or [::1] (RFC 8252 §7.3; `localhost` is NOT RECOMMENDED by
 *   §8.3, since the name may resolve elsewhere or be claimed by another interface);
 * - or a private-use scheme in reverse domain form, e.g. com.example.app:/cb (RFC 8252 §7.1);
 * - and, on an http issuer, http URIs on the issuer's own origin: those are Latchkey's own pages (the demo
 *   application's /demo/callback on a fresh `npm start`, whose issuer is http://localhost:3000), no less trusted than
 *   the issuer that serves the authorization endpoint.
 * Everything else (file:, javascript:, data:, http to another host, ...) is refused.
 */
export function redirectUriProblem(uri: string, context: RegistrationContext): string | undefined {
  // URL parsing trims and tolerates what exact matching then never matches; refuse it instead of storing it.
  if (/[\s\x00-\x1f\x7f]/.test(uri)) return 'must not contain spaces or control characters';
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'must be an absolute URI';
  }
  if (url.hash || uri.includes('#')) return 'must not contain a fragment';
  if (url.username || url.password) return 'must not contain user information';
  const scheme = url.protocol.slice(0, -1);
  if (scheme === 'https' || scheme === 'http') {
    if (!uri.toLowerCase().startsWith(`${scheme}://`)) return `must start with ${scheme}://`;
    if (scheme === 'https') return undefined;
    if (LOOPBACK_HOSTS.has(url.hostname)) return undefined;
    if (context.issuer !== undefined && url.origin === new URL(context.issuer).origin) return undefined;
    if (url.hostname === 'localhost' || url.hostname.endsWith('.localhost')) {
      return 'use http://127.0.0.1 or http://[::1] instead of localhost, which may resolve elsewhere (RFC 8252 §8.3)';
    }
    return 'http is allowed only for loopback addresses; use https';
  }
  if (scheme.includes('.')) return undefined;
  return `the ${scheme}: scheme is not allowed: use https, http://127.0.0.1 or http://[::1], or a private-use scheme in reverse domain form like com.example.app:/callback (RFC 8252 §7.1)`;
}
