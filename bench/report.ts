import { isCeiling, type ServerName } from './common.ts';
import type { MachineInfo } from './proc.ts';
import { WORKLOADS, type WorkloadName } from './workloads/types.ts';

/** One measured run: one server, one workload, one round. */
export interface RunResult {
  round: number;
  server: ServerName;
  workload: WorkloadName;
  unit: 'req/s' | 'flows/s';
  /** Successful requests (or flows) per second over the measured run. */
  rate: number;
  ok: number;
  errors: number;
  errorKinds: Record<string, number>;
  p50: number;
  p99: number;
  /** Server CPU over the measured run, in percent of one core. */
  cpu: number;
  /** Server CPU time per successful request (or flow), µs: the cost, less sensitive to a busy machine than the rate. */
  cpuPerOp: number;
  /** Peak RSS of the server process (VmHWM), MB, over the warm-up and the measured run (reset before the warm-up). */
  peakRssMb: number;
  /** RSS once started and set up for the workload, before the load, MB. */
  idleRssMb: number;
  /** The machine's 1-minute load average when the run ended: above about 2 (the server and the load generator) means
   *  other work shared the cores, and the run's figures are low. */
  loadAverage: number;
  seconds: number;
}

export interface BenchInfo {
  startedAt: string;
  machine: MachineInfo;
  node: string;
  versions: Record<string, string>;
  pinned: boolean;
  options: { duration: number; warmup: number; rounds: number; connections: number };
  notes: Record<string, string[]>;
}

export interface Summary {
  workload: WorkloadName;
  server: ServerName;
  unit: 'req/s' | 'flows/s';
  rounds: number;
  /** Medians over the rounds. */
  rate: number;
  p50: number;
  p99: number;
  /** The worst p99 of the rounds. */
  worstP99: number;
  cpu: number;
  cpuPerOp: number;
  peakRssMb: number;
  errors: number;
  /** Latchkey's rate divided by this server's, from the same rounds; undefined for Latchkey itself. */
  latchkeyRatio?: number;
  /** Per-round ratios, to show their spread. */
  roundRatios?: number[];
  /** Latchkey's rows of a grant no peer has (BASELINES): its rate against Latchkey's own baseline grants. */
  baselineRatios?: BaselineRatio[];
}

/** A workload's rate divided by a baseline workload's, both Latchkey's, from the same rounds (medians). */
export interface BaselineRatio {
  baseline: WorkloadName;
  ratio: number;
  /** Per-round ratios, to show their spread. */
  roundRatios: number[];
  /** The baseline's CPU per op (µs), beside the workload's own: the steadier figure on a busy machine. */
  baselineCpuPerOp: number;
}

/**
 * Grants no peer implements (oidc-provider and oauth2-server have neither RFC 8693 token exchange nor the RFC 7523
 * JWT bearer grant), so their only honest comparison is with Latchkey's own grants in the same run: client_credentials
 * (the cheapest token), and client_credentials_jwt where the exchange issues an RFC 9068 JWT as well.
 */
export const BASELINES: Partial<Record<WorkloadName, readonly WorkloadName[]>> = {
  token_exchange: ['client_credentials', 'client_credentials_jwt'],
  jwt_bearer: ['client_credentials'],
};

/** The median: on a shared machine a disturbed round is an outlier, which the median leaves out and a mean would not. */
const median = (xs: number[]): number => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

export const SERVER_ORDER: ServerName[] = ['latchkey', 'oidc-provider', 'oauth2-server', 'latchkey-http', 'bare'];

const LABELS: Partial<Record<ServerName, string>> = { bare: 'bare node:http', 'latchkey-http': "Latchkey's HTTP layer alone" };

export function summarise(runs: RunResult[]): Summary[] {
  const out: Summary[] = [];
  for (const workload of WORKLOADS) {
    const latchkey = runs.filter((r) => r.workload === workload && r.server === 'latchkey');
    for (const server of SERVER_ORDER) {
      // The ceilings are measured once a round, under the client_credentials request: they bound every
      // single-request workload.
      const source = isCeiling(server) ? 'client_credentials' : workload;
      const mine = runs.filter((r) => r.workload === source && r.server === server);
      if (mine.length === 0) continue;
      if (isCeiling(server) && latchkey[0]?.unit !== 'req/s') continue;
      const s: Summary = {
        workload,
        server,
        unit: mine[0]?.unit ?? 'req/s',
        rounds: mine.length,
        rate: median(mine.map((r) => r.rate)),
        p50: median(mine.map((r) => r.p50)),
        p99: median(mine.map((r) => r.p99)),
        worstP99: Math.max(...mine.map((r) => r.p99)),
        cpu: median(mine.map((r) => r.cpu)),
        cpuPerOp: median(mine.map((r) => r.cpuPerOp)),
        peakRssMb: Math.max(...mine.map((r) => r.peakRssMb)),
        errors: mine.reduce((a, r) => a + r.errors, 0),
      };
      if (server !== 'latchkey' && latchkey.length > 0) {
        s.latchkeyRatio = median(latchkey.map((r) => r.rate)) / s.rate;
        s.roundRatios = latchkey
          .map((l) => {
            const peer = mine.find((r) => r.round === l.round);
            return peer ? l.rate / peer.rate : Number.NaN;
          })
          .filter((x) => Number.isFinite(x));
      }
      if (server === 'latchkey') {
        const ratios = baselineRatios(runs, workload, s);
        if (ratios.length > 0) s.baselineRatios = ratios;
      }
      out.push(s);
    }
  }
  return out;
}

