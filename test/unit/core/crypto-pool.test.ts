import { describe, expect, it } from 'vitest';
import { grantId, randomId, randomToken } from '../../../src/core/crypto.ts';

describe('random values drawn from a pool (one CSPRNG call per 4 KiB)', () => {
  it('never hands out the same bytes twice, across many pool refills', () => {
    // 2,000 tokens of 32 bytes: about sixteen pools.
    const tokens = Array.from({ length: 2000 }, () => randomToken('accessToken'));
    expect(new Set(tokens).size).toBe(tokens.length);
    // No 8-byte window repeats either (a pool reused at an offset would show here).
    const windows = new Set<string>();
    for (const t of tokens) {
      const raw = Buffer.from(t.slice('lk_at_'.length + 9), 'base64url'); // after the issue time
      for (let i = 0; i + 8 <= raw.length; i += 8) windows.add(raw.subarray(i, i + 8).toString('hex'));
    }
    expect(windows.size).toBe(tokens.length * 4);
  });

  it('does not change a value already handed out when the pool is refilled', () => {
    const first = randomId(64);
    const copy = first.slice();
    for (let i = 0; i < 500; i++) randomId(32);
    expect(first).toBe(copy);
  });

  it('serves a request larger than the pool', () => {
    const big = randomId(10_000);
    expect(Buffer.from(big, 'base64url')).toHaveLength(10_000);
    expect(new Set(big).size).toBeGreaterThan(40);
  });
});

describe('grantId', () => {
  it('carries 128 random bits after a fixed-width creation time, so ids sort by age', () => {
    const a = grantId(1_700_000_000_000);
    const b = grantId(1_700_000_000_001);
    const c = grantId(2_000_000_000_000);
    expect(a).toMatch(/^[0-9a-z]{9}[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(a.slice(9), 'base64url')).toHaveLength(16);
    expect([c, a, b].sort()).toEqual([a, b, c]);
  });

  it('does not repeat within one millisecond', () => {
    const ids = Array.from({ length: 1000 }, () => grantId(1_700_000_000_000));
    expect(new Set(ids).size).toBe(1000);
  });
});
