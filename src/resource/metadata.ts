import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Verifier } from './types.ts';

/**
 * RFC 9728 OAuth 2.0 Protected Resource Metadata: the document a client (an MCP client) reads to learn which
 * authorization server issues tokens for this API, which scopes it knows and how to present a token.
 */

/** RFC 9728 §3.1: the well-known segment goes between the host and the resource's path (no trailing slash). */
export function resourceMetadataUrl(resource: string): string {
  const url = new URL(resource);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, '');
  return `${url.origin}/.well-known/oauth-protected-resource${path}${url.search}`;
}

/** Checks a resource identifier at start-up: RFC 8707 §2 and RFC 9728 §1.2, an absolute https (or http) URI without fragment. */
export function checkResourceIdentifier(resource: string): string {
  let url: URL;
  try {
    url = new URL(resource);
  } catch {
    throw new TypeError(`resource ${JSON.stringify(resource)} is not an absolute URI (RFC 8707 §2)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError(`resource ${JSON.stringify(resource)} must be an https URL (RFC 9728 §1.2)`);
  if (resource.includes('#')) throw new TypeError(`resource ${JSON.stringify(resource)} must not have a fragment (RFC 8707 §2)`);
  return resource;
}

export interface ResourceMetadataOptions {
  /** Human-readable name shown to people (RFC 9728 §2 `resource_name`). */
  resourceName?: string;
  /** The scopes this API uses in authorization requests (§2 `scopes_supported`). */
  scopesSupported?: readonly string[];
  /** A page describing the API for developers (§2 `resource_documentation`). */
  resourceDocumentation?: string;
  /** More authorization servers than the verifier's issuer (§2 `authorization_servers`). */
  authorizationServers?: readonly string[];
  /** Further members, e.g. `resource_policy_uri`; they cannot replace the ones above, nor the DPoP ones the verifier decides. */
  extra?: Record<string, unknown>;
}

export interface ResourceMetadata {
  /** The path to serve it at, e.g. /.well-known/oauth-protected-resource/mcp. */
  path: string;
  /** Its absolute URL, the one `WWW-Authenticate: Bearer resource_metadata=…` names (§5.1). */
  url: string;
  /** The JSON document (§2). */
  document: Record<string, unknown>;
  /**
   * A node:http / Express handler: answers GET (and HEAD) of `path` with the document and returns true; returns false
   * for any other request, so a plain node:http server can fall through to its own routes.
   */
  handler(req: IncomingMessage, res: ServerResponse): boolean;
}

/**
 * The metadata of the verifier's resource. Its `resource` is exactly the verifier's resource identifier, as §3.3
 * requires a client to check; `authorization_servers` names the issuer whose tokens the verifier accepts.
 *
 *   const metadata = protectedResourceMetadata(verifier, { resourceName: 'Notes', scopesSupported: ['notes:read'] });
 *   app.get(metadata.path, async () => metadata.document);                                    // Fastify
 */
export function protectedResourceMetadata(verifier: Verifier, options: ResourceMetadataOptions = {}): ResourceMetadata {
  const { resource, resourceMetadataUrl: url } = verifier;
  if (resource === undefined || url === undefined) throw new TypeError('protectedResourceMetadata needs a verifier created with a resource identifier');
  const servers = [...(verifier.issuer !== undefined ? [verifier.issuer] : []), ...(options.authorizationServers ?? [])];
  const document: Record<string, unknown> = {
    ...options.extra,
    resource,
    authorization_servers: [...new Set(servers)],
    // RFC 6750 §2.1 only: form bodies and query strings leak tokens into logs and caches (RFC 6750 §2.3, §5.3).
    bearer_methods_supported: ['header'],
    ...(options.scopesSupported !== undefined ? { scopes_supported: [...options.scopesSupported] } : {}),
    ...(options.resourceName !== undefined ? { resource_name: options.resourceName } : {}),
    ...(options.resourceDocumentation !== undefined ? { resource_documentation: options.resourceDocumentation } : {}),
  };
  // RFC 9728 §2: the DPoP members say what the verifier enforces, so `extra` cannot contradict it. The algorithms are
  // those a proof may use when DPoP is accepted; dpop_bound_access_tokens_required (default false) when Bearer is
  // refused (RFC 9449 §7.2).
  delete document['dpop_signing_alg_values_supported'];
  delete document['dpop_bound_access_tokens_required'];
  if (verifier.dpop) {
    document['dpop_signing_alg_values_supported'] = [...verifier.dpop.algorithms];
    if (verifier.dpop.required) document['dpop_bound_access_tokens_required'] = true;
  }
  const path = new URL(url).pathname;
  const body = JSON.stringify(document);
  return {
    path,
    url,
    document,
    handler(req, res) {
      const reqPath = (req.url ?? '').split('?')[0];
      if (reqPath !== path || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
      // §3.2: application/json. Public and the same for everyone, so a browser-based client may read it (CORS).
      res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*', 'cache-control': 'max-age=300' });
      res.end(req.method === 'HEAD' ? undefined : body);
      return true;
    },
  };
}
