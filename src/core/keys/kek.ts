import { createCipheriv, createDecipheriv, createPrivateKey, randomBytes, type KeyObject } from 'node:crypto';

/**
 * Private signing keys are stored encrypted with AES-256-GCM under the key-encryption key (KEK), so a copy of the
 * database alone (a backup, a replica, a leaked dump) cannot sign tokens. The kid is the additional authenticated
 * data: a ciphertext moved to another row fails to decrypt instead of signing under the wrong kid.
 */

const VERSION = 'v1';
const aad = (kid: string) => Buffer.from(`latchkey-signing-key:${VERSION}:${kid}`);

/** Raised when the KEK cannot open a stored key; the message names the kid, never key material. */
export class KeyDecryptionError extends Error {
  override name = 'KeyDecryptionError';
}

/** A KEK written as 64 hex digits or as base64url (padding allowed) of exactly 32 bytes; `where` names its source. */
export function parseKek(text: string, where: string): Buffer {
  const value = text.trim();
  let bytes: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(value)) bytes = Buffer.from(value, 'hex');
  else if (/^[A-Za-z0-9_-]{43}=?$/.test(value)) bytes = Buffer.from(value.replace(/=$/, ''), 'base64url');
  if (bytes?.length !== 32) throw new Error(`${where}: the key-encryption key must be 32 bytes written as 64 hex digits or 43 base64url characters`);
  return bytes;
}

export const newKek = (): Buffer => randomBytes(32);

/** `v1.<iv>.<ciphertext>.<tag>`, base64url parts; the plaintext is the PKCS #8 DER of the private key. */
export function encryptPrivateKey(key: KeyObject, kid: string, kek: Buffer): string {
  // A random 96-bit nonce (NIST SP 800-38D §8.2.2); a KEK encrypts a handful of keys, far from the 2^32 limit.
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, iv);
  cipher.setAAD(aad(kid));
  const der = key.export({ format: 'der', type: 'pkcs8' });
  const ciphertext = Buffer.concat([cipher.update(der), cipher.final()]);
  der.fill(0);
  return [VERSION, iv.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

export function decryptPrivateKey(stored: string, kid: string, kek: Buffer): KeyObject {
  const [version, iv, ciphertext, tag] = stored.split('.');
  if (version !== VERSION || !iv || !ciphertext || !tag) throw new KeyDecryptionError(`signing key ${kid}: unknown storage format`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek, Buffer.from(iv, 'base64url'));
    decipher.setAAD(aad(kid));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const der = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
    const key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    der.fill(0);
    return key;
  } catch {
    // The cause says nothing useful beyond "authentication failed" and must not reach a log with key bytes.
    throw new KeyDecryptionError(`signing key ${kid}: cannot be decrypted with this key-encryption key`);
  }
}
