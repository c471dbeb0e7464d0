import { createPublicKey, verify, constants, type JsonWebKey, type KeyObject } from 'node:crypto';
import { isObject } from './http-json.ts';

/**
 * Compact JWS (RFC 7515 §7.1) signature checks with node:crypto alone, so the verifier needs no JOSE dependency.
 * Only asymmetric algorithms: a resource server holds no shared secret with the authorization server, and `none`
 * or HS* would let anyone who knows the public key (or nobody at all) mint tokens (RFC 8725 §3.1, §3.2).
 */

export const DEFAULT_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'] as const;

interface AlgSpec {
  kty: 'RSA' | 'EC' | 'OKP';
  /** The digest for node:crypto.verify; null for EdDSA, which hashes internally. */
  hash: 'sha256' | 'sha384' | 'sha512' | null;
  pss?: true;
  crv?: readonly string[];
}

/** RFC 7518 §3.1 and RFC 8037 §3.1. */
const ALGS: Record<string, AlgSpec> = {
  RS256: { kty: 'RSA', hash: 'sha256' },
  RS384: { kty: 'RSA', hash: 'sha384' },
  RS512: { kty: 'RSA', hash: 'sha512' },
  PS256: { kty: 'RSA', hash: 'sha256', pss: true },
  PS384: { kty: 'RSA', hash: 'sha384', pss: true },
  PS512: { kty: 'RSA', hash: 'sha512', pss: true },
  ES256: { kty: 'EC', hash: 'sha256', crv: ['P-256'] },
  ES384: { kty: 'EC', hash: 'sha384', crv: ['P-384'] },
  ES512: { kty: 'EC', hash: 'sha512', crv: ['P-521'] },
  EdDSA: { kty: 'OKP', hash: null, crv: ['Ed25519', 'Ed448'] },
};

/** Checks an operator's allow-list at start-up: a typo or a symmetric algorithm is a configuration error. */
export function checkAlgorithms(algs: readonly string[]): string[] {
  if (algs.length === 0) throw new TypeError('algorithms must name at least one JWS algorithm');
  for (const a of algs) {
    if (!Object.hasOwn(ALGS, a)) throw new TypeError(`algorithm ${JSON.stringify(a)} is not accepted (one of ${Object.keys(ALGS).join(', ')}; never none or HS*)`);
  }
  return [...algs];
}

export interface DecodedJws {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: Buffer;
  signature: Buffer;
}

const B64URL = /^[A-Za-z0-9_-]*$/;

/** Splits and decodes a compact JWS, or undefined when the string is not one (so it may be an opaque token). */
export function decodeJws(token: string): DecodedJws | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [h, p, s] = parts as [string, string, string];
  if (!B64URL.test(h) || !B64URL.test(p) || !B64URL.test(s) || h === '' || s === '') return undefined;
  const header = parseJson(h);
  const payload = parseJson(p);
  if (!header || !payload) return undefined;
  return { header, payload, signingInput: Buffer.from(`${h}.${p}`), signature: Buffer.from(s, 'base64url') };
}

function parseJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Imported keys per JWK object (the JWKS cache keeps the objects): importing a key costs more than verifying. */
const imported = new WeakMap<object, Map<string, KeyObject | undefined>>();

/** A JWK (RFC 7517 §4) usable to verify `alg`: right key type and curve, signing use, RSA keys of 2048 bits or more. */
export function keyFor(jwk: Record<string, unknown>, alg: string): KeyObject | undefined {
  let perAlg = imported.get(jwk);
  if (!perAlg) imported.set(jwk, (perAlg = new Map()));
  if (!perAlg.has(alg)) perAlg.set(alg, importKey(jwk, alg));
  return perAlg.get(alg);
}

function importKey(jwk: Record<string, unknown>, alg: string): KeyObject | undefined {
  const spec = Object.hasOwn(ALGS, alg) ? ALGS[alg] : undefined;
  if (!spec || jwk['kty'] !== spec.kty) return undefined;
  if (jwk['use'] !== undefined && jwk['use'] !== 'sig') return undefined;
  if (jwk['alg'] !== undefined && jwk['alg'] !== alg) return undefined;
  if (spec.crv && !spec.crv.includes(String(jwk['crv']))) return undefined;
  try {
    // Only the public members, so a JWKS that wrongly publishes a private key cannot make us hold one.
    const members: JsonWebKey = {};
    for (const m of ['kty', 'crv', 'n', 'e', 'x', 'y'] as const) if (typeof jwk[m] === 'string') members[m] = jwk[m];
    const key = createPublicKey({ key: members, format: 'jwk' });
    // RFC 7518 §3.3: a key of 2048 bits or larger.
    if (spec.kty === 'RSA' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) return undefined;
    return key;
  } catch {
    return undefined;
  }
}

/** The signature check itself; ECDSA signatures are the raw R||S of RFC 7518 §3.4. */
export function verifySignature(jws: DecodedJws, alg: string, key: KeyObject): boolean {
  const spec = Object.hasOwn(ALGS, alg) ? ALGS[alg] : undefined;
  if (!spec) return false;
  try {
    if (spec.kty === 'EC') return verify(spec.hash, jws.signingInput, { key, dsaEncoding: 'ieee-p1363' }, jws.signature);
    if (spec.pss) return verify(spec.hash, jws.signingInput, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, jws.signature);
    return verify(spec.hash, jws.signingInput, key, jws.signature);
  } catch {
    return false;
  }
}
