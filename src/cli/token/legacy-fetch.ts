import type { CustomFetchOptions } from 'oauth4webapi';

/**
 * fetch for providers described on the command line (no metadata): the legacy ones, some of which answer a token
 * request with `scope` as a JSON array (Twitch's kraken API, the `twitch` migration profile) where RFC 6749 §5.1
 * says a space-separated string. oauth4webapi, rightly strict, refuses that; this joins the array before it looks,
 * and changes nothing else. Providers found through their metadata get the plain fetch.
 */
export async function legacyTolerantFetch(url: string, options: CustomFetchOptions<string, unknown>): Promise<Response> {
  const response = await fetch(url, options as RequestInit);
  if (!(response.headers.get('content-type') ?? '').includes('json')) return response;
  let body: unknown;
  try {
    body = await response.clone().json();
  } catch {
    return response;
  }
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { scope?: unknown }).scope)) return response;
  const scope = ((body as { scope: unknown[] }).scope).filter((s): s is string => typeof s === 'string').join(' ');
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  return new Response(JSON.stringify({ ...body, scope }), { status: response.status, statusText: response.statusText, headers });
}
