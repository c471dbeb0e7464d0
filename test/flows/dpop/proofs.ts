import { createHash, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

/** A DPoP key pair, with its public JWK and RFC 7638 thumbprint (what the server binds tokens to). */
export interface ProofKey {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  jwk: JWK;
  jkt: string;
}

export async function proofKey(alg = 'ES256'): Promise<ProofKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(publicKey);
  return { privateKey, publicKey, jwk, jkt: await calculateJwkThumbprint(jwk, 'sha256') };
}

export interface ProofOptions {
  htm: string;
  htu: string;
  iat?: number;
  jti?: string;
  accessToken?: string;
  ath?: string;
  nonce?: string;
  typ?: string;
  alg?: string;
  /** Replaces the header's jwk (e.g. with a private key, or another key than the one that signs). */
  jwk?: JWK;
  /** Signs with this key instead of the proof key's own. */
  signWith?: CryptoKey;
}

/** A hand-made DPoP proof (RFC 9449 §4.2), so the negative tests can break one property at a time. */
export async function proof(key: ProofKey, o: ProofOptions): Promise<string> {
  const claims: Record<string, unknown> = { jti: o.jti ?? randomUUID(), htm: o.htm, htu: o.htu, iat: o.iat ?? Math.floor(Date.now() / 1000) };
  if (o.accessToken !== undefined) claims['ath'] = createHash('sha256').update(o.accessToken).digest('base64url');
  if (o.ath !== undefined) claims['ath'] = o.ath;
  if (o.nonce !== undefined) claims['nonce'] = o.nonce;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: o.alg ?? 'ES256', typ: o.typ ?? 'dpop+jwt', jwk: o.jwk ?? key.jwk })
    .sign(o.signWith ?? key.privateKey);
}
