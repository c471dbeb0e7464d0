/**
 * `npm run bench`: Latchkey side by side with node-oidc-provider, @node-oauth/oauth2-server and a bare node:http
 * server, one server at a time on a loopback port, the server pinned to core 0 and this load generator to core 1.
 * Rounds interleave the servers (in alternating order) so that drift in the machine's speed hits all of them alike.
 *
 *   npm run bench                                  everything (about 7 minutes)
 *   npm run bench -- --duration 5 --warmup 2 --rounds 1
 *   npm run bench -- --servers latchkey,oidc-provider --workloads client_credentials,introspection
 *   npm run bench -- --profile client_credentials  a CPU profile of Latchkey under that workload
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isCeiling, type ReadyMessage, type ServerName } from './common.ts';
import { drive, percentile } from './load.ts';
import { canPin, cpuSeconds, machine, peakRssMb, resetPeakRss, rssMb } from './proc.ts';
import { summariseProfile } from './profile-summary.ts';
import { baselineLines, BASELINES, checkTargets, header, summarise, table, targetLines, type BenchInfo, type RunResult } from './report.ts';
import { workloads } from './workloads/index.ts';
import { WORKLOADS, type Target, type WorkloadName } from './workloads/types.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const ALL_SERVERS: ServerName[] = ['bare', 'latchkey-http', 'latchkey', 'oidc-provider', 'oauth2-server'];
/** The V8 options `latchkey start` runs with (bin/node24.mjs), so the benchmark measures what production runs. */
const launcher = '../bin/node24.mjs';
const { NODE_OPTIONS: latchkeyNodeOptions } = (await import(launcher)) as { NODE_OPTIONS: string[] };

/** What each server said about its set-up when it started (recorded in the JSON). */
const serverNotes: Record<string, string[]> = {};

