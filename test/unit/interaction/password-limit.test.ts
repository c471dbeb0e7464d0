import { describe, expect, it } from 'vitest';
import { hashPassword, limited, MAX_CONCURRENT, verifyPassword } from '../../../src/interaction/passwords.ts';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('password hashing concurrency (memory bound: 19 MiB per argon2id computation)', () => {
  it('runs at most MAX_CONCURRENT computations at a time and queues the rest in order', async () => {
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const work = (i: number) => async () => {
      running++;
      peak = Math.max(peak, running);
      await tick();
      running--;
      order.push(i);
      return i;
    };
    const results = await Promise.all(Array.from({ length: MAX_CONCURRENT * 3 + 1 }, (_, i) => limited(work(i))));
    expect(results).toEqual(Array.from({ length: MAX_CONCURRENT * 3 + 1 }, (_, i) => i));
    expect(peak).toBe(MAX_CONCURRENT);
    expect(MAX_CONCURRENT).toBeGreaterThanOrEqual(1);
    expect(MAX_CONCURRENT).toBeLessThanOrEqual(4);
  });

  it('frees the slot of a computation that fails, so later ones still run', async () => {
    const failures = Array.from({ length: MAX_CONCURRENT + 1 }, () => limited(async () => Promise.reject(new Error('boom'))));
    for (const f of failures) await expect(f).rejects.toThrow('boom');
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: MAX_CONCURRENT * 2 }, () =>
        limited(async () => {
          running++;
          peak = Math.max(peak, running);
          await tick();
          running--;
        }),
      ),
    );
    expect(peak).toBe(MAX_CONCURRENT);
  });

  it('still verifies passwords correctly when many logins arrive at once', async () => {
    const stored = await hashPassword('correct horse battery staple');
    const outcomes = await Promise.all([
      ...Array.from({ length: 3 }, () => verifyPassword(stored, 'correct horse battery staple')),
      ...Array.from({ length: 3 }, () => verifyPassword(stored, 'wrong password')),
      verifyPassword(undefined, 'correct horse battery staple'),
    ]);
    expect(outcomes).toEqual([true, true, true, false, false, false, false]);
  });
});
