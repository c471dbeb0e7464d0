import { SafeFetchError, type SafeFetch } from '../../registration/safe-fetch.ts';
import type { LogoutPost } from './post.ts';

/**
 * The back-channel logout POST (Back-Channel Logout 1.0 §2.5) for a client that chose its own URI (RFC 7591
 * registration, a metadata document): through the SSRF-guarded fetch, so a URI on a private, loopback or link-local
 * address (cloud metadata at 169.254.169.254, an internal admin port) is never contacted. No redirect is followed, as
 * in post.ts. The guard bounds the time (its timeoutMs is backchannelLogout.timeoutMs).
 */
export function guardedLogoutPost(fetch: SafeFetch): LogoutPost {
  return async (uri, form, { signal }) => {
    if (signal.aborted) return { error: 'network' };
    try {
      const res = await fetch({
        url: uri,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json, */*' },
        body: form.toString(),
      });
      return { status: res.status };
    } catch (err) {
      if (!(err instanceof SafeFetchError)) return { error: 'network' };
      switch (err.reason) {
        case 'timeout':
          return { error: 'timeout' };
        // A name that does not resolve now, a connection cut, an oversized answer: worth another try, as a plain fetch.
        case 'dns':
        case 'network':
        case 'too_large':
        case 'content_type':
          return { error: 'network' };
        // The URI itself is unsafe (a private address, http, credentials in it): trying again would not change that.
        case 'url':
        case 'scheme':
        case 'address':
        case 'redirect':
          return { refused: err.reason };
      }
    }
  };
}