const { values: opts } = parseArgs({
  options: {
    duration: { type: 'string', default: '6' },
    warmup: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    servers: { type: 'string', default: ALL_SERVERS.join(',') },
    workloads: { type: 'string', default: WORKLOADS.join(',') },
    profile: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    'no-pin': { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});

const pin = !opts['no-pin'] && canPin();

// The load generator runs on core 1 (the servers on core 0): re-run this script pinned, once.
if (pin && process.env['BENCH_PINNED'] !== '1') {
  const child = spawn('taskset', ['-c', '1', process.execPath, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_PINNED: '1' },
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
  child.on('exit', (code) => process.exit(code ?? 1));
} else {
  await main();
}

function list<T extends string>(value: string | undefined, allowed: readonly T[], what: string): T[] {
  const items = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const i of items) if (!allowed.includes(i as T)) throw new Error(`unknown ${what} "${i}" (one of ${allowed.join(', ')})`);
  return items as T[];
}

function number(value: string | undefined, name: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
  return n;
}

interface RunningServer {
  pid: number;
  ready: ReadyMessage;
  target: Target;
  child: ChildProcess;
  stop(): Promise<void>;
}

async function startServer(name: ServerName, env: Record<string, string> = {}): Promise<RunningServer> {
  const script = fileURLToPath(new URL(`./servers/${name}.ts`, import.meta.url));
  const nodeArgs = ['--disable-warning=ExperimentalWarning', ...(name.startsWith('latchkey') ? latchkeyNodeOptions : []), script];
  const child = pin
    ? spawn('taskset', ['-c', '0', process.execPath, ...nodeArgs], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
    : spawn(process.execPath, nodeArgs, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
    if (opts.verbose) process.stderr.write(`[${name}] ${d.toString()}`);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<ReadyMessage>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 60 s\n${stderr}`)), 60_000);
    const lines = createInterface({ input: child.stdout ?? process.stdin });
    lines.on('line', (line) => {
      if (opts.verbose && !line.includes('"ready":true')) process.stderr.write(`[${name}] ${line}\n`);
      if (!line.startsWith('{')) return;
      try {
        const msg = JSON.parse(line) as ReadyMessage;
        if (msg.ready) {
          clearTimeout(timer);
          serverNotes[name] = name === 'latchkey' ? [...msg.notes, `node ${latchkeyNodeOptions.join(' ')}`] : msg.notes;
          resolve(msg);
        }
      } catch {}
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready\n${stderr}`));
    });
  });
  return {
    pid: child.pid ?? 0,
    ready,
    child,
    target: { name, origin: `http://127.0.0.1:${ready.port}`, endpoints: ready.endpoints },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

function build(): void {
  process.stdout.write('building Latchkey (npm run build) ...\n');
  const res = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8' });
  if (res.status !== 0) {
    // tsc still emits JS on type errors; say so, and go on with what it emitted.
    process.stdout.write(`warning: the build reported errors; benchmarking the JS it emitted anyway:\n${(res.stdout + res.stderr).split('\n').slice(0, 10).join('\n')}\n`);
  }
}

function versionOf(pkg: string): string {
  return (JSON.parse(readFileSync(`${root}node_modules/${pkg}/package.json`, 'utf8')) as { version: string }).version;
}

/**
 * A grant no peer has is reported as a ratio to Latchkey's own grants in the same run (report.ts BASELINES): asked
 * for alone, it brings its baselines along, said in the output, so that the ratio is there.
 */
function withBaselines(chosen: WorkloadName[]): WorkloadName[] {
  const out = [...chosen];
  for (const w of chosen) {
    for (const b of BASELINES[w] ?? []) {
      if (out.includes(b)) continue;
      out.push(b);
      process.stdout.write(`adding workload ${b}: the baseline of ${w}\n`);
    }
  }
  return out;
}

interface Plan {
  round: number;
  server: ServerName;
  workload: WorkloadName;
}

function plan(servers: ServerName[], chosen: WorkloadName[], rounds: number): Plan[] {
  const out: Plan[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const workload of chosen) {
      // The ceilings (fixed answers) bound every single-request workload; they are measured once a round.
      const here = servers.filter((s) => !isCeiling(s) || workload === (chosen.find((w) => workloads[w].unit === 'req/s') ?? ''));
      const order = round % 2 === 1 ? here : [...here].reverse();
      for (const server of order) out.push({ round, server, workload: isCeiling(server) ? 'client_credentials' : workload });
    }
  }
  return out;
}

async function measure(p: Plan, o: { duration: number; warmup: number; connections: number }, env: Record<string, string> = {}): Promise<RunResult | 'unsupported'> {
  const server = await startServer(p.server, env);
  try {
    const workload = workloads[p.workload];
    if (!workload.supports(server.target)) return 'unsupported';
    const prepared = await workload.prepare(server.target);
    const idleRss = rssMb(server.pid);
    resetPeakRss(server.pid);
    await drive(server.target, prepared, o.connections, o.warmup);
    if (env['BENCH_CPU_PROFILE']) server.child.kill('SIGUSR2');
    const cpu0 = cpuSeconds(server.pid);
    const { stats, seconds } = await drive(server.target, prepared, o.connections, o.duration);
    const cpu1 = cpuSeconds(server.pid);
    return {
      round: p.round,
      server: p.server,
      workload: p.workload,
      unit: workload.unit,
      rate: stats.ok / seconds,
      ok: stats.ok,
      errors: stats.errors,
      errorKinds: Object.fromEntries(stats.errorKinds),
      p50: percentile(stats.latencies, 50),
      p99: percentile(stats.latencies, 99),
      cpu: ((cpu1 - cpu0) / seconds) * 100,
      cpuPerOp: stats.ok > 0 ? ((cpu1 - cpu0) / stats.ok) * 1e6 : Number.NaN,
      peakRssMb: peakRssMb(server.pid),
      idleRssMb: idleRss,
      loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
      seconds,
    };
  } finally {
    await server.stop();
  }
}

