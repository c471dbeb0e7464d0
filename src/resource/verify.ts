import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Verifying Latchkey access tokens in an operator's own API.
 *
 * Latchkey's tokens are opaque, so an API asks the authorization server about each one through RFC 7662 token
 * introspection, authenticated with a client's credentials. A short cache spares the server a call per request; its
 * lifetime bounds how long a revoked token is still accepted. This module stands alone: it imports nothing from the
 * server, so an API can use it without the rest of Latchkey.
 */

/** RFC 6750 §3.1 error codes. */
export type TokenErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

const STATUS: Record<TokenErrorCode, 400 | 401 | 403> = { invalid_request: 400, invalid_token: 401, insufficient_scope: 403 };

/** The request's token is missing, malformed, inactive or lacks a scope: the caller's fault, answered 400/401/403. */
export class TokenVerificationError extends Error {
  readonly error: TokenErrorCode;
  readonly status: 400 | 401 | 403;
  /** For insufficient_scope: the scopes the resource requires (RFC 6750 §3 `scope` attribute). */
  readonly scope: string | undefined;

  constructor(error: TokenErrorCode, description: string, scope?: string) {
    super(description);
    this.error = error;
    this.status = STATUS[error];
    this.scope = scope;
  }

  override get name(): string {
    return `TokenVerificationError(${this.error})`;
  }
}

/**
 * The authorization server could not say whether the token is valid (unreachable, an error status, wrong client
 * credentials, a malformed answer). Not the caller's fault: Fastify answers it with `statusCode` 503.
 */
export class IntrospectionError extends Error {
  override name = 'IntrospectionError';
  readonly statusCode = 503;
}

export interface VerifiedToken {
  active: true;
  /** The user's id; absent for a client_credentials token. */
  sub?: string;
  scope: string[];
  clientId: string;
  username?: string;
  /** Expiry, seconds since the Unix epoch; absent when the token does not expire. */
  exp?: number;
}

export interface VerifierOptions {
  /** Latchkey's issuer URL, e.g. https://auth.example.com. */
  issuer: string;
  /** A confidential client's credentials. Latchkey tells a client only about tokens issued to that client. */
  clientId: string;
  clientSecret: string;
  /** How long an answer is reused; so how long a revoked token may still pass. 0 disables the cache. Default 5. */
  cacheTtlSeconds?: number;
  /** Cache size bound; the least recently used answer is dropped first. Default 1000. */
  cacheMaxEntries?: number;
  /** Skips discovery when given. */
  introspectionEndpoint?: string;
  /** Time limit for each call to Latchkey. Default 5000 ms. */
  timeoutMs?: number;
  /** Replaces the global fetch (a proxy agent, a test double). */
  fetch?: typeof fetch;
  /** Current time in milliseconds; tests move it. Default Date.now. */
  now?: () => number;
}

export interface VerifyOptions {
  /** Scopes the token must all carry. A string holds space-separated scopes. */
  scope?: string | readonly string[];
}

export interface Verifier {
  /** Resolves with the token's claims, or throws TokenVerificationError (or IntrospectionError). */
  verify(token: string, options?: VerifyOptions): Promise<VerifiedToken>;
}

/** RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=". */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
/** RFC 6749 §3.3 scope-token. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
const MAX_TOKEN_LENGTH = 4096;

interface CacheEntry {
  /** undefined: the server said the token is not active. */
  token: VerifiedToken | undefined;
  expiresAt: number;
}

