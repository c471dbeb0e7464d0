import { expect } from 'vitest';

/**
 * A change made by another process (the command line, another node) reaches a running server within its cacheTtlMs
 * (README, "What a node caches"): polls `attempt` until `reached` holds. It fails only far past the bound: each poll is
 * an HTTP request, slow on a loaded machine, so the margin is wide and the test is bounded by the answers it sees.
 */
export async function withinCacheBound<T>(cacheTtlMs: number, attempt: () => Promise<T>, reached: (value: T) => boolean): Promise<T> {
  const start = performance.now();
  for (;;) {
    const value = await attempt();
    if (reached(value)) return value;
    expect(performance.now() - start).toBeLessThan(cacheTtlMs + 60_000);
    await new Promise((r) => setTimeout(r, 50));
  }
}
