import type { DpopOptions } from './dpop-proof.ts';

/** What a verified access token says, whichever way it was verified. */
export interface VerifiedToken {
  active: true;
  /** The user's id; absent for an opaque client_credentials token (a JWT's `sub` is then the client, RFC 9068 §2.2). */
  sub?: string;
  scope: string[];
  clientId: string;
  username?: string;
  /** Expiry, seconds since the Unix epoch; absent when the token does not expire. */
  exp?: number;
  /** The audiences the token is for (RFC 7519 §4.1.3, RFC 8707), when the authorization server says. */
  aud?: string[];
  /** The token's unique id (RFC 9068 §2.2 `jti`), for a JWT access token. */
  jti?: string;
  /** How it was verified: locally as an RFC 9068 JWT, or by RFC 7662 introspection. */
  format: 'jwt' | 'opaque';
  /** RFC 9449 §6: the thumbprint of the key a DPoP-bound token is bound to (`cnf.jkt`). */
  cnf?: { jkt: string };
}

/** `auto`: a JWS whose header says `typ: at+jwt` is validated locally (RFC 9068 §4), anything else introspected. */
export type TokenFormat = 'jwt' | 'opaque' | 'auto';

export interface VerifierOptions {
  /** Latchkey's issuer URL, e.g. https://auth.example.com. */
  issuer: string;
  /**
   * This API's resource identifier (RFC 8707 §2, RFC 9728 §1.2), e.g. https://api.example.com. A token must be meant
   * for it: a JWT's `aud` must contain it (RFC 9068 §4), and an introspection answer that names audiences must too.
   * Required for JWT access tokens; it also names the RFC 9728 metadata advertised in `WWW-Authenticate`.
   */
  resource?: string;
  /** Which tokens to expect. Default `auto` when `resource` is set, else `opaque` (introspection only). */
  format?: TokenFormat;
  /**
   * A confidential client's credentials, for introspection (not needed with `format: 'jwt'`). Latchkey tells a
   * client only about tokens issued to that client, unless it may introspect any token.
   */
  clientId?: string;
  clientSecret?: string;
  /** How long an introspection answer is reused; so how long a revoked token may still pass. 0 disables the cache. Default 5. */
  cacheTtlSeconds?: number;
  /** Cache size bound; the least recently used answer is dropped first. Default 1000. */
  cacheMaxEntries?: number;
  /** Skips discovery when given. */
  introspectionEndpoint?: string;
  /** The JSON Web Key Set of the issuer's signing keys; discovered from its metadata (`jwks_uri`) when absent. */
  jwksUri?: string;
  /** JWS algorithms accepted on JWT access tokens. Default RS256, PS256, ES256, ES384, EdDSA; never none or HS*. */
  algorithms?: readonly string[];
  /** Leeway for `exp`, `nbf` and `iat` against clock drift between the servers. Default 30 seconds. */
  clockToleranceSeconds?: number;
  /**
   * The shortest gap between two fetches of the JWKS triggered by an unknown `kid`, so a flood of tokens with made-up
   * key ids cannot hammer the authorization server. Default 30 seconds.
   */
  jwksRefetchCooldownSeconds?: number;
  /** The JWKS is fetched again after this long even when every key is known (keys rotate). Default 600 seconds. */
  jwksMaxAgeSeconds?: number;
  /** Time limit for each call to Latchkey. Default 5000 ms. */
  timeoutMs?: number;
  /** Replaces the global fetch (a proxy agent, a test double). */
  fetch?: typeof fetch;
  /** Current time in milliseconds; tests move it. Default Date.now. */
  now?: () => number;
  /** Accept DPoP-bound tokens (RFC 9449 §7) with their proofs; absent: the DPoP scheme is not accepted. */
  dpop?: DpopOptions;
}

/** How the token came: `Authorization: Bearer` (the default) or `Authorization: DPoP` with the request's proof. */
export interface Presentation {
  scheme: 'Bearer' | 'DPoP';
  /** The `DPoP` header(s). */
  proof?: string | readonly string[] | undefined;
  /** The request's method and full public URL (htm, htu). */
  method: string;
  url: string;
}

export interface VerifyOptions {
  /** Scopes the token must all carry. A string holds space-separated scopes. */
  scope?: string | readonly string[];
  /**
   * How the token was presented. Without it the token is taken as a bearer token, so a DPoP-bound one is refused
   * (RFC 9449 §7.1).
   */
  presentation?: Presentation;
}

export interface Verifier {
  /** Resolves with the token's claims, or throws TokenVerificationError (or IntrospectionError). */
  verify(token: string, options?: VerifyOptions): Promise<VerifiedToken>;
  /** The issuer whose tokens it accepts. */
  readonly issuer?: string;
  /** This API's resource identifier, when configured (RFC 8707 §2). */
  readonly resource?: string;
  /** The URL of this API's RFC 9728 metadata, derived from `resource` (RFC 9728 §3.1). */
  readonly resourceMetadataUrl?: string;
  /** When DPoP is accepted: its algorithms (the challenge's `algs`), whether it is required, the origin for htu. */
  readonly dpop?: { algorithms: readonly string[]; required: boolean; origin: string | undefined };
}

/** RFC 6749 §3.3 scope-token. */
export const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export const splitScope = (scope: unknown): string[] => (typeof scope === 'string' ? scope.split(' ').filter((s) => s !== '') : []);

/** RFC 7519 §4.1.3: `aud` is a string or an array of strings. */
export function audiences(aud: unknown): string[] | undefined {
  if (typeof aud === 'string') return [aud];
  if (Array.isArray(aud) && aud.every((a) => typeof a === 'string')) return aud as string[];
  return undefined;
}
