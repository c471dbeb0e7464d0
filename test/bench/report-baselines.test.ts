import { describe, expect, it } from 'vitest';
import { baselineLines, checkTargets, summarise, table, type RunResult } from '../../bench/report.ts';
import type { WorkloadName } from '../../bench/workloads/types.ts';

/** One measured run; only the rate, CPU per op and round enter the ratios. */
const run = (server: RunResult['server'], workload: string, round: number, rate: number, cpuPerOp = 100): RunResult => ({
  round,
  server,
  workload: workload as WorkloadName,
  unit: 'req/s',
  rate,
  ok: rate * 6,
  errors: 0,
  errorKinds: {},
  p50: 1,
  p99: 2,
  cpu: 90,
  cpuPerOp,
  peakRssMb: 100,
  idleRssMb: 80,
  loadAverage: 2,
  seconds: 6,
});

/** Three rounds of Latchkey's baselines, the two grants no peer has, and one peer on client_credentials. */
const runs: RunResult[] = [1, 2, 3].flatMap((round) => [
  run('latchkey', 'client_credentials', round, 1000, 75),
  run('latchkey', 'client_credentials_jwt', round, 800, 95),
  run('latchkey', 'token_exchange', round, 600 + round * 10, 150),
  run('latchkey', 'jwt_bearer', round, 500, 180),
  run('oidc-provider', 'client_credentials', round, 500),
]);

describe('bench report: grants no peer has are given as ratios to Latchkey\'s own grants (same run)', () => {
  it('gives token_exchange against client_credentials and client_credentials_jwt, from the medians of the same rounds', () => {
    const te = summarise(runs).find((s) => s.workload === 'token_exchange' && s.server === 'latchkey');
    expect(te?.rate).toBe(620);
    expect(te?.baselineRatios?.map((b) => [b.baseline, b.ratio])).toEqual([
      ['client_credentials', 0.62],
      ['client_credentials_jwt', 0.775],
    ]);
    expect(te?.baselineRatios?.[0]?.roundRatios).toEqual([0.61, 0.62, 0.63]);
  });

  it('prints one line a workload: "token_exchange: N req/s, 0.62× Latchkey client_credentials"', () => {
    const lines = baselineLines(summarise(runs));
    expect(lines).toContain('token_exchange: 620 req/s, 0.62× Latchkey client_credentials (CPU 150 vs 75 µs a request), 0.78× Latchkey client_credentials_jwt (150 vs 95 µs)');
    expect(lines).toContain('jwt_bearer: 500 req/s, 0.50× Latchkey client_credentials (CPU 180 vs 75 µs a request)');
  });

  it('says which baseline is missing rather than printing no ratio', () => {
    const lines = baselineLines(summarise(runs.filter((r) => r.workload !== 'client_credentials_jwt')));
    expect(lines).toContain('token_exchange: 620 req/s, 0.62× Latchkey client_credentials (CPU 150 vs 75 µs a request), client_credentials_jwt not measured in this run');
  });

  it('leaves the peer rows of the table as they were and judges no peer target for a grant no peer has', () => {
    const summaries = summarise(runs);
    const rows = table(summaries, [{ workload: 'token_exchange' as WorkloadName, server: 'oidc-provider' }]).split('\n');
    expect(rows).toContain('| client_credentials | oidc-provider | 500 req/s | 1.00 | 2.00 | 90% | 100 µs | 100 MB | 0 | 2.00× |');
    expect(rows).toContain('| token_exchange | oidc-provider | n/a | | | | | | | |');
    const targets = checkTargets(summaries).map((c) => c.target);
    expect(targets).toContain('client_credentials: ahead of both peers');
    expect(targets.some((t) => t.startsWith('token_exchange') || t.startsWith('jwt_bearer'))).toBe(false);
  });
});
