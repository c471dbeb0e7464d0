/**
 * The outbound fetch of a client's jwks_uri, behind a port: a jwks_uri is chosen by whoever registers the client, so
 * fetching it is a server-side request forgery surface. This default allows https only (loopback http under a
 * development switch), follows no redirect, and bounds time and size: enough for operator-made clients, whose
 * jwks_uri may be an internal host on purpose. Clients that chose their own jwks_uri get guardedJwksFetch, which
 * also refuses private addresses after DNS resolution (the SSRF guard of core/registration/safe-fetch.ts).
 */
export type JwksFetch = (url: string) => Promise<unknown>;

import type { SafeFetch } from '../registration/safe-fetch.ts';
import { isLocalHostname } from '../redirect-uri.ts';

export class JwksFetchError extends Error {
  override name = 'JwksFetchError';
}

/** A JWKS is a few keys: 64 KiB is generous; 5 s is long for a document served statically. */
export const JWKS_MAX_BYTES = 64 * 1024;
export const JWKS_TIMEOUT_MS = 5000;

/** Whether `url` may be fetched: the problem, or undefined. Also used when the client is registered. */
export function jwksUriProblem(url: string, allowLoopbackHttp: boolean): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute https URL';
  }
  if (parsed.hash !== '' || url.includes('#')) return 'must not have a fragment';
  if (parsed.username !== '' || parsed.password !== '') return 'must not carry credentials';
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol === 'http:' && allowLoopbackHttp && isLocalHostname(parsed.hostname)) return undefined;
  return allowLoopbackHttp ? 'must use https (http only on 127.0.0.1, [::1] or localhost)' : 'must use https';
}

export function httpsJwksFetch(options: { allowLoopbackHttp: boolean }): JwksFetch {
  return async (url) => {
    const problem = jwksUriProblem(url, options.allowLoopbackHttp);
    if (problem) throw new JwksFetchError(`jwks_uri ${problem}`);
    const res = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(JWKS_TIMEOUT_MS), headers: { accept: 'application/json' } }).catch((err: unknown) => {
      throw new JwksFetchError('jwks_uri could not be fetched', { cause: err });
    });
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new JwksFetchError(`jwks_uri answered ${res.status}`);
    }
    const text = await readBounded(res, JWKS_MAX_BYTES);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new JwksFetchError('jwks_uri did not answer JSON');
    }
  };
}

/** jwks_uri through the SSRF guard (no redirect, JSON only; time and size capped by the guard's settings). */
export function guardedJwksFetch(fetch: SafeFetch | undefined): JwksFetch {
  return async (url) => {
    if (!fetch) throw new JwksFetchError('jwks_uri of this client is not fetched (no guarded fetch configured)');
    const problem = jwksUriProblem(url, false);
    if (problem) throw new JwksFetchError(`jwks_uri ${problem}`);
    // The guard's message never says where the name resolved to; its detail (for logs) stays out of this error.
    const res = await fetch({ url, headers: { accept: 'application/json' }, json: true }).catch((err: unknown) => {
      throw new JwksFetchError('jwks_uri could not be fetched', { cause: err });
    });
    if (res.status !== 200) throw new JwksFetchError(`jwks_uri answered ${res.status}`);
    try {
      return JSON.parse(res.body) as unknown;
    } catch {
      throw new JwksFetchError('jwks_uri did not answer JSON');
    }
  };
}

async function readBounded(res: Response, max: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > max) {
    await res.body?.cancel();
    throw new JwksFetchError(`jwks_uri document is larger than ${max} bytes`);
  }
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw new JwksFetchError(`jwks_uri document is larger than ${max} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