/** The ratios of Latchkey's `workload` (its summary `mine`) to each of its BASELINES measured in the same runs. */
function baselineRatios(runs: RunResult[], workload: WorkloadName, mine: Summary): BaselineRatio[] {
  const out: BaselineRatio[] = [];
  for (const baseline of BASELINES[workload] ?? []) {
    const base = runs.filter((r) => r.workload === baseline && r.server === 'latchkey');
    if (base.length === 0) continue;
    const own = runs.filter((r) => r.workload === workload && r.server === 'latchkey');
    out.push({
      baseline,
      ratio: mine.rate / median(base.map((r) => r.rate)),
      roundRatios: own.flatMap((r) => base.filter((b) => b.round === r.round).map((b) => r.rate / b.rate)).filter((x) => Number.isFinite(x)),
      baselineCpuPerOp: median(base.map((r) => r.cpuPerOp)),
    });
  }
  return out;
}

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const ms = (n: number) => (Number.isFinite(n) ? (n < 10 ? n.toFixed(2) : n.toFixed(1)) : 'n/a');

/** The results as a Markdown table (printed, and pasted into the README). */
export function table(summaries: Summary[], unsupported: { workload: WorkloadName; server: ServerName }[]): string {
  const lines = [
    '| workload | server | rate | p50 ms | p99 ms | server CPU | CPU per op | peak RSS | errors | Latchkey ÷ server |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const workload of WORKLOADS) {
    for (const server of SERVER_ORDER) {
      const s = summaries.find((x) => x.workload === workload && x.server === server);
      if (s) {
        const ratio = s.latchkeyRatio === undefined ? '' : `${fmt(s.latchkeyRatio, 2)}×`;
        const label = LABELS[server] ?? server;
        lines.push(
          `| ${workload} | ${label} | ${fmt(s.rate)} ${s.unit} | ${ms(s.p50)} | ${ms(s.p99)} | ${fmt(s.cpu)}% | ${fmt(s.cpuPerOp)} µs | ${fmt(s.peakRssMb)} MB | ${s.errors} | ${ratio} |`,
        );
      } else if (unsupported.some((u) => u.workload === workload && u.server === server)) {
        lines.push(`| ${workload} | ${server} | n/a | | | | | | | |`);
      }
    }
  }
  return lines.join('\n');
}

/**
 * One line per grant no peer has: "token_exchange: 620 req/s, 0.62× Latchkey client_credentials (CPU 150 vs 75 µs a
 * request), ...", the CPU per request beside each ratio; a baseline left out of the run is named, not skipped.
 */
export function baselineLines(summaries: Summary[]): string[] {
  const lines: string[] = [];
  for (const [workload, baselines] of Object.entries(BASELINES) as [WorkloadName, readonly WorkloadName[]][]) {
    const s = summaries.find((x) => x.workload === workload && x.server === 'latchkey');
    if (!s) continue;
    const parts = baselines.map((baseline, i) => {
      const b = s.baselineRatios?.find((r) => r.baseline === baseline);
      if (!b) return `${baseline} not measured in this run`;
      const cpu = i === 0 ? `CPU ${fmt(s.cpuPerOp)} vs ${fmt(b.baselineCpuPerOp)} µs a request` : `${fmt(s.cpuPerOp)} vs ${fmt(b.baselineCpuPerOp)} µs`;
      return `${fmt(b.ratio, 2)}× Latchkey ${baseline} (${cpu})`;
    });
    lines.push(`${workload}: ${fmt(s.rate)} ${s.unit}, ${parts.join(', ')}`);
  }
  return lines;
}

export interface TargetCheck {
  target: string;
  met: boolean | undefined;
  detail: string;
}

