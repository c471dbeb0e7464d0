import { describe, expect, it } from 'vitest';
import { tokenCounter } from '../../../src/admin/token-counter.ts';
import { FakeClock } from '../../../src/core/clock.ts';
import type { ActivityRepository, TokenCount } from '../../../src/core/admin-repositories.ts';

const H = 1_800_000_000 - (1_800_000_000 % 3600);

function fakeRepo(fail = false) {
  const added: TokenCount[][] = [];
  const repo: ActivityRepository = {
    async addTokenCounts(counts) {
      if (fail) throw new Error('database down');
      added.push([...counts]);
    },
    tokenCounts: async () => [],
    auditCounts: async () => [],
  };
  return { repo, added };
}

const silent = { error: () => undefined, warn: () => undefined, info: () => undefined };

describe('tokenCounter', () => {
  it('counts in memory per hour and grant type, and writes the sums in one call on flush', async () => {
    const clock = new FakeClock(H + 10);
    const { repo, added } = fakeRepo();
    const counter = tokenCounter(repo, clock, silent);
    counter.count('authorization_code');
    counter.count('authorization_code');
    counter.count('client_credentials');
    clock.advance(3600);
    counter.count('authorization_code');
    expect(added).toHaveLength(0);
    await counter.flush();
    expect(added).toHaveLength(1);
    expect(added[0]).toEqual(
      expect.arrayContaining([
        { hour: H, grantType: 'authorization_code', count: 2 },
        { hour: H, grantType: 'client_credentials', count: 1 },
        { hour: H + 3600, grantType: 'authorization_code', count: 1 },
      ]),
    );
    // Nothing new: nothing written.
    await counter.flush();
    expect(added).toHaveLength(1);
  });

  it('keeps the counts of a failed write for the next flush instead of losing them', async () => {
    const clock = new FakeClock(H);
    const failing = fakeRepo(true);
    const counter = tokenCounter(failing.repo, clock, silent);
    counter.count('refresh_token');
    await counter.flush();
    const working = fakeRepo();
    failing.repo.addTokenCounts = working.repo.addTokenCounts;
    counter.count('refresh_token');
    await counter.flush();
    expect(working.added).toEqual([[{ hour: H, grantType: 'refresh_token', count: 2 }]]);
  });
});
