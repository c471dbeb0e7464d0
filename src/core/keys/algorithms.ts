import { createHash, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';

/**
 * The JWS algorithms Latchkey signs with (RFC 7518 §3.1, RFC 8037 §3.1). RS256 is the OpenID Connect default and
 * must always be available (OpenID Connect Discovery §3, id_token_signing_alg_values_supported); ES256 and EdDSA are
 * smaller and faster.
 */
export const SIGNING_ALGS = ['RS256', 'ES256', 'EdDSA'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

export const isSigningAlg = (value: string): value is SigningAlg => (SIGNING_ALGS as readonly string[]).includes(value);

/** The public members of a JWK (RFC 7517 §4, RFC 7518 §6, RFC 8037 §2); the private ones are never in this shape. */
export interface PublicJwk {
  kty: 'RSA' | 'EC' | 'OKP';
  kid: string;
  use: 'sig';
  alg: SigningAlg;
  n?: string;
  e?: string;
  crv?: string;
  x?: string;
  y?: string;
}

export interface GeneratedKey {
  kid: string;
  publicJwk: PublicJwk;
  privateKey: KeyObject;
}

const generatePair = promisify(generateKeyPair);

/** Off the event loop (libuv's thread pool): an RSA key takes long enough to stall requests on a running node. */
function generate(alg: SigningAlg): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  switch (alg) {
    case 'RS256':
      // RFC 7518 §3.3: a key of 2048 bits or larger.
      return generatePair('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
    case 'ES256':
      return generatePair('ec', { namedCurve: 'P-256' });
    case 'EdDSA':
      return generatePair('ed25519', undefined);
  }
}

/** Only the members each key type defines as public: a JWK export of a public key has no d, p, q, dp, dq, qi or k. */
function publicMembers(key: KeyObject): Omit<PublicJwk, 'kid' | 'use' | 'alg'> {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty === 'RSA' && jwk.n && jwk.e) return { kty: 'RSA', n: jwk.n, e: jwk.e };
  if (jwk.kty === 'EC' && jwk.crv && jwk.x && jwk.y) return { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y };
  if (jwk.kty === 'OKP' && jwk.crv && jwk.x) return { kty: 'OKP', crv: jwk.crv, x: jwk.x };
  throw new Error(`unexpected public key type ${String(jwk.kty)}`);
}

/** RFC 7638 §3: the SHA-256 thumbprint of the required members in lexicographic order; a kid no two keys share. */
export function thumbprint(m: Omit<PublicJwk, 'kid' | 'use' | 'alg'>): string {
  const required =
    m.kty === 'RSA' ? { e: m.e, kty: m.kty, n: m.n } : m.kty === 'EC' ? { crv: m.crv, kty: m.kty, x: m.x, y: m.y } : { crv: m.crv, kty: m.kty, x: m.x };
  return createHash('sha256').update(JSON.stringify(required)).digest('base64url');
}

export async function generateSigningKey(alg: SigningAlg): Promise<GeneratedKey> {
  const { publicKey, privateKey } = await generate(alg);
  const members = publicMembers(publicKey);
  const kid = thumbprint(members);
  return { kid, publicJwk: { ...members, kid, use: 'sig', alg }, privateKey };
}
