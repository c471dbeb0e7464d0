import { describe, expect, it } from 'vitest';
import { checkTargets, type Summary } from '../../bench/report.ts';

/** A server's summary for one workload; the rest of the figures do not enter the target checks here. */
const summary = (server: Summary['server'], rate: number, latchkeyRate: number, errors = 0): Summary => ({
  workload: 'client_credentials_jwt',
  server,
  unit: 'req/s',
  rounds: 1,
  rate,
  p50: 1,
  p99: 1,
  worstP99: 1,
  cpu: 50,
  cpuPerOp: 100,
  peakRssMb: 100,
  errors,
  ...(server === 'latchkey' ? {} : { latchkeyRatio: latchkeyRate / rate }),
});

describe('bench target checks (issue 5 targets)', () => {
  it('does not call a target met when the peer answered nothing but errors (an honest bench)', () => {
    const checks = checkTargets([summary('latchkey', 1000, 1000), summary('oidc-provider', 0, 1000, 3049)]);
    const verdicts = checks.filter((c) => ['client_credentials_jwt: ahead of both peers', 'client_credentials_jwt: ≥ 3× oidc-provider'].includes(c.target));
    expect(verdicts.length).toBe(2);
    for (const v of verdicts) {
      expect(v.met).toBeUndefined();
      expect(v.detail).toMatch(/not measured/);
    }
  });

  it('still judges a peer that was measured', () => {
    const checks = checkTargets([summary('latchkey', 1000, 1000), summary('oidc-provider', 500, 1000)]);
    expect(checks.find((c) => c.target === 'client_credentials_jwt: ahead of both peers')?.met).toBe(true);
    expect(checks.find((c) => c.target === 'client_credentials_jwt: ≥ 3× oidc-provider')?.met).toBe(false);
  });
});
