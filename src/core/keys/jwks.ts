import type { PublicJwk } from './algorithms.ts';
import type { SigningKey } from './port.ts';
import { isPublished } from './schedule.ts';

/** RFC 7517 §5: the JWK Set served at jwks_uri (RFC 8414 §2, OpenID Connect Discovery §3). */
export interface JwksDocument {
  keys: PublicJwk[];
}

/**
 * Every published key: the next one (so caches hold it before it signs), the active ones, and the retired ones whose
 * tokens may still be valid. Built member by member, so nothing but public members can reach the document.
 */
export function jwksDocument(keys: readonly SigningKey[], now: number): JwksDocument {
  return {
    keys: keys
      .filter((k) => isPublished(k, now))
      .map(({ kid, alg, publicJwk: j }) => {
        const base = { kid, use: 'sig' as const, alg };
        if (j.kty === 'RSA') return { kty: j.kty, ...base, n: String(j.n), e: String(j.e) };
        if (j.kty === 'EC') return { kty: j.kty, ...base, crv: String(j.crv), x: String(j.x), y: String(j.y) };
        return { kty: j.kty, ...base, crv: String(j.crv), x: String(j.x) };
      }),
  };
}
