import { describe, expect, it } from 'vitest';
import { backoffMs, verdictOf, type RetryPolicy } from '../../../../src/core/oidc/backchannel/retry.ts';

const policy: RetryPolicy = { maxAttempts: 10, retryBaseMs: 1000, retryMaxMs: 60_000, maxAgeSeconds: 86_400 };

describe('back-channel logout retry policy', () => {
  it('counts 200 and 204 as delivered (Back-Channel Logout 1.0 §2.8: some frameworks answer 204)', () => {
    expect(verdictOf({ status: 200 })).toBe('delivered');
    expect(verdictOf({ status: 204 })).toBe('delivered');
  });

  it('retries no answer, server errors, 408 and 429', () => {
    for (const r of [{ error: 'timeout' as const }, { error: 'network' as const }, { status: 500 }, { status: 503 }, { status: 408 }, { status: 429 }]) {
      expect(verdictOf(r)).toBe('retry');
    }
  });

  it('gives up on 400 (§2.8: the RP refused the token), any other client error, and redirects (not followed)', () => {
    for (const status of [400, 401, 403, 404, 410, 301, 302, 307]) expect(verdictOf({ status })).toBe('refused');
  });

  it('waits exponentially longer, with jitter within [half, whole] of the step, capped at retryMaxMs', () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(policy, n, () => 1))).toEqual([1000, 2000, 4000, 8000]);
    expect([1, 2, 3, 4].map((n) => backoffMs(policy, n, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect(backoffMs(policy, 40, () => 1)).toBe(60_000);
    expect(backoffMs(policy, 1000, () => 0.5)).toBe(45_000);
  });
});
