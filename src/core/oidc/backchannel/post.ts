/**
 * The one outgoing HTTP request of back-channel logout, behind a function port: this plain fetch for operator-made
 * clients, the SSRF-guarded one (guarded-post.ts) for clients that chose their own URI.
 */

import type { SafeFetchRefusal } from '../../registration/safe-fetch.ts';

/** What came back: an HTTP status, no answer at all, or a URI the SSRF guard refused to contact (guarded-post.ts). */
export type PostResult = { status: number } | { error: 'timeout' | 'network' } | { refused: SafeFetchRefusal };

export interface PostOptions {
  timeoutMs: number;
  /** Aborted when the server shuts down. */
  signal: AbortSignal;
}

export type LogoutPost = (uri: string, form: URLSearchParams, options: PostOptions) => Promise<PostResult>;

/**
 * Back-Channel Logout 1.0 §2.5: a POST of application/x-www-form-urlencoded `logout_token=...`. Redirects are not
 * followed (the token goes to the registered URI only); a redirect is an answer like any other non-2xx.
 */
export const fetchLogoutPost: LogoutPost = async (uri, form, { timeoutMs, signal }) => {
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetch(uri, {
      method: 'POST',
      body: form,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json, */*' },
      redirect: 'manual',
      signal: AbortSignal.any([signal, timeout]),
    });
    // The body says nothing we use (§2.8 defines only the status); drop it so the connection is freed.
    await res.body?.cancel().catch(() => undefined);
    return { status: res.status };
  } catch {
    return { error: timeout.aborted ? 'timeout' : 'network' };
  }
};
