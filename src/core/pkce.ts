import { createHash } from 'node:crypto';
import { constantTimeEqual } from './crypto.ts';

/** RFC 7636 §4.1: code_verifier = 43*128unreserved; §4.2: the challenge has the same shape. */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

export type PkceMethod = 'S256' | 'plain';

export const isWellFormedPkceValue = (value: string): boolean => VERIFIER.test(value);

/** RFC 7636 §4.6: BASE64URL(SHA256(ASCII(code_verifier))) == code_challenge (or equality for plain). */
export function verifyPkce(verifier: string, challenge: string, method: PkceMethod): boolean {
  if (!VERIFIER.test(verifier)) return false;
  const derived = method === 'S256' ? createHash('sha256').update(verifier, 'ascii').digest('base64url') : verifier;
  return constantTimeEqual(derived, challenge);
}
