import { createHash } from 'node:crypto';
import { IntrospectionError } from './errors.ts';
import { endpointIn, isObject, type JsonCall } from './http-json.ts';
import { audiences, splitScope, type VerifiedToken } from './types.ts';

/**
 * Opaque tokens, checked by asking the authorization server (RFC 7662), authenticated with a client's credentials.
 * A short cache spares the server a call per request; its lifetime bounds how long a revoked token is still accepted.
 */
export interface IntrospectorOptions {
  issuer: string;
  /** When set, an answer naming audiences must name this one (RFC 7662 §2.2 `aud`, RFC 8707). */
  resource: string | undefined;
  clientId: string;
  clientSecret: string;
  cacheTtlSeconds: number;
  cacheMaxEntries: number;
  introspectionEndpoint: string | undefined;
  call: JsonCall;
  metadata: () => Promise<Record<string, unknown>>;
  now: () => number;
}

interface CacheEntry {
  /** undefined: the server said the token is not active (or not for this resource). */
  token: VerifiedToken | undefined;
  expiresAt: number;
}

/** Resolves with the token's claims, or undefined when the token is not an active access token for this resource. */
export function createIntrospector(o: IntrospectorOptions): (token: string) => Promise<VerifiedToken | undefined> {
  const ttlMs = Math.max(0, o.cacheTtlSeconds) * 1000;
  const maxEntries = Math.max(1, o.cacheMaxEntries);
  // RFC 6749 §2.3.1: the id and secret are form-urlencoded before base64.
  const basic = `Basic ${Buffer.from(`${formEncode(o.clientId)}:${formEncode(o.clientSecret)}`).toString('base64')}`;

  // Keyed by the token's SHA-256, so the cache never holds a usable token. Map order doubles as LRU order.
  const cache = new Map<string, CacheEntry>();
  const inFlight = new Map<string, Promise<CacheEntry>>();

  const endpoint = async (): Promise<string> => o.introspectionEndpoint ?? endpointIn(await o.metadata(), 'introspection_endpoint', o.issuer);

  /** RFC 7662 §2.1 request, §2.2 response. */
  const introspect = async (token: string): Promise<VerifiedToken | undefined> => {
    const url = await endpoint();
    const body = await o.call(url, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
    });
    if (!isObject(body)) throw new IntrospectionError(`${url} answered something other than a JSON object`);
    if (body['active'] !== true) return undefined;
    // A refresh token is active too, but is not an access token (RFC 6749 §1.5). RFC 9449 §6.2: a bound one is DPoP.
    const type = body['token_type'];
    if (type !== undefined && (typeof type !== 'string' || !['bearer', 'dpop'].includes(type.toLowerCase()))) return undefined;
    if (body['iss'] !== undefined && body['iss'] !== o.issuer) return undefined;
    // RFC 8707 §2: a token meant for another resource is not good here, though the server calls it active.
    const aud = body['aud'] === undefined ? undefined : audiences(body['aud']);
    if (body['aud'] !== undefined && (aud === undefined || (o.resource !== undefined && !aud.includes(o.resource)))) return undefined;
    const clientId = body['client_id'];
    if (typeof clientId !== 'string') throw new IntrospectionError(`${url} answered an active token without client_id`);
    const out: VerifiedToken = { active: true, scope: splitScope(body['scope']), clientId, format: 'opaque' };
    if (typeof body['sub'] === 'string') out.sub = body['sub'];
    if (typeof body['username'] === 'string') out.username = body['username'];
    if (typeof body['exp'] === 'number') out.exp = body['exp'];
    if (aud !== undefined) out.aud = aud;
    // RFC 9449 §6.2: a DPoP-bound token's key thumbprint.
    const cnf = body['cnf'];
    if (typeof cnf === 'object' && cnf !== null && typeof (cnf as { jkt?: unknown }).jkt === 'string') out.cnf = { jkt: (cnf as { jkt: string }).jkt };
    return out;
  };

  const remember = (key: string, token: VerifiedToken | undefined): CacheEntry => {
    const t = o.now();
    // Never past the token's own expiry, so an expired token is never served from the cache.
    const expiresAt = Math.min(t + ttlMs, token?.exp !== undefined ? token.exp * 1000 : Infinity);
    const entry = { token, expiresAt };
    if (expiresAt > t) {
      for (const oldest of cache.keys()) {
        if (cache.size < maxEntries) break;
        cache.delete(oldest);
      }
      cache.set(key, entry);
    }
    return entry;
  };

  return async (token) => {
    const key = createHash('sha256').update(token).digest('base64url');
    const hit = cache.get(key);
    if (hit && hit.expiresAt > o.now()) {
      cache.delete(key);
      cache.set(key, hit);
      return hit.token;
    }
    if (hit) cache.delete(key);
    // Concurrent requests with one token share one introspection call.
    let pending = inFlight.get(key);
    if (!pending) {
      pending = introspect(token)
        .then((result) => remember(key, result))
        .finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    return (await pending).token;
  };
}

/** application/x-www-form-urlencoded, as RFC 6749 Appendix B defines it for credentials. */
const formEncode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
