import type { OidcClientMetadata } from '../model.ts';
import { isLocalHostname } from '../redirect-uri.ts';

/** An absolute URL a browser or this server may be sent to: https, or http on a loopback address; never a fragment. */
function uriProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${value} is not an absolute URL`;
  }
  if (url.hash !== '' || value.includes('#')) return `${value} must not have a fragment`;
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLocalHostname(url.hostname))) return `${value} must use https (http only on a loopback address)`;
  return undefined;
}

/** Core §8.1: without a sector_identifier_uri, the sector is the host of the redirect URIs, so there must be one. */
export function sectorHost(redirectUris: readonly string[]): string | undefined {
  const hosts = new Set<string>();
  for (const uri of redirectUris) {
    try {
      hosts.add(new URL(uri).host);
    } catch {
      return undefined;
    }
  }
  return hosts.size === 1 ? [...hosts][0] : undefined;
}

/**
 * The OpenID Connect metadata of a client as a whole (Registration 1.0 §2), each problem under its field's name, for
 * the configuration file, the CLI, the admin API and the console alike.
 */
export function oidcMetadataProblems(
  c: { redirectUris: readonly string[]; oidc?: Partial<OidcClientMetadata> | undefined },
  settings: { pairwiseSalt?: string | undefined },
): Record<string, string> {
  const problems: Record<string, string> = {};
  const o = c.oidc ?? {};
  if (o.subjectType === 'pairwise') {
    if (settings.pairwiseSalt === undefined) problems['subjectType'] = 'pairwise subjects need oidc.pairwiseSalt in the server configuration';
    else if (sectorHost(c.redirectUris) === undefined) {
      // Core §8.1 would take a sector_identifier_uri listing them; Latchkey does not fetch one (yet).
      problems['subjectType'] = 'pairwise needs every redirect URI on one host (sector_identifier_uri is not supported yet)';
    }
  }
  for (const uri of o.postLogoutRedirectUris ?? []) {
    const problem = uriProblem(uri);
    if (problem) {
      problems['postLogoutRedirectUris'] = problem;
      break;
    }
  }
  // Back-Channel Logout 1.0 §2.2: an absolute URI, query allowed, no fragment.
  const backchannel = o.backchannelLogoutUri === null || o.backchannelLogoutUri === undefined ? undefined : uriProblem(o.backchannelLogoutUri);
  if (backchannel) problems['backchannelLogoutUri'] = backchannel;
  return problems;
}
