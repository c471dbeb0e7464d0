import type { PostResult } from './post.ts';

/** The retry policy of back-channel logout (config `backchannelLogout`). */
export interface RetryPolicy {
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  maxAgeSeconds: number;
}

export type Verdict = 'delivered' | 'retry' | 'refused';

/**
 * Back-Channel Logout 1.0 §2.8: 200 means the logout succeeded (some frameworks answer 204, hence any 2xx); 400 means
 * the RP refused the token, and so does any other client error, which a second try would not change. No answer, a
 * server error, 408 and 429 are worth another try: the RP may be restarting or busy.
 */
export function verdictOf(result: PostResult): Verdict {
  if ('refused' in result) return 'refused';
  if ('error' in result) return 'retry';
  const { status } = result;
  if (status >= 200 && status < 300) return 'delivered';
  if (status >= 500 || status === 408 || status === 429) return 'retry';
  return 'refused';
}

/**
 * The wait before attempt `attempts + 1`: exponential (base × 2^(attempts-1), capped), with "equal jitter" (half
 * fixed, half random) so that the receivers of many logouts queued together are not retried in lockstep.
 */
export function backoffMs(policy: RetryPolicy, attempts: number, random: () => number = Math.random): number {
  const exp = Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** Math.min(30, Math.max(0, attempts - 1)));
  return Math.ceil(exp / 2 + random() * (exp / 2));
}
