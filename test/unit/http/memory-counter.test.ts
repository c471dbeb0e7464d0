import { describe, expect, it } from 'vitest';
import { memoryCounter } from '../../../src/http/memory-counter.ts';

/** The single-node counter behind the client-authentication limits: the same windows as the rate_limits table. */
describe('memoryCounter', () => {
  const T = 1_800_000_000_000;

  it('counts hits in a window that starts with the first hit, and starts a new one once it has ended', async () => {
    const c = memoryCounter();
    expect(await c.hit('k', T, 60_000)).toEqual({ hits: 1, resetAt: T + 60_000 });
    expect(await c.hit('k', T + 59_999, 60_000)).toEqual({ hits: 2, resetAt: T + 60_000 });
    expect(await c.hit('k', T + 60_000, 60_000)).toEqual({ hits: 1, resetAt: T + 120_000 });
    expect((await c.hit('other', T, 60_000)).hits).toBe(1);
  });

  it('refunds one hit within the live window, never below zero, and not after it ended', async () => {
    const c = memoryCounter();
    await c.hit('k', T, 60_000);
    await c.hit('k', T, 60_000);
    await c.refund('k', T + 1);
    expect((await c.hit('k', T + 2, 60_000)).hits).toBe(2);
    for (let i = 0; i < 5; i++) await c.refund('k', T + 3);
    expect((await c.hit('k', T + 4, 60_000)).hits).toBe(1);
    await c.refund('k', T + 60_000);
    await c.refund('unknown', T);
    expect((await c.hit('k', T + 60_000, 60_000)).hits).toBe(1);
  });

  it('stays bounded under many addresses: past 10,000 keys the oldest are forgotten, the newest kept', async () => {
    const c = memoryCounter();
    for (let i = 0; i < 10_050; i++) await c.hit(`ip:${i}`, T, 60_000);
    // The newest address still has its count; the first ones were evicted and start afresh.
    expect((await c.hit('ip:10049', T, 60_000)).hits).toBe(2);
    expect((await c.hit('ip:0', T, 60_000)).hits).toBe(1);
  });
});
