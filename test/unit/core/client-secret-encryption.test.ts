import { describe, expect, it } from 'vitest';
import { decryptClientSecret, encryptClientSecret, storedSecret } from '../../../src/core/client-auth/secret-encryption.ts';
import { sha256 } from '../../../src/core/crypto.ts';
import { newKek } from '../../../src/core/keys/kek.ts';

/** client_secret_jwt secrets at rest: AES-256-GCM under the KEK, bound to their client (secret-encryption.ts). */

const SECRET = 'lk_cs_example-secret-0123456789';

describe('client secret encryption under the KEK', () => {
  it('opens with the same KEK and client id, and the stored text does not contain the secret', () => {
    const kek = newKek();
    const stored = encryptClientSecret(SECRET, 'app', kek);
    expect(stored).not.toContain(SECRET);
    expect(stored.startsWith('v1.')).toBe(true);
    expect(decryptClientSecret(stored, 'app', kek)?.toString('utf8')).toBe(SECRET);
  });

  it('does not open under another KEK, for another client (the id is the AAD), or when tampered with', () => {
    const kek = newKek();
    const stored = encryptClientSecret(SECRET, 'app', kek);
    expect(decryptClientSecret(stored, 'app', newKek())).toBeUndefined();
    expect(decryptClientSecret(stored, 'other-app', kek)).toBeUndefined();
    const [v, iv, ct, tag] = stored.split('.');
    const flipped = Buffer.from(ct ?? '', 'base64url');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(decryptClientSecret([v, iv, flipped.toString('base64url'), tag].join('.'), 'app', kek)).toBeUndefined();
    expect(decryptClientSecret('garbage', 'app', kek)).toBeUndefined();
  });

  it('stores the encrypted secret for client_secret_jwt only, and the hash for every method', () => {
    const kek = newKek();
    const hmac = storedSecret(SECRET, 'app', 'client_secret_jwt', kek);
    expect(hmac.secretHash).toBe(sha256(SECRET));
    expect(hmac.secretEncrypted && decryptClientSecret(hmac.secretEncrypted, 'app', kek)?.toString('utf8')).toBe(SECRET);
    expect(storedSecret(SECRET, 'app', 'client_secret_basic', kek)).toEqual({ secretHash: sha256(SECRET), secretEncrypted: null });
    expect(storedSecret(SECRET, 'app', null, undefined)).toEqual({ secretHash: sha256(SECRET), secretEncrypted: null });
  });
});
