import type { Config } from '../config/schema.ts';
import type { ThrottleRepository } from '../core/repositories.ts';

/**
 * Login throttling with exponential backoff, per account and per address, kept in the database so every node
 * counts the same failures. The first `free` failures cost nothing; then 1 s, 2 s, 4 s ... up to the configured cap.
 */
export function loginThrottle(repo: ThrottleRepository, config: Config['rateLimit']) {
  const keys = (username: string, address: string) => ({
    account: `user:${username.toLowerCase()}`,
    address: `ip:${address}`,
  });
  const backoff = (free: number) => (failures: number) =>
    failures < free ? 0 : Math.min(config.loginMaxLockSeconds, 2 ** (failures - free));
  return {
    /**
     * Counts the attempt before the password is checked (issue 10 defect 3): parallel attempts cannot all pass the
     * check before the first failure is written. Returns the seconds to wait when refused, or 0 when the attempt may go
     * on; a failed attempt then needs nothing more (it is already counted), a successful one calls `succeeded`.
     */
    async attempt(username: string, address: string, now: number): Promise<number> {
      const k = keys(username, address);
      const r = await repo.attempt(
        [
          { key: k.account, lockFor: backoff(config.loginFreeFailures) },
          { key: k.address, lockFor: backoff(config.loginFreeFailuresPerAddress) },
        ],
        now,
        config.loginFailureWindowSeconds,
      );
      return r.allowed ? 0 : Math.max(1, r.lockedUntil - now);
    },
    /**
     * The account starts afresh; the address only gets this attempt back, so one account an attacker knows cannot
     * clear the address's count of guesses at other accounts.
     */
    async succeeded(username: string, address?: string): Promise<void> {
      const k = keys(username, address ?? '');
      await repo.reset(k.account);
      if (address !== undefined) await repo.discount(k.address);
    },
  };
}
export type LoginThrottle = ReturnType<typeof loginThrottle>;