function line(r: RunResult): string {
  const errors = r.errors > 0 ? `  errors ${r.errors}: ${Object.keys(r.errorKinds)[0] ?? ''}` : '';
  return `${r.rate.toFixed(0).padStart(7)} ${r.unit}  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  cpu ${r.cpu.toFixed(0)}% (${r.cpuPerOp.toFixed(0)} µs/op)  rss ${r.peakRssMb.toFixed(0)} MB  load ${r.loadAverage.toFixed(1)}${errors}`;
}

async function main(): Promise<void> {
  const started = Date.now();
  const servers = list(opts.servers, ALL_SERVERS, 'server');
  const chosen = withBaselines(list(opts.workloads, WORKLOADS, 'workload'));
  const o = {
    duration: number(opts.duration, 'duration'),
    warmup: number(opts.warmup, 'warmup'),
    rounds: Math.round(number(opts.rounds, 'rounds')),
    connections: Math.round(number(opts.connections, 'connections')),
  };
  const resultsDir = `${root}bench/results`;
  mkdirSync(resultsDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  if (!opts['no-build']) build();

  if (opts.profile !== undefined) {
    const [workload] = list(opts.profile, WORKLOADS, 'workload');
    if (!workload) throw new Error('--profile needs a workload');
    const path = `${resultsDir}/latchkey-${workload}-${stamp}.cpuprofile`;
    const r = await measure({ round: 1, server: 'latchkey', workload }, o, { BENCH_CPU_PROFILE: path });
    if (r === 'unsupported') return;
    process.stdout.write(`latchkey ${workload} (profiled, slower than unprofiled): ${line(r)}\n\n`);
    process.stdout.write(`${summariseProfile(path, 25)}\n\nCPU profile written to ${path}\n(open it in Chrome DevTools > Performance, or https://www.speedscope.app)\n`);
    return;
  }

  const info: BenchInfo = {
    startedAt: new Date(started).toISOString(),
    machine: machine(),
    node: process.version,
    versions: {
      latchkey: (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string }).version,
      'oidc-provider': versionOf('oidc-provider'),
      '@node-oauth/oauth2-server': versionOf('@node-oauth/oauth2-server'),
    },
    pinned: pin,
    options: o,
    notes: {},
  };
  process.stdout.write(`${header(info)}\n`);
  if ((info.machine.loadAverage[0] ?? 0) > 0.5) {
    process.stdout.write(`warning: the machine is busy (load average ${info.machine.loadAverage[0]}); figures will be noisy.\n`);
  }

  const runs: RunResult[] = [];
  const unsupported: { workload: WorkloadName; server: ServerName }[] = [];
  const steps = plan(servers, chosen, o.rounds);
  for (const [i, p] of steps.entries()) {
    const label = `[${i + 1}/${steps.length}] round ${p.round} ${p.server} ${isCeiling(p.server) ? '(ceiling)' : p.workload}`;
    process.stdout.write(`${label.padEnd(58)}`);
    try {
      const r = await measure(p, o);
      if (r === 'unsupported') {
        if (!unsupported.some((u) => u.server === p.server && u.workload === p.workload)) unsupported.push({ server: p.server, workload: p.workload });
        process.stdout.write('n/a\n');
      } else {
        runs.push(r);
        process.stdout.write(`${line(r)}\n`);
      }
    } catch (err) {
      process.stdout.write(`FAILED: ${(err as Error).message}\n`);
    }
  }

  info.notes = serverNotes;
  const summaries = summarise(runs);
  const checks = checkTargets(summaries);
  const out = `${resultsDir}/bench-${stamp}.json`;
  writeFileSync(out, JSON.stringify({ info, runs, summaries, unsupported, targets: checks, minutes: (Date.now() - started) / 60_000 }, null, 2));
  process.stdout.write(`\n${table(summaries, unsupported)}\n\nTargets (issue 5):\n${targetLines(checks)}\n\n`);
  const own = baselineLines(summaries);
  if (own.length > 0) process.stdout.write(`Grants no peer has, against Latchkey's own (same rounds, medians):\n${own.map((l) => `- ${l}`).join('\n')}\n\n`);
  process.stdout.write(`raw results: ${out}\ntook ${((Date.now() - started) / 60_000).toFixed(1)} min\n`);
}
