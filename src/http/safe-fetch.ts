import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isLoopbackAddress, isPublicAddress, unmapped } from '../core/registration/public-address.ts';
import { SafeFetchError, type SafeFetch, type SafeFetchRequest, type SafeFetchResponse } from '../core/registration/safe-fetch.ts';

export interface ResolvedAddress {
  address: string;
  family: number;
}
/** Every address of a name (dns.lookup with all: true); tests inject their own. */
export type Resolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export interface SafeFetchOptions {
  /** Development only: also http:// and loopback addresses (127.0.0.0/8, ::1), never other private ones. */
  allowLoopbackHttp?: boolean;
  /** The whole fetch (DNS, connection, every redirect, the body) must end within this. */
  timeoutMs?: number;
  /** The body is read up to this many bytes; a longer one is refused, not truncated. */
  maxBytes?: number;
  resolve?: Resolver;
}

export const SAFE_FETCH_DEFAULTS = { timeoutMs: 5000, maxBytes: 64 * 1024 } as const;

const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * The SafeFetch port over node:http(s) (OWASP SSRF Prevention Cheat Sheet): https only; the name resolved once and
 * refused if ANY of its addresses is not public (a name with one public and one private address is how rebinding
 * attacks start); the connection pinned to the address checked (the request's `lookup`), with SNI and Host still the
 * name so TLS verifies the certificate as usual; redirects only when asked, each checked the same way; size and time
 * capped; JSON required when asked.
 */
export function createSafeFetch(options: SafeFetchOptions = {}): SafeFetch {
  const timeoutMs = options.timeoutMs ?? SAFE_FETCH_DEFAULTS.timeoutMs;
  const maxBytes = options.maxBytes ?? SAFE_FETCH_DEFAULTS.maxBytes;
  const resolve = options.resolve ?? systemResolver;
  const devLoopback = options.allowLoopbackHttp === true;

  const allowed = (address: string) => isPublicAddress(address) || (devLoopback && isLoopbackAddress(address));

  async function pin(url: URL): Promise<ResolvedAddress> {
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && devLoopback)) throw new SafeFetchError('scheme', 'only https URLs are fetched');
    if (url.username !== '' || url.password !== '') throw new SafeFetchError('url', 'the URL must not carry credentials');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const literal = isIP(host) !== 0;
    // One message for "no such name" and "not a public address", so the answers do not reveal which internal names exist.
    const notPublic = 'the host does not resolve to a public address';
    const addresses = literal ? [{ address: host, family: isIP(host) }] : await resolve(host).catch((err: unknown) => {
      throw new SafeFetchError('dns', notPublic, { cause: err, detail: `${host} did not resolve` });
    });
    if (addresses.length === 0) throw new SafeFetchError('dns', notPublic, { detail: `${host} has no address` });
    if (url.protocol === 'http:' && !(devLoopback && addresses.every((a) => isLoopbackAddress(a.address)))) {
      throw new SafeFetchError('scheme', 'only https URLs are fetched');
    }
    const refused = addresses.find((a) => !allowed(a.address));
    if (refused) throw new SafeFetchError('address', notPublic, { detail: `${host} resolves to ${unmapped(refused.address)}` });
    const first = addresses[0] as ResolvedAddress;
    return { address: unmapped(first.address), family: isIP(unmapped(first.address)) };
  }

  function once(url: URL, target: ResolvedAddress, req: SafeFetchRequest, signal: AbortSignal): Promise<SafeFetchResponse> {
    // Whatever name the socket asks for, it gets the address checked above (DNS rebinding cannot swap it).
    const lookup: LookupFunction = (_host, opts, callback) => {
      if (opts.all) callback(null, [{ address: target.address, family: target.family }]);
      else callback(null, target.address, target.family);
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<SafeFetchResponse>((resolvePromise, reject) => {
      const r = send(url, { method: req.method ?? 'GET', headers: { ...req.headers }, lookup, signal, agent: false }, (res) => {
        readBody(res, maxBytes, req.json === true).then(
          (body) => resolvePromise({ status: res.statusCode ?? 0, headers: flatHeaders(res), body, url: url.href }),
          (err: unknown) => {
            res.destroy();
            reject(err);
          },
        );
      });
      r.on('error', (err) => reject(signal.aborted ? new SafeFetchError('timeout', `no complete answer within ${timeoutMs} ms`) : new SafeFetchError('network', 'the request failed', { cause: err })));
      r.end(req.body);
    });
  }

  return async (req) => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const timedOut = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(new SafeFetchError('timeout', `no complete answer within ${timeoutMs} ms`)), { once: true });
    });
    timedOut.catch(() => undefined);
    try {
      let url = parseUrl(req.url);
      for (let redirects = 0; ; redirects++) {
        const target = await Promise.race([pin(url), timedOut]);
        const res = await Promise.race([once(url, target, redirects === 0 ? req : { ...req, method: 'GET', body: undefined }, controller.signal), timedOut]);
        const location = res.headers['location'];
        const isRedirect = res.status >= 300 && res.status < 400 && location !== undefined;
        // A JSON 200 was checked while reading; other statuses are the caller's to judge.
        if (!isRedirect || redirects >= (req.maxRedirects ?? 0)) return res;
        url = parseUrl(new URL(location, url).href);
      }
    } finally {
      clearTimeout(timer);
    }
  };
}

function parseUrl(raw: string): URL {
  try {
    return new URL(raw);
  } catch {
    throw new SafeFetchError('url', 'not an absolute URL');
  }
}

/** RFC 8259 §11 application/json, or a structured-syntax type application/<x>+json (RFC 6839 §3.1). */
function isJson(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || /^application\/[a-z0-9.!#$&^_-]+\+json$/.test(type);
}

function flatHeaders(res: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

/** Reads at most `maxBytes`; stops reading (and refuses) past it, so a huge body costs no more than the cap. */
function readBody(res: IncomingMessage, maxBytes: number, json: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    if (json && res.statusCode === 200 && !isJson(res.headers['content-type'])) {
      reject(new SafeFetchError('content_type', 'the answer is not JSON'));
      return;
    }
    const declared = Number(res.headers['content-length'] ?? '0');
    if (declared > maxBytes) {
      reject(new SafeFetchError('too_large', `the answer is larger than ${maxBytes} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(new SafeFetchError('too_large', `the answer is larger than ${maxBytes} bytes`));
        res.destroy();
        return;
      }
      chunks.push(chunk);
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', (err) => reject(new SafeFetchError('network', 'the answer was cut off', { cause: err })));
    res.on('close', () => {
      if (!res.complete) reject(new SafeFetchError('network', 'the answer was cut off'));
    });
  });
}
