import type { Client, GrantType, MetadataDocumentState } from '../model.ts';
import { redirectUriProblem } from '../redirect-uri.ts';
import { isLocalHostname } from '../redirect-uri.ts';

/**
 * OAuth Client ID Metadata Document (draft-ietf-oauth-client-id-metadata-document): a client identifies itself with
 * an https URL as client_id, and the document at that URL carries its RFC 7591 metadata. This file is the pure half:
 * which client_ids are such URLs, what a document must say, how long it may be kept. The fetch is behind the SafeFetch
 * port; the client row is made in metadata-document-clients.ts.
 */

/**
 * Draft §3 (Client Identifier): the URL MUST use https, MUST contain a path, MUST NOT contain a fragment, user
 * information, or single- or double-dot path segments. `allowLoopbackHttp` (development only) also admits
 * http://127.0.0.1, http://[::1] and http://localhost, so tests can serve documents.
 */
export function isMetadataDocumentUrl(clientId: string, allowLoopbackHttp: boolean): boolean {
  if (!/^https?:\/\//i.test(clientId) || /[\s\x00-\x1f\x7f#]/.test(clientId)) return false;
  let url: URL;
  try {
    url = new URL(clientId);
  } catch {
    return false;
  }
  const loopbackHttp = allowLoopbackHttp && url.protocol === 'http:' && isLocalHostname(url.hostname);
  if (url.protocol !== 'https:' && !loopbackHttp) return false;
  if (url.username !== '' || url.password !== '') return false;
  // Dot segments are checked on the string as sent: the URL parser would quietly resolve them away.
  const path = clientId.replace(/^https?:\/\/[^/?]*/i, '').split('?')[0] ?? '';
  if (path === '' || path === '/') return false;
  return !path.split('/').some((segment) => segment === '.' || segment === '..' || /^%2e(%2e)?$/i.test(segment) || /^\.%2e$|^%2e\.$/i.test(segment));
}

/** What a valid document gives the client row. */
export interface MetadataDocumentClient {
  client: Pick<Client, 'name' | 'redirectUris' | 'grantTypes' | 'responseTypes' | 'scopes'>;
  logoUri: string | null;
  clientUri: string | null;
}

export class InvalidMetadataDocument extends Error {}

const MAX_NAME = 200;
const ALLOWED_GRANTS: readonly GrantType[] = ['authorization_code', 'refresh_token'];

/**
 * Draft §4 (Client Metadata): a JSON object of RFC 7591 §2 metadata whose client_id equals the URL by simple string
 * comparison (RFC 3986 §6.2.1). No shared secret can exist for such a client, so client_secret and the secret-based
 * token_endpoint_auth_methods are refused; this server accepts `none` (a public client, PKCE required).
 */
export function parseMetadataDocument(url: string, body: string): MetadataDocumentClient {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    throw new InvalidMetadataDocument('the client metadata document is not valid JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new InvalidMetadataDocument('the client metadata document is not a JSON object');
  const d = doc as Record<string, unknown>;
  if (d['client_id'] !== url) throw new InvalidMetadataDocument('the client_id in the client metadata document does not equal its URL');
  if (d['client_secret'] !== undefined || d['client_secret_expires_at'] !== undefined) {
    throw new InvalidMetadataDocument('a client metadata document must not contain a client_secret');
  }
  const method = d['token_endpoint_auth_method'] ?? 'none';
  if (method !== 'none') {
    // private_key_jwt with the document's jwks/jwks_uri is a separate feature (RFC 7523); until then, public only.
    throw new InvalidMetadataDocument(`token_endpoint_auth_method ${JSON.stringify(method)} is not supported for client metadata documents; use "none"`);
  }
  const redirectUris = d['redirect_uris'];
  if (!Array.isArray(redirectUris) || redirectUris.length === 0 || !redirectUris.every((u): u is string => typeof u === 'string')) {
    throw new InvalidMetadataDocument('redirect_uris must be a non-empty list of URIs');
  }
  for (const uri of redirectUris) {
    const problem = redirectUriProblem(uri, { issuer: undefined });
    if (problem) throw new InvalidMetadataDocument(`redirect_uris: ${uri.slice(0, 200)} ${problem}`);
  }
  // RFC 7591 §2: grant_types defaults to authorization_code, response_types to code.
  const grantTypes = stringList(d['grant_types'], 'grant_types') ?? ['authorization_code'];
  const unknownGrant = grantTypes.find((g) => !ALLOWED_GRANTS.includes(g as GrantType));
  if (unknownGrant !== undefined) throw new InvalidMetadataDocument(`grant_types: ${unknownGrant.slice(0, 100)} is not allowed for a client metadata document`);
  if (!grantTypes.includes('authorization_code')) throw new InvalidMetadataDocument('grant_types must include authorization_code');
  const responseTypes = stringList(d['response_types'], 'response_types') ?? ['code'];
  if (responseTypes.some((r) => r !== 'code')) throw new InvalidMetadataDocument('response_types must be ["code"]');
  const scope = d['scope'];
  if (scope !== undefined && typeof scope !== 'string') throw new InvalidMetadataDocument('scope must be a string');
  const name = typeof d['client_name'] === 'string' && d['client_name'].trim() !== '' ? d['client_name'].trim().slice(0, MAX_NAME) : new URL(url).host;
  return {
    client: {
      name,
      redirectUris,
      grantTypes: [...new Set(grantTypes)] as GrantType[],
      responseTypes: ['code'],
      // Empty: any scope the server knows, as for a client registered without a scope list.
      scopes: scope === undefined ? [] : scope.split(' ').filter(Boolean),
    },
    logoUri: httpsUri(d['logo_uri']),
    clientUri: httpsUri(d['client_uri']),
  };
}

function stringList(value: unknown, field: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) throw new InvalidMetadataDocument(`${field} must be a list of strings`);
  return value;
}

/** A logo or home page is shown only over https: an http one could be swapped in transit. */
function httpsUri(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 2000) return null;
  try {
    return new URL(value).protocol === 'https:' ? value : null;
  } catch {
    return null;
  }
}

/**
 * Draft §4.3 (caching): the server may cache the document per its HTTP caching headers (RFC 9111 §5.2.2). no-store,
 * no-cache and max-age=0 mean fetch again on next use; a max-age is kept within [min, max], so a client can neither
 * make the server fetch on every request nor be stuck with a document for days; no header means `min`.
 */
export function cacheSeconds(cacheControl: string | undefined, bounds: { min: number; max: number }): number {
  const directives = (cacheControl ?? '').toLowerCase().split(',').map((d) => d.trim());
  if (directives.some((d) => d === 'no-store' || d === 'no-cache')) return 0;
  const maxAge = directives.map((d) => /^max-age=(\d+)$/.exec(d)?.[1]).find((v) => v !== undefined);
  if (maxAge === undefined) return bounds.min;
  const seconds = Number(maxAge);
  if (seconds === 0) return 0;
  return Math.min(bounds.max, Math.max(bounds.min, seconds));
}

export type { MetadataDocumentState };