export function createVerifier(options: VerifierOptions): Verifier {
  const issuer = options.issuer.replace(/\/+$/, '');
  const ttlMs = Math.max(0, options.cacheTtlSeconds ?? 5) * 1000;
  const maxEntries = Math.max(1, options.cacheMaxEntries ?? 1000);
  const timeoutMs = options.timeoutMs ?? 5000;
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  // RFC 6749 §2.3.1: the id and secret are form-urlencoded before base64.
  const basic = `Basic ${Buffer.from(`${formEncode(options.clientId)}:${formEncode(options.clientSecret)}`).toString('base64')}`;

  // Keyed by the token's SHA-256, so the cache never holds a usable token. Map order doubles as LRU order.
  const cache = new Map<string, CacheEntry>();
  const inFlight = new Map<string, Promise<CacheEntry>>();
  let endpoint: Promise<string> | undefined = options.introspectionEndpoint ? Promise.resolve(options.introspectionEndpoint) : undefined;

  const call = async (url: string, init: RequestInit): Promise<unknown> => {
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

  /** RFC 8414 §3: the metadata names the introspection endpoint; §3.3: its issuer must be the one we asked. */
  const discover = async (): Promise<string> => {
    const url = `${issuer}/.well-known/oauth-authorization-server`;
    const meta = await call(url, { headers: { accept: 'application/json' } });
    if (!isObject(meta) || meta['issuer'] !== issuer) throw new IntrospectionError(`${url} is not the metadata of ${issuer}`);
    const found = meta['introspection_endpoint'];
    if (typeof found !== 'string' || !/^https?:\/\//.test(found)) throw new IntrospectionError(`${url} names no introspection endpoint`);
    return found;
  };

  const introspectionEndpoint = (): Promise<string> => {
    // A failed discovery is retried on the next request rather than remembered.
    endpoint ??= discover().catch((err: unknown) => {
      endpoint = undefined;
      throw err;
    });
    return endpoint;
  };

  /** RFC 7662 §2.1 request, §2.2 response. */
  const introspect = async (token: string): Promise<VerifiedToken | undefined> => {
    const url = await introspectionEndpoint();
    const body = await call(url, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
    });
    if (!isObject(body)) throw new IntrospectionError(`${url} answered something other than a JSON object`);
    if (body['active'] !== true) return undefined;
    // A refresh token is active too, but is not an access token (RFC 6749 §1.5).
    const type = body['token_type'];
    if (type !== undefined && (typeof type !== 'string' || type.toLowerCase() !== 'bearer')) return undefined;
    if (body['iss'] !== undefined && body['iss'] !== issuer) return undefined;
    const clientId = body['client_id'];
    if (typeof clientId !== 'string') throw new IntrospectionError(`${url} answered an active token without client_id`);
    const out: VerifiedToken = { active: true, scope: splitScope(body['scope']), clientId };
    if (typeof body['sub'] === 'string') out.sub = body['sub'];
    if (typeof body['username'] === 'string') out.username = body['username'];
    if (typeof body['exp'] === 'number') out.exp = body['exp'];
    return out;
  };

  const lookup = async (key: string, token: string): Promise<VerifiedToken | undefined> => {
    const t = now();
    const hit = cache.get(key);
    if (hit && hit.expiresAt > t) {
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

  const remember = (key: string, token: VerifiedToken | undefined): CacheEntry => {
    const t = now();
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

  return {
    async verify(token, verifyOptions = {}) {
      const required = requiredScopes(verifyOptions.scope);
      if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH || !B64TOKEN.test(token)) {
        throw new TokenVerificationError('invalid_token', 'the access token is malformed');
      }
      const result = await lookup(createHash('sha256').update(token).digest('base64url'), token);
      if (!result || (result.exp !== undefined && result.exp * 1000 <= now())) {
        throw new TokenVerificationError('invalid_token', 'the access token is invalid, expired or revoked');
      }
      const missing = required.filter((s) => !result.scope.includes(s));
      if (missing.length > 0) {
        throw new TokenVerificationError('insufficient_scope', 'the access token does not carry the required scope', required.join(' '));
      }
      return { ...result, scope: [...result.scope] };
    },
  };
}

export interface RequireTokenOptions extends VerifyOptions {
  /** RFC 6750 §3 `realm` of the challenge. Default "api". */
  realm?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `requireToken` once the request's access token is verified. */
    latchkeyToken?: VerifiedToken;
  }
}

/**
 * A Fastify preHandler hook that admits a request only with a valid access token in `Authorization: Bearer`
 * (RFC 6750 §2.1), carrying every required scope. It sets `request.latchkeyToken`; otherwise it answers 400, 401 or
 * 403 with a `WWW-Authenticate: Bearer` challenge (RFC 6750 §3).
 *
 *   app.get('/me', { preHandler: requireToken(verifier, { scope: 'profile' }) }, async (req) => req.latchkeyToken);
 */
export function requireToken(verifier: Verifier, options: RequireTokenOptions = {}) {
  const realm = options.realm ?? 'api';
  const scope = options.scope;
  // Checked once here, so a typo in a scope fails at start-up rather than as a 500 on every request.
  requiredScopes(scope);
  return async function latchkeyRequireToken(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const header = request.headers.authorization;
    // RFC 6750 §3.1: a request without credentials (or with another scheme) gets a challenge without an error code.
    if (header === undefined || !/^Bearer(?: |$)/i.test(header)) {
      return challenge(reply, realm, 401, undefined, 'an access token is required');
    }
    const m = /^Bearer +([^ ]+) *$/i.exec(header);
    if (!m?.[1] || !B64TOKEN.test(m[1])) {
      return challenge(reply, realm, 400, new TokenVerificationError('invalid_request', 'malformed Bearer authorization header'));
    }
    try {
      request.latchkeyToken = await verifier.verify(m[1], scope === undefined ? {} : { scope });
    } catch (err) {
      if (err instanceof TokenVerificationError) return challenge(reply, realm, err.status, err);
      throw err;
    }
    return undefined;
  };
}

function challenge(reply: FastifyReply, realm: string, status: number, err: TokenVerificationError | undefined, description?: string): FastifyReply {
  const params = [`realm="${quote(realm)}"`];
  if (err) {
    params.push(`error="${err.error}"`, `error_description="${quote(err.message)}"`);
    if (err.scope !== undefined) params.push(`scope="${quote(err.scope)}"`);
  }
  const body = err ? { error: err.error, error_description: err.message } : { error_description: description ?? '' };
  return reply.code(status).header('www-authenticate', `Bearer ${params.join(', ')}`).header('cache-control', 'no-store').send(body);
}

function requiredScopes(scope: string | readonly string[] | undefined): string[] {
  if (scope === undefined) return [];
  const list = typeof scope === 'string' ? scope.split(' ').filter((s) => s !== '') : [...scope];
  for (const s of list) {
    if (!SCOPE_TOKEN.test(s)) throw new TypeError(`required scope ${JSON.stringify(s)} is not an RFC 6749 §3.3 scope token`);
  }
  return list;
}

const splitScope = (scope: unknown): string[] => (typeof scope === 'string' ? scope.split(' ').filter((s) => s !== '') : []);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** application/x-www-form-urlencoded, as RFC 6749 Appendix B defines it for credentials. */
const formEncode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
/** RFC 7230 §3.2.6 quoted-string: escape backslash and double quote. */
const quote = (s: string) => s.replace(/[\\"]/g, (c) => `\\${c}`);