/** The targets of issue 5, checked against the summaries. */
export function checkTargets(summaries: Summary[]): TargetCheck[] {
  const get = (w: WorkloadName, s: ServerName) => summaries.find((x) => x.workload === w && x.server === s);
  const checks: TargetCheck[] = [];
  for (const w of WORKLOADS) {
    const l = get(w, 'latchkey');
    // A grant no peer has is not a race with the peers: its ratios are to Latchkey's own grants (baselineLines).
    if (!l || BASELINES[w] !== undefined) continue;
    const peers = (['oidc-provider', 'oauth2-server'] as const).map((p) => get(w, p)).filter((x): x is Summary => x !== undefined);
    // A peer that answered nothing but errors has no rate (ratio Infinity): such a target is not measured, not met.
    const measured = (p: Summary) => p.rate > 0 && Number.isFinite(p.latchkeyRatio ?? Number.NaN);
    const ratioOf = (p: Summary) => (measured(p) ? `${fmt(p.latchkeyRatio ?? Number.NaN, 2)}×` : `not measured: ${p.errors} errors`);
    const behind = peers.filter((p) => (p.latchkeyRatio ?? 0) <= 1);
    checks.push({
      target: `${w}: ahead of both peers`,
      met: peers.length === 0 || !peers.every(measured) ? undefined : behind.length === 0,
      detail: peers.map((p) => `${p.server} ${ratioOf(p)}`).join(', '),
    });
    const oidc = get(w, 'oidc-provider');
    if (oidc) checks.push({ target: `${w}: ≥ 3× oidc-provider`, met: measured(oidc) ? (oidc.latchkeyRatio ?? 0) >= 3 : undefined, detail: ratioOf(oidc) });
  }
  for (const w of ['client_credentials', 'introspection'] as const) {
    const bare = get(w, 'bare');
    if (bare) {
      const share = 1 / (bare.latchkeyRatio ?? Number.NaN);
      checks.push({ target: `${w}: ≥ 40% of bare node:http`, met: share <= 2.5, detail: `${fmt((bare.latchkeyRatio ?? Number.NaN) * 100)}%` });
    }
  }
  // Not targets: where the gap to the bare server is, from the same rounds (see servers/latchkey-http.ts).
  for (const w of ['client_credentials', 'introspection', 'refresh_token'] as const) {
    const layer = get(w, 'latchkey-http');
    const bare = get(w, 'bare');
    if (layer?.latchkeyRatio !== undefined && bare?.latchkeyRatio !== undefined) {
      checks.push({
        target: `${w}: where the time goes`,
        met: undefined,
        detail: `Latchkey's HTTP layer alone answers at ${fmt((bare.latchkeyRatio / layer.latchkeyRatio) * 100)}% of bare node:http's rate; Latchkey at ${fmt(layer.latchkeyRatio * 100)}% of its HTTP layer's`,
      });
    }
  }
  for (const w of ['client_credentials', 'introspection', 'refresh_token'] as const) {
    const l = get(w, 'latchkey');
    if (l) checks.push({ target: `${w}: p99 < 10 ms`, met: l.p99 < 10, detail: `${ms(l.p99)} ms` });
  }
  // Issue 12: an RFC 9068 JWT access token costs a signature; issuing one stays within 15% of an opaque one.
  const opaque = get('client_credentials', 'latchkey');
  const jwt = get('client_credentials_jwt', 'latchkey');
  if (opaque && jwt) {
    const ratio = jwt.rate / opaque.rate;
    checks.push({ target: 'client_credentials_jwt: within 15% of opaque client_credentials', met: ratio >= 0.85, detail: `${fmt(ratio * 100)}% of the opaque rate` });
  }
  const rss = summaries.filter((s) => s.server === 'latchkey').map((s) => s.peakRssMb);
  if (rss.length > 0) checks.push({ target: 'Latchkey peak RSS < 150 MB', met: Math.max(...rss) < 150, detail: `${fmt(Math.max(...rss))} MB` });
  return checks;
}

export function targetLines(checks: TargetCheck[]): string {
  return checks.map((c) => `- ${c.met === undefined ? '–' : c.met ? 'met' : 'NOT met'}: ${c.target} (${c.detail})`).join('\n');
}

export function header(info: BenchInfo): string {
  const m = info.machine;
  return [
    `machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB, Linux ${m.kernel}; load average at start ${m.loadAverage.join(' ')}`,
    `node ${info.node}; ${Object.entries(info.versions).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `${info.options.connections} connections, ${info.options.warmup} s warm-up + ${info.options.duration} s measured, ${info.options.rounds} interleaved round(s); ` +
      (info.pinned ? 'server pinned to core 0, load generator to core 1' : 'not pinned (taskset unavailable or one core)'),
  ].join('\n');
}
