import { randomInt } from 'node:crypto';
import { sha256 } from '../crypto.ts';

/**
 * RFC 8628 §6.1 user codes: short and easy to read and type. Twenty consonants, no vowels (no words spelt by
 * chance) and none of the look-alikes 0/O, 1/I/L: 8 of them give 20^8 ≈ 2.6·10^10 codes (34.5 bits), shown as
 * XXXX-XXXX. That entropy is small, so guesses are rate-limited (§5.1, interaction/device.ts) and codes are short-lived.
 */
export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
const LENGTH = 8;

export function newUserCode(): string {
  let code = '';
  for (let i = 0; i < LENGTH; i++) code += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return formatUserCode(code);
}

export const formatUserCode = (normalised: string): string => `${normalised.slice(0, 4)}-${normalised.slice(4)}`;

/**
 * What a person typed, as the code it means, or undefined when it cannot be one. §6.1: case-insensitive, and the
 * dash (and spaces) are ignored, so "bcdf ghjk", "BCDFGHJK" and "BCDF-GHJK" are the same code.
 */
export function normaliseUserCode(typed: string): string | undefined {
  const code = typed.toUpperCase().replace(/[\s-]/g, '');
  if (code.length !== LENGTH) return undefined;
  for (const ch of code) if (!USER_CODE_ALPHABET.includes(ch)) return undefined;
  return code;
}

/** The key a user code is stored and looked up by (never the code itself). */
export const userCodeKey = (normalised: string): string => sha256(`user_code:${normalised}`);
