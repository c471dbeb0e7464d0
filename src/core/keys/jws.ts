import { sign as cryptoSign, type KeyObject } from 'node:crypto';
import type { SigningAlg } from './algorithms.ts';

/** The protected header (RFC 7515 §4.1): the algorithm, the key's id so verifiers pick it from the JWKS, the type. */
export interface JwsHeader {
  alg: SigningAlg;
  kid: string;
  typ: string;
}

const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * A JWS in compact serialisation (RFC 7515 §7.1), signed by node:crypto with a prepared KeyObject. RS256 is
 * RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3); ES256 is the raw R || S pair, not DER (RFC 7518 §3.4), hence
 * ieee-p1363; EdDSA hashes internally, so no digest is named (RFC 8037 §3.1).
 */
export function signCompact(payload: object, header: JwsHeader, key: KeyObject): string {
  const input = `${b64(header)}.${b64(payload)}`;
  const data = Buffer.from(input);
  let signature: Buffer;
  switch (header.alg) {
    case 'RS256':
      signature = cryptoSign('sha256', data, key);
      break;
    case 'ES256':
      signature = cryptoSign('sha256', data, { key, dsaEncoding: 'ieee-p1363' });
      break;
    case 'EdDSA':
      signature = cryptoSign(null, data, key);
      break;
  }
  return `${input}.${signature.toString('base64url')}`;
}
