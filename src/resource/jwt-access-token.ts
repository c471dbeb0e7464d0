import { invalidToken } from './errors.ts';
import { decodeJws, keyFor, verifySignature, type DecodedJws } from './jws.ts';
import type { JwksCache } from './jwks-cache.ts';
import { audiences, splitScope, type VerifiedToken } from './types.ts';

/**
 * RFC 9068 §4: validating a JWT access token locally, with the issuer's published keys. Every failure is the same
 * invalid_token to the caller (RFC 6750 §3.1); the description says which check failed but never echoes the token.
 */
export interface JwtValidatorOptions {
  issuer: string;
  resource: string;
  algorithms: readonly string[];
  clockToleranceSeconds: number;
  jwks: JwksCache;
  now: () => number;
}

/** RFC 9068 §2.1 / §4: `typ` is "at+jwt"; "application/at+jwt" is the same media type (RFC 7515 §4.1.9). */
const isAtJwtType = (typ: unknown) => typeof typ === 'string' && /^(application\/)?at\+jwt$/i.test(typ);

/** A JWS that says it is an RFC 9068 access token; `auto` validates these locally and introspects the rest. */
export function looksLikeJwtAccessToken(token: string): boolean {
  const jws = decodeJws(token);
  return jws !== undefined && isAtJwtType(jws.header['typ']);
}

export function createJwtValidator(o: JwtValidatorOptions): (token: string) => Promise<VerifiedToken> {
  const checkSignature = async (jws: DecodedJws): Promise<void> => {
    const { alg, kid, crit } = jws.header;
    // RFC 9068 §4 item 2 (and RFC 8725 §3.1): only the algorithms this resource allows; never none.
    if (typeof alg !== 'string' || !o.algorithms.includes(alg)) throw invalidToken('the access token is signed with an algorithm this resource does not accept');
    // RFC 7515 §4.1.11: an extension we do not understand, marked critical, makes the JWS invalid.
    if (crit !== undefined) throw invalidToken('the access token has critical header parameters this resource does not understand');
    if (kid !== undefined && typeof kid !== 'string') throw invalidToken('the access token has a malformed kid');
    const candidates = await o.jwks.candidates(kid);
    for (const jwk of candidates) {
      const key = keyFor(jwk, alg);
      if (key && verifySignature(jws, alg, key)) return;
    }
    throw invalidToken(candidates.length === 0 ? 'the access token is signed with an unknown key' : 'the access token signature is invalid');
  };

  return async (token) => {
    const jws = decodeJws(token);
    if (!jws) throw invalidToken('the access token is not a JWT');
    // RFC 9068 §4 item 1: refuse anything else, such as an ID token presented as an access token.
    if (!isAtJwtType(jws.header['typ'])) throw invalidToken('the access token is not of type at+jwt');
    await checkSignature(jws);
    const c = jws.payload;
    // RFC 9068 §4 item 3: the issuer exactly, no normalisation.
    if (c['iss'] !== o.issuer) throw invalidToken('the access token is from another issuer');
    // RFC 9068 §4 item 4, RFC 8707 §2: it must be meant for this resource.
    const aud = audiences(c['aud']);
    if (!aud?.includes(o.resource)) throw invalidToken('the access token is not meant for this resource');
    const nowS = o.now() / 1000;
    const skew = o.clockToleranceSeconds;
    // RFC 9068 §4 item 6 (RFC 7519 §4.1.4): exp is required and must lie in the future.
    if (typeof c['exp'] !== 'number' || c['exp'] <= nowS - skew) throw invalidToken('the access token is expired');
    if (c['nbf'] !== undefined && (typeof c['nbf'] !== 'number' || c['nbf'] > nowS + skew)) throw invalidToken('the access token is not valid yet');
    if (typeof c['iat'] !== 'number' || c['iat'] > nowS + skew) throw invalidToken('the access token has no valid iat');
    // RFC 9068 §2.2: sub, client_id and jti are required claims.
    const { sub, client_id: clientId, jti } = c;
    if (typeof sub !== 'string' || typeof clientId !== 'string' || typeof jti !== 'string') {
      throw invalidToken('the access token lacks sub, client_id or jti');
    }
    if (c['scope'] !== undefined && typeof c['scope'] !== 'string') throw invalidToken('the access token has a malformed scope');
    const out: VerifiedToken = { active: true, sub, clientId, scope: splitScope(c['scope']), exp: c['exp'], aud, jti, format: 'jwt' };
    if (typeof c['username'] === 'string') out.username = c['username'];
    // RFC 9449 §6.1: a DPoP-bound JWT access token carries its key's thumbprint as cnf.jkt.
    const cnf = c['cnf'];
    if (typeof cnf === 'object' && cnf !== null && typeof (cnf as { jkt?: unknown }).jkt === 'string') out.cnf = { jkt: (cnf as { jkt: string }).jkt };
    return out;
  };
}
