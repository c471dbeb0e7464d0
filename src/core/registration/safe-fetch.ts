/**
 * The port for fetching a URL that a client, not the operator, chose (a Client ID Metadata Document, later a
 * jwks_uri, a back-channel logout URI, a registration's sector_identifier_uri). Such a fetch is a server-side request
 * forgery risk (RFC 9700 §4.x on SSRF; OWASP SSRF Prevention Cheat Sheet): the implementation (http/safe-fetch.ts)
 * refuses non-https URLs and every address that is not public, after DNS resolution and on every redirect, connects
 * to the address it checked, and caps size and time. The core only sees this type.
 */

export interface SafeFetchRequest {
  url: string;
  method?: 'GET' | 'POST' | undefined;
  headers?: Readonly<Record<string, string>> | undefined;
  body?: string | undefined;
  /** Redirects to follow, each checked as the first URL; 0 (the default): a redirect is returned, not followed. */
  maxRedirects?: number | undefined;
  /** Require a JSON answer (application/json or application/<x>+json); anything else is refused. */
  json?: boolean | undefined;
}

export interface SafeFetchResponse {
  status: number;
  /** Lower-case names; a repeated header is joined with ", ". */
  headers: Readonly<Record<string, string>>;
  body: string;
  /** The URL that answered (after redirects). */
  url: string;
}

/** Why a fetch was refused: stable words for logs and tests, never the response's content. */
export type SafeFetchRefusal = 'url' | 'scheme' | 'address' | 'dns' | 'too_large' | 'timeout' | 'network' | 'content_type' | 'redirect';

/**
 * `message` may be shown to whoever chose the URL, so it never tells them what a name resolves to (that would map
 * the internal network for them); `detail` (for the operator's logs only) may.
 */
export class SafeFetchError extends Error {
  readonly reason: SafeFetchRefusal;
  readonly detail: string | undefined;
  constructor(reason: SafeFetchRefusal, message: string, options?: { cause?: unknown; detail?: string }) {
    super(message, options);
    this.reason = reason;
    this.detail = options?.detail;
  }
}

export type SafeFetch = (request: SafeFetchRequest) => Promise<SafeFetchResponse>;
