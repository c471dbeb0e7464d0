import { IntrospectionError } from './errors.ts';

/** One JSON call to the authorization server, every failure an IntrospectionError (503: not the caller's fault). */
export function jsonCaller(doFetch: typeof fetch, timeoutMs: number) {
  return async (url: string, init: RequestInit = { headers: { accept: 'application/json' } }): Promise<unknown> => {
    let res: Response;
    try {
      res = await doFetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw new IntrospectionError(`cannot reach ${url}`, { cause: err });
    }
    if (!res.ok) throw new IntrospectionError(`${url} answered HTTP ${res.status}`);
    try {
      return await res.json();
    } catch (err) {
      throw new IntrospectionError(`${url} did not answer JSON`, { cause: err });
    }
  };
}

export type JsonCall = ReturnType<typeof jsonCaller>;

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The authorization server's RFC 8414 metadata, fetched once and shared by introspection and JWT validation; §3.3:
 * its `issuer` must be the one asked for. A failed discovery is retried on the next request rather than remembered.
 */
export function metadataDiscovery(issuer: string, call: JsonCall): () => Promise<Record<string, unknown>> {
  let pending: Promise<Record<string, unknown>> | undefined;
  const discover = async () => {
    const url = `${issuer}/.well-known/oauth-authorization-server`;
    const meta = await call(url);
    if (!isObject(meta) || meta['issuer'] !== issuer) throw new IntrospectionError(`${url} is not the metadata of ${issuer}`);
    return meta;
  };
  return () => {
    pending ??= discover().catch((err: unknown) => {
      pending = undefined;
      throw err;
    });
    return pending;
  };
}

/** An http(s) endpoint named in the metadata, or an IntrospectionError naming the member. */
export function endpointIn(meta: Record<string, unknown>, member: string, issuer: string): string {
  const found = meta[member];
  if (typeof found !== 'string' || !/^https?:\/\//.test(found)) throw new IntrospectionError(`the metadata of ${issuer} names no ${member}`);
  return found;
}
