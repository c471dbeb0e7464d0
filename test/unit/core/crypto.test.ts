import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import {
  TOKEN_PREFIX,
  constantTimeEqual,
  randomId,
  credentialKey,
  randomToken,
  sha256,
  verifyHashedSecret,
  type TokenKind,
} from '../../../src/core/crypto.ts';

const KINDS = Object.keys(TOKEN_PREFIX) as TokenKind[];

describe('randomToken', () => {
  const LOOKED_UP = KINDS.filter((k) => k !== 'clientSecret');

  it.each(LOOKED_UP)('gives a %s its prefix, its issue time and 256 bits of base64url randomness', (kind) => {
    const before = Date.now();
    const token = randomToken(kind);
    expect(token.startsWith(TOKEN_PREFIX[kind])).toBe(true);
    const rest = token.slice(TOKEN_PREFIX[kind].length);
    expect(rest).toMatch(/^[0-9a-z]{9}[A-Za-z0-9_-]{43}$/);
    const issued = parseInt(rest.slice(0, 9), 36);
    expect(issued).toBeGreaterThanOrEqual(before);
    expect(issued).toBeLessThanOrEqual(Date.now());
    expect(Buffer.from(rest.slice(9), 'base64url')).toHaveLength(32);
  });

  it('gives a client secret no issue time: it is compared, never looked up', () => {
    const random = randomToken('clientSecret').slice(TOKEN_PREFIX.clientSecret.length);
    expect(random).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(random, 'base64url')).toHaveLength(32);
  });

  it('uses a distinct prefix per kind, so a leaked credential says what it is', () => {
    const prefixes = Object.values(TOKEN_PREFIX);
    expect(new Set(prefixes).size).toBe(prefixes.length);
    // credentialKey finds the issue time at a fixed offset.
    expect(prefixes.every((p) => p.length === 6)).toBe(true);
    expect(TOKEN_PREFIX.accessToken).toBe('lk_at_');
    expect(TOKEN_PREFIX.refreshToken).toBe('lk_rt_');
  });

  it('does not repeat across many draws', () => {
    const seen = new Set(Array.from({ length: 1000 }, () => randomToken('accessToken')));
    expect(seen.size).toBe(1000);
  });
});

describe('credentialKey', () => {
  it('is the issue time followed by the SHA-256 of the whole token, so keys of newer tokens sort after older ones', () => {
    const token = randomToken('accessToken');
    const key = credentialKey(token);
    expect(key).toBe(token.slice(6, 15) + sha256(token));
    expect(key).not.toContain(token.slice(15));
    const older = `lk_at_${(Date.now() - 1000).toString(36).padStart(9, '0')}${'A'.repeat(43)}`;
    expect(credentialKey(older) < key).toBe(true);
  });

  it('differs for tokens that differ in one character of the random part', () => {
    const token = randomToken('refreshToken');
    const other = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    expect(credentialKey(other)).not.toBe(credentialKey(token));
  });

  it('is the plain SHA-256 for anything not shaped as a timed token (tokens of earlier versions, garbage)', () => {
    const earlier = `lk_at_${'x'.repeat(43)}`;
    expect(credentialKey(earlier)).toBe(sha256(earlier));
    expect(credentialKey('')).toBe(sha256(''));
    const wrongTime = `lk_at_ABCDEFGHI${'x'.repeat(43)}`;
    expect(credentialKey(wrongTime)).toBe(sha256(wrongTime));
  });
});

describe('randomId', () => {
  it('defaults to 128 bits, base64url', () => {
    const id = randomId();
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(id, 'base64url')).toHaveLength(16);
  });

  it('honours the requested size', () => {
    expect(Buffer.from(randomId(32), 'base64url')).toHaveLength(32);
  });
});

describe('sha256', () => {
  it('is the base64url SHA-256 digest (what the store keeps instead of the token)', () => {
    expect(sha256('abc')).toBe(createHash('sha256').update('abc').digest('base64url'));
    expect(sha256('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
  });
});

describe('verifyHashedSecret', () => {
  const secret = 'lk_cs_correct-secret-value';
  const stored = sha256(secret);

  it('accepts the secret whose hash is stored', () => {
    expect(verifyHashedSecret(secret, stored)).toBe(true);
  });

  it('refuses another secret', () => {
    expect(verifyHashedSecret('lk_cs_wrong-secret-value!', stored)).toBe(false);
  });

  it('refuses the stored hash presented as the secret', () => {
    expect(verifyHashedSecret(stored, stored)).toBe(false);
  });

  it('refuses an empty secret', () => {
    expect(verifyHashedSecret('', stored)).toBe(false);
  });

  it('returns false, without throwing, when the stored hash has the wrong length', () => {
    expect(verifyHashedSecret(secret, stored.slice(0, 10))).toBe(false);
    expect(verifyHashedSecret(secret, '')).toBe(false);
  });
});

describe('constantTimeEqual', () => {
  it('is true only for equal strings', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
  });

  it('returns false, without throwing, for strings of different lengths', () => {
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('', 'a')).toBe(false);
  });
});
