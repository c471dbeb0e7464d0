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
  /** RFC 7592 registration access tokens and RFC 7591 initial access tokens (dynamic client registration). */
  registrationAccessToken: 'lk_rg_',
  initialAccessToken: 'lk_ia_',
  deviceCode: 'lk_dc_',
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

/** Milliseconds since the epoch in base 36, fixed width (9 characters last until the year 5188): sorts as it counts. */
const timePart = (now: number): string => now.toString(36).padStart(9, '0');
const TIME_WIDTH = 9;
/** Every TOKEN_PREFIX is six characters. */
const PREFIX_WIDTH = 6;
const TIMED_LENGTH = PREFIX_WIDTH + TIME_WIDTH + 43;
const TIME = /^[0-9a-z]{9}$/;

/**
 * A new credential: its kind's prefix, then (for everything the store looks up: tokens, codes, sessions, interactions)
 * its issue time, then 256 random bits. The issue time is not secret (a token's holder learns it from expires_in
 * anyway); it is there so that `credentialKey` sorts by age, see there. Client secrets are compared, never looked up,
 * and carry no time.
 */
export function randomToken(kind: TokenKind): string {
  const random = randomBytes(32).toString('base64url');
  return kind === 'clientSecret' ? TOKEN_PREFIX[kind] + random : TOKEN_PREFIX[kind] + timePart(Date.now()) + random;
}

/**
 * What the store keeps, and looks a presented credential up by, instead of the credential: its issue time followed by
 * the SHA-256 of the whole credential. The hash makes a stolen database worthless (as a plain hash would); the time in
 * front makes the index on these keys grow at its end, like the grant ids' (`grantId`), instead of at a random page
 * per insert, so a group commit writes a few pages instead of one per token: storage alone issued 11,300 tokens a
 * second with plain hashes as keys, 19,800 with these (see the README's Performance section). A credential of
 * another shape (issued by an earlier version, or made up) is keyed by its plain hash, so earlier tokens stay valid;
 * the two never collide (43 against 52 characters).
 */
export function credentialKey(token: string): string {
  if (token.length === TIMED_LENGTH) {
    const time = token.slice(PREFIX_WIDTH, PREFIX_WIDTH + TIME_WIDTH);
    if (TIME.test(time)) return time + sha256(token);
  }
  return sha256(token);
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
  return timePart(now) + randomBytes(16).toString('base64url');
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
