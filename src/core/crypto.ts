import { hash, randomFillSync, timingSafeEqual } from 'node:crypto';

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

/**
 * Random bytes from the CSPRNG, drawn a pool at a time (as Node's own randomUUID does): one call into OpenSSL per
 * 4 KiB instead of one per token costs a fraction of the time. Every byte is handed out once; a refill allocates a
 * new pool, so bytes already handed out are never overwritten.
 */
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let offset = 0;
function randomBytes(n: number): Buffer {
  if (n > POOL_BYTES) return randomFillSync(Buffer.allocUnsafe(n));
  if (offset + n > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_BYTES));
    offset = 0;
  }
  const out = pool.subarray(offset, offset + n);
  offset += n;
  return out;
}

export function randomToken(kind: TokenKind): string {
  return TOKEN_PREFIX[kind] + randomBytes(32).toString('base64url');
}

export function randomId(bytes = 16): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * A grant id: 128 random bits after the creation time (milliseconds, base 36, fixed width), so that ids sort by age.
 * Grants are inserted in that order, so the index on grant ids (and the tokens' index on theirs) grows at its end
 * instead of at a random page for every grant: a group commit then writes a few pages, not one per grant. Grant ids
 * are identifiers, not secrets; their creation time is on the grant anyway.
 */
export function grantId(now = Date.now()): string {
  return now.toString(36).padStart(9, '0') + randomBytes(16).toString('base64url');
}

/** Tokens, codes, sessions and client secrets are stored only as SHA-256 hashes (they are high-entropy). */
export function sha256(value: string): string {
  return hash('sha256', value, 'base64url');
}


/** Constant-time comparison of two strings, by comparing their SHA-256 digests (equal length by construction). */
export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(hash('sha256', a, 'buffer'), hash('sha256', b, 'buffer'));
}

/** Compares a presented secret with a stored SHA-256 hash in constant time. */
export function verifyHashedSecret(presented: string, storedHash: string): boolean {
  const presentedHash = hash('sha256', presented, 'buffer');
  const stored = Buffer.from(storedHash, 'base64url');
  return stored.length === presentedHash.length && timingSafeEqual(presentedHash, stored);
}
