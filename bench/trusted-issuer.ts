import { createECDH, createHash, createPrivateKey, type KeyObject } from 'node:crypto';

/**
 * The identity provider Latchkey trusts in the benchmark (the jwt_bearer workload signs its assertions as this
 * issuer). Its ES256 key is derived from a fixed label, not generated: the server process (which is configured with
 * the public key) and the load generator (which signs with the private one) are separate processes and derive the
 * same key, and no key material sits in the repository. A benchmark-only key: it protects nothing.
 */
export const BENCH_IDP = {
  issuer: 'https://idp.bench.example',
  kid: 'bench-idp-1',
} as const;

let derived: { privateKey: KeyObject; publicJwk: { kty: 'EC'; crv: 'P-256'; x: string; y: string; kid: string; alg: 'ES256'; use: 'sig' } } | undefined;

export function benchIdpKey(): NonNullable<typeof derived> {
  if (derived) return derived;
  const d = createHash('sha256').update('latchkey bench trusted issuer, ES256').digest();
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(d);
  // The uncompressed point: 0x04, then x and y (32 bytes each).
  const point = ecdh.getPublicKey();
  const x = point.subarray(1, 33).toString('base64url');
  const y = point.subarray(33, 65).toString('base64url');
  const privateKey = createPrivateKey({ key: { kty: 'EC', crv: 'P-256', x, y, d: d.toString('base64url') }, format: 'jwk' });
  derived = { privateKey, publicJwk: { kty: 'EC', crv: 'P-256', x, y, kid: BENCH_IDP.kid, alg: 'ES256', use: 'sig' } };
  return derived;
}
