import { InvalidClientMetadata, InvalidRedirectUri } from '../errors.ts';
import { isLocalHostname } from '../redirect-uri.ts';
import { ADMIN_SCOPE } from '../scope.ts';
import type { GrantType } from '../model.ts';

/** The operator's policy for clients that register themselves (config `registration`, README "Dynamic client registration"). */
export interface RegistrationPolicy {
  mode: 'off' | 'open' | 'token';
  /** Patterns; `*` matches any run of characters. Empty: any the application_type allows. */
  redirectUriSchemes: readonly string[];
  /** Patterns for the host of https redirect URIs. Empty: any host. */
  redirectUriHosts: readonly string[];
  perHour: number;
  scopes: readonly string[];
  grantTypes: readonly GrantType[];
}

/** A glob with `*` only, matched against the whole value, case-insensitively (schemes and hosts are). */
export function matchesPattern(value: string, pattern: string): boolean {
  const re = pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${re}$`, 'i').test(value);
}

/**
 * Why a redirect URI does not suit the client's application_type (OpenID Connect Registration 1.0 §2), after the
 * server-wide rule (core/redirect-uri.ts) accepted it:
 * - web: https only, and not on a loopback host (the client is a server on the internet);
 * - native: a private-use scheme in reverse-domain form (RFC 8252 §7.1; the base rule checks the dot), http on a
 *   loopback IP literal with any port (§7.3; never `localhost`, §8.3), or a claimed https URI (§7.2).
 */
function applicationTypeProblem(url: URL, applicationType: 'web' | 'native'): string | undefined {
  if (applicationType === 'web') {
    if (url.protocol !== 'https:') return 'a web client\'s redirect URIs use https (application_type native is for apps on the device)';
    if (isLocalHostname(url.hostname)) return 'a web client\'s redirect URIs must not be on a loopback host';
    return undefined;
  }
  if (url.protocol === 'http:' && url.hostname === 'localhost') return 'use 127.0.0.1 or [::1] rather than localhost (RFC 8252 §8.3)';
  return undefined;
}

/** The operator's scheme and host patterns; loopback redirect URIs of native apps reach only the device itself. */
function operatorProblem(url: URL, policy: Pick<RegistrationPolicy, 'redirectUriSchemes' | 'redirectUriHosts'>): string | undefined {
  const scheme = url.protocol.slice(0, -1);
  if (policy.redirectUriSchemes.length > 0 && !policy.redirectUriSchemes.some((p) => matchesPattern(scheme, p))) {
    return `the scheme ${scheme} is not allowed by this server's registration policy`;
  }
  if (url.protocol === 'https:' && policy.redirectUriHosts.length > 0 && !policy.redirectUriHosts.some((p) => matchesPattern(url.hostname, p))) {
    return `the host ${url.hostname} is not allowed by this server's registration policy`;
  }
  return undefined;
}

/** RFC 7591 §3.2.2 invalid_redirect_uri for the first redirect URI the application type or the policy refuses. */
export function checkRedirectUris(uris: unknown, applicationType: 'web' | 'native', policy: Pick<RegistrationPolicy, 'redirectUriSchemes' | 'redirectUriHosts'>): void {
  if (!Array.isArray(uris)) throw new InvalidRedirectUri('redirect_uris: must be a JSON array of URIs');
  for (const uri of uris) {
    if (typeof uri !== 'string') throw new InvalidRedirectUri('redirect_uris: each redirect URI must be a string');
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw new InvalidRedirectUri(`redirect_uris: ${uri} is not an absolute URI`);
    }
    const problem = applicationTypeProblem(url, applicationType) ?? operatorProblem(url, policy);
    if (problem) throw new InvalidRedirectUri(`redirect_uris: ${uri}: ${problem}`);
  }
}

/** Grant types beyond the policy are refused, not narrowed: a client that silently lost one would fail later, unexplained. */
export function checkGrantTypes(grantTypes: unknown, policy: Pick<RegistrationPolicy, 'grantTypes'>): void {
  if (!Array.isArray(grantTypes)) return;
  const refused = grantTypes.filter((g) => typeof g === 'string' && !(policy.grantTypes as readonly string[]).includes(g));
  if (refused.length > 0) {
    throw new InvalidClientMetadata(`grant_types: not allowed for registered clients here: ${refused.join(', ')} (allowed: ${policy.grantTypes.join(', ')})`);
  }
}

/**
 * The scopes a registered client gets (RFC 7591 §3.2.1: the server MAY replace requested values; the response says
 * what was registered). The request narrowed to the policy's scopes that this server knows; without a request, all of
 * them. Never `admin`. An empty policy list means "any scope but admin", stored as the empty list that means that.
 * A request of which nothing is left is refused: storing an empty list would widen it to every scope.
 */
export function grantedScopes(requested: readonly string[] | undefined, policy: Pick<RegistrationPolicy, 'scopes'>, known: ReadonlySet<string>): string[] {
  const allowed = (s: string) => s !== ADMIN_SCOPE && known.has(s) && (policy.scopes.length === 0 || policy.scopes.includes(s));
  if (requested === undefined) return policy.scopes.filter(allowed);
  const kept = requested.filter(allowed);
  if (kept.length === 0 && requested.length > 0) throw new InvalidClientMetadata('scope: none of the requested scopes can be registered here');
  return kept;
}
