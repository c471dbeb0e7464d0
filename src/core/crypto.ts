import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Recognisable prefixes let secret scanners find leaked credentials (as GitHub's `ghp_` does).
 * The random part is 256 bits, base64url.
 */
export const TOKEN_PREFIX = {
  accessToken: 'lk_at_',
  refreshToken: 'lk_rt_',
  code: 'lk_ac_',
  clientSecret: 'lk_cs_',
  session: 'lk_ss_',
  interaction: 'lk_ix_',
} as const;

export type TokenKind = keyof typeof TOKEN_PREFIX;

export function randomToken(kind: TokenKind): string {
  return TOKEN_PREFIX[kind] + randomBytes(32).toString('base64url');
}

export function randomId(bytes = 16): string {
  return randomBytes(bytes).toString('base64url');
}

/** Tokens, codes, sessions and client secrets are stored only as SHA-256 hashes (they are high-entropy). */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}


/** Constant-time comparison of two strings, by comparing their SHA-256 digests (equal length by construction). */
export function constantTimeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

/** Compares a presented secret with a stored SHA-256 hash in constant time. */
export function verifyHashedSecret(presented: string, storedHash: string): boolean {
  const presentedHash = createHash('sha256').update(presented).digest();
  const stored = Buffer.from(storedHash, 'base64url');
  return stored.length === presentedHash.length && timingSafeEqual(presentedHash, stored);
}
