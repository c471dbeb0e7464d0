import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { sha256 } from '../crypto.ts';

/**
 * The secret of a client_secret_jwt client, encrypted with AES-256-GCM under the key-encryption key (keys/kek.ts),
 * because an HMAC assertion (RFC 7523 §2.2, OpenID Connect Core §9) can only be verified with the secret itself. A
 * copy of the database alone does not reveal it; the database and the KEK together do (README). The client id is
 * the additional authenticated data: a ciphertext copied to another client's row does not decrypt.
 */

const VERSION = 'v1';
const aad = (clientId: string) => Buffer.from(`latchkey-client-secret:${VERSION}:${clientId}`);

/** `v1.<iv>.<ciphertext>.<tag>`, base64url parts, as keys/kek.ts stores signing keys. */
export function encryptClientSecret(secret: string, clientId: string, kek: Buffer): string {
  // A random 96-bit nonce (NIST SP 800-38D §8.2.2).
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, iv);
  cipher.setAAD(aad(clientId));
  const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

/** The secret as bytes (the HMAC key, RFC 7518 §3.2), or undefined when this KEK cannot open it. Never throws secrets. */
export function decryptClientSecret(stored: string, clientId: string, kek: Buffer): Buffer | undefined {
  const [version, iv, ciphertext, tag] = stored.split('.');
  if (version !== VERSION || !iv || !ciphertext || !tag) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek, Buffer.from(iv, 'base64url'));
    decipher.setAAD(aad(clientId));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
  } catch {
    return undefined;
  }
}

/**
 * What a client's row stores of a new secret: always its SHA-256 hash; for a client_secret_jwt client also the
 * secret encrypted under the KEK, null for any other (so a method change cannot leave a readable copy behind).
 */
export function storedSecret(secret: string, clientId: string, method: string | null | undefined, kek: Buffer | undefined): { secretHash: string; secretEncrypted: string | null } {
  if (method !== 'client_secret_jwt') return { secretHash: sha256(secret), secretEncrypted: null };
  if (kek === undefined) throw new Error('a client_secret_jwt secret needs the key-encryption key');
  return { secretHash: sha256(secret), secretEncrypted: encryptClientSecret(secret, clientId, kek) };
}
