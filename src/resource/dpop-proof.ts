import { createHash, createPublicKey, constants, verify as verifySignature, type KeyObject } from 'node:crypto';
import { TokenVerificationError } from './errors.ts';

/**
 * DPoP proofs (RFC 9449 §4.3) checked by an operator's API, with Node alone (this folder imports nothing else). The
 * server's own check is core/dpop/proof.ts; this is the same list for resources: typ, an asymmetric algorithm, a
 * public jwk that verifies the signature, htm, htu (query and fragment ignored), iat within the window, ath, and a
 * jti seen once (by the `replay` function: in memory by default, which is per process).
 */

export interface DpopOptions {
  /** Refuse bearer presentations altogether (RFC 9449 §7.2: a resource may require DPoP). Default false. */
  required?: boolean;
  /** Proof algorithms accepted. Default ES256, EdDSA, Ed25519, PS256, RS256. */
  algorithms?: readonly string[];
  /** A proof's iat must be this close to the clock. Default 60 seconds. */
  proofWindowSeconds?: number;
  /**
   * Records a proof's key (a hash of thumbprint and jti) until `expiresAtMs`; resolves true the first time only.
   * Default: an in-memory map, so several instances of the API each accept a proof once; share a store (Redis
   * `SET NX PX`, a database primary key) to refuse it across instances.
   */
  replay?: (key: string, expiresAtMs: number) => boolean | Promise<boolean>;
  /** The public origin of this API for htu (e.g. https://api.example.com); default the resource identifier's origin. */
  origin?: string;
}

export const DEFAULT_DPOP_ALGORITHMS = ['ES256', 'EdDSA', 'Ed25519', 'PS256', 'RS256'] as const;

const ALGS: Record<string, { kty: string; hash: string | null; pss?: number; ecdsa?: true }> = {
  ES256: { kty: 'EC', hash: 'sha256', ecdsa: true },
  ES384: { kty: 'EC', hash: 'sha384', ecdsa: true },
  ES512: { kty: 'EC', hash: 'sha512', ecdsa: true },
  EdDSA: { kty: 'OKP', hash: null },
  Ed25519: { kty: 'OKP', hash: null },
  RS256: { kty: 'RSA', hash: 'sha256' },
  RS384: { kty: 'RSA', hash: 'sha384' },
  RS512: { kty: 'RSA', hash: 'sha512' },
  PS256: { kty: 'RSA', hash: 'sha256', pss: 32 },
  PS384: { kty: 'RSA', hash: 'sha384', pss: 48 },
  PS512: { kty: 'RSA', hash: 'sha512', pss: 64 },
};

/** RFC 7638 §3.2: the required members of the key, in lexicographic order. */
const THUMBPRINT_MEMBERS: Record<string, readonly string[]> = { EC: ['crv', 'kty', 'x', 'y'], OKP: ['crv', 'kty', 'x'], RSA: ['e', 'kty', 'n'] };

export function jwkThumbprint(jwk: Record<string, unknown>): string {
  const members = THUMBPRINT_MEMBERS[String(jwk['kty'])] ?? [];
  const canonical = `{${members.map((m) => `${JSON.stringify(m)}:${JSON.stringify(jwk[m])}`).join(',')}}`;
  return createHash('sha256').update(canonical).digest('base64url');
}

export const invalidProof = (why: string) => new TokenVerificationError('invalid_dpop_proof', `the DPoP proof ${why}`);

const json = (part: string): Record<string, unknown> | undefined => {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};

const htuOf = (value: string): string | undefined => {
  if (!URL.canParse(value)) return undefined;
  const u = new URL(value);
  return `${u.protocol}//${u.host}${u.pathname}`;
};

export interface ProofRequest {
  proof: string | readonly string[] | undefined;
  method: string;
  url: string;
  accessToken: string;
  nowMs: number;
}

/** Resolves with the thumbprint of the proof's key, or throws invalid_dpop_proof. */
export async function checkProof(o: Required<Pick<DpopOptions, 'algorithms' | 'proofWindowSeconds' | 'replay'>>, r: ProofRequest): Promise<string> {
  if (typeof r.proof !== 'string') throw invalidProof(r.proof === undefined ? 'is missing' : 'must be sent in one DPoP header');
  const parts = r.proof.split('.');
  if (r.proof.length > 8192 || parts.length !== 3 || !parts.every((p) => /^[A-Za-z0-9_-]+$/.test(p))) throw invalidProof('is not a compact JWT');
  const [h = '', p = '', s = ''] = parts;
  const header = json(h);
  const payload = json(p);
  if (!header || !payload) throw invalidProof('is not a JWT');
  if (header['typ'] !== 'dpop+jwt') throw invalidProof('must have typ dpop+jwt');
  const alg = header['alg'];
  const spec = typeof alg === 'string' && o.algorithms.includes(alg) ? ALGS[alg] : undefined;
  if (!spec) throw invalidProof('uses an algorithm this resource does not accept');
  const jwk = header['jwk'];
  if (typeof jwk !== 'object' || jwk === null || 'd' in jwk || (jwk as { kty?: unknown }).kty !== spec.kty) throw invalidProof('must carry a public key of its algorithm in jwk');
  let key: KeyObject;
  try {
    key = createPublicKey({ key: jwk as Record<string, string>, format: 'jwk' });
  } catch {
    throw invalidProof('has an unusable jwk');
  }
  const data = Buffer.from(`${h}.${p}`);
  const signature = Buffer.from(s, 'base64url');
  const ok = verifySignature(
    spec.hash,
    data,
    spec.pss !== undefined ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: spec.pss } : spec.ecdsa ? { key, dsaEncoding: 'ieee-p1363' } : key,
    signature,
  );
  if (!ok) throw invalidProof('signature is invalid');
  const { jti, htm, htu, iat, ath } = payload;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > 256) throw invalidProof('must have a jti');
  if (htm !== r.method) throw invalidProof('htm does not match the request method');
  const expected = htuOf(r.url);
  if (typeof htu !== 'string' || expected === undefined || htuOf(htu) !== expected) throw invalidProof('htu does not match the request URI');
  if (typeof iat !== 'number' || Math.abs(r.nowMs / 1000 - iat) > o.proofWindowSeconds) throw invalidProof('iat is outside the accepted window');
  if (typeof ath !== 'string') throw invalidProof('must have an ath for the access token');
  if (ath !== createHash('sha256').update(r.accessToken, 'ascii').digest('base64url')) throw invalidProof('ath does not match the access token');
  const jkt = jwkThumbprint(jwk as Record<string, unknown>);
  const replayKey = createHash('sha256').update(`${jkt}.${jti}`).digest('base64url');
  if (!(await o.replay(replayKey, (Math.max(iat, r.nowMs / 1000) + o.proofWindowSeconds + 1) * 1000))) throw invalidProof('has been used before');
  return jkt;
}

/** The default replay memory: a map of keys to expiry, swept as it is used, bounded in size. */
export function memoryReplay(now: () => number, maxEntries = 100_000): (key: string, expiresAtMs: number) => boolean {
  const seen = new Map<string, number>();
  return (key, expiresAtMs) => {
    const t = now();
    for (const [k, exp] of seen) {
      if (exp > t && seen.size < maxEntries) break;
      seen.delete(k);
    }
    const at = seen.get(key);
    if (at !== undefined && at > t) return false;
    seen.set(key, expiresAtMs);
    return true;
  };
}
