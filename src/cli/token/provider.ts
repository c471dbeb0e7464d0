import * as oauth from 'oauth4webapi';
import { CliError } from '../context.ts';
import { legacyTolerantFetch } from './legacy-fetch.ts';
import { attempt } from './oauth-failure.ts';
import { isLocalHostname } from '../../core/redirect-uri.ts';

/** Where the provider's endpoints come from: its metadata, or the command line for providers that publish none. */
export interface EndpointOptions {
  issuer?: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  deviceAuthorizationEndpoint?: string;
  revocationEndpoint?: string;
  introspectionEndpoint?: string;
  jwksUri?: string;
}

export interface Provider {
  as: oauth.AuthorizationServer;
  /** How the metadata was found: RFC 8414, OpenID Connect Discovery 1.0 §4, or given on the command line. */
  source: 'rfc8414' | 'openid-discovery' | 'command-line';
  /** Options every oauth4webapi request needs: http is allowed for loopback addresses only. */
  http: { [oauth.allowInsecureRequests]?: boolean; [oauth.customFetch]?: typeof legacyTolerantFetch };
}

/** An absolute https URL, or http on a loopback address (a local server in development or a test). */
export function checkedUrl(option: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliError(`${option} "${value}": not an absolute URL`);
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLocalHostname(url.hostname)) return url;
  throw new CliError(`${option} "${value}": use https (http only on a loopback address)`);
}

const OVERRIDES = [
  ['authorizationEndpoint', 'authorization_endpoint', '--authorization-endpoint'],
  ['tokenEndpoint', 'token_endpoint', '--token-endpoint'],
  ['deviceAuthorizationEndpoint', 'device_authorization_endpoint', '--device-authorization-endpoint'],
  ['revocationEndpoint', 'revocation_endpoint', '--revocation-endpoint'],
  ['introspectionEndpoint', 'introspection_endpoint', '--introspection-endpoint'],
  ['jwksUri', 'jwks_uri', '--jwks-uri'],
] as const;

/**
 * The provider's metadata. With `--token-endpoint` nothing is fetched: the command line describes the provider (the
 * legacy providers of the migration profiles publish no metadata). Otherwise RFC 8414 §3 first (path-inserted
 * well-known URL), then OpenID Connect Discovery 1.0 §4 (appended); either way the document's `issuer` must equal
 * the one asked for (RFC 8414 §3.3), which oauth4webapi checks. Endpoints given on the command line override it.
 */
export async function resolveProvider(opts: EndpointOptions): Promise<Provider> {
  const explicit: Partial<Record<(typeof OVERRIDES)[number][1], string>> = {};
  for (const [key, field, option] of OVERRIDES) {
    const value = opts[key];
    if (value !== undefined) explicit[field] = checkedUrl(option, value).href;
  }
  if (opts.issuer === undefined && explicit.token_endpoint === undefined) {
    throw new CliError('--issuer: required (or --token-endpoint for a provider without metadata)', 'invalid_argument');
  }
  const issuerUrl = opts.issuer === undefined ? undefined : checkedUrl('--issuer', opts.issuer);
  const insecure = [issuerUrl, ...Object.values(explicit).map((v) => new URL(v))].some((u) => u?.protocol === 'http:');
  const http = insecure ? { [oauth.allowInsecureRequests]: true } : {};
  if (explicit.token_endpoint !== undefined) {
    const issuer = opts.issuer ?? new URL(explicit.token_endpoint).origin;
    return { as: { issuer, ...explicit }, source: 'command-line', http: { ...http, [oauth.customFetch]: legacyTolerantFetch } };
  }
  const issuer = issuerUrl as URL;
  const found = await discover(issuer, http);
  return { as: { ...found.as, ...explicit }, source: found.source, http };
}

async function discover(issuer: URL, http: Provider['http']): Promise<Pick<Provider, 'as' | 'source'>> {
  const what = `discovery at ${issuer.href}`;
  for (const [algorithm, source] of [['oauth2', 'rfc8414'], ['oidc', 'openid-discovery']] as const) {
    const response = await attempt(what, () => oauth.discoveryRequest(issuer, { algorithm, ...http }));
    // 404 (or any failure) from one well-known URL: try the other before giving up.
    if (!response.ok) continue;
    const as = await attempt(what, () => oauth.processDiscoveryResponse(issuer, response));
    return { as, source };
  }
  throw new CliError(
    `${issuer.href} publishes no authorization server metadata (RFC 8414 or OpenID Connect Discovery): give its endpoints with --token-endpoint (and --authorization-endpoint)`,
    'invalid_response',
  );
}

/** The endpoint a command needs, or an error naming the option that supplies it. */
export function endpoint(provider: Provider, field: (typeof OVERRIDES)[number][1]): string {
  const value = provider.as[field];
  if (typeof value === 'string') return value;
  const option = OVERRIDES.find((o) => o[1] === field)?.[2] ?? field;
  throw new CliError(`the provider advertises no ${field}: give it with ${option}`, 'invalid_argument');
}
