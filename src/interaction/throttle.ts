import type { Config } from '../config/schema.ts';
import type { ThrottleRepository } from '../storage/repositories.ts';

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
    /** Seconds until another attempt is allowed, or 0. */
    async retryAfter(username: string, address: string, now: number): Promise<number> {
      const k = keys(username, address);
      const [a, b] = await Promise.all([repo.get(k.account), repo.get(k.address)]);
      return Math.max(0, (a?.lockedUntil ?? 0) - now, (b?.lockedUntil ?? 0) - now);
    },
    async failed(username: string, address: string, now: number): Promise<void> {
      const k = keys(username, address);
      await repo.recordFailure(k.account, now, config.loginFailureWindowSeconds, backoff(config.loginFreeFailures));
      await repo.recordFailure(k.address, now, config.loginFailureWindowSeconds, backoff(config.loginFreeFailuresPerAddress));
    },
    async succeeded(username: string): Promise<void> {
      await repo.reset(keys(username, '').account);
    },
  };
}
export type LoginThrottle = ReturnType<typeof loginThrottle>;
