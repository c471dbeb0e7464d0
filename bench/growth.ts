/**
 * The growth benchmark (issue 4): does Latchkey slow down or grow in memory as its tables fill up?
 *
 *   npm run bench:growth                                # SQLite and PostgreSQL, 1 million tokens, 1-minute soak
 *   npm run bench:growth -- --database postgres --soak-minutes 10 --tokens 1000000 --rounds 5
 *
 * For each database kind, two databases: one empty, one holding `--tokens` live tokens (and one grant per token, as
 * client_credentials creates), stored straight into the tables. A node runs on each (`latchkey start`, a child
 * process as in production: logLevel warn, the token rate limit and the janitor off so that neither changes what is
 * measured). Token issuance (client_credentials) and introspection throughput are measured on both, interleaved:
 * `--rounds` rounds of `--seconds` per workload and node, the order alternating, so that a neighbour's burst on a
 * shared machine hits both alike; the ratio is full / empty of the medians (1.00 = as fast as empty). Then a soak:
 * a mixed load on the full node for `--soak-minutes` while its resident memory is sampled every 5 s. Prints the
 * figures and writes them as JSON to bench/results/.
 *
 * PostgreSQL is a throwaway cluster (Debian's binaries, as the tests use: test/support/postgres.ts, fsync off).
 * The load generator is a few keep-alive connections of node:http in this process; on a 2-core machine it shares
 * the CPU with the server, alike for both nodes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openStorage } from '../src/storage/index.ts';
import { sql } from 'kysely';
import { postgresBinDir, POSTGRES_MISSING, startPostgres, type PostgresServer } from '../test/support/postgres.ts';
import { freePort } from '../test/multinode/cluster.ts';

const { values: args } = parseArgs({
  options: {
    database: { type: 'string', default: 'both' },
    tokens: { type: 'string', default: '1000000' },
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    'soak-minutes': { type: 'string', default: '1' },
    connections: { type: 'string', default: '16' },
  },
});
const TOKENS = Number(args.tokens);
const SECONDS = Number(args.seconds);
const ROUNDS = Number(args.rounds);
const SOAK_MINUTES = Number(args['soak-minutes']);
const CONNECTIONS = Number(args.connections);
const ROOT = join(import.meta.dirname, '..');
const SECRET = 'bench-secret-0123456789abcdef';
const AUTH = `Basic ${Buffer.from(`bench:${SECRET}`).toString('base64')}`;

// ---- the node under test -------------------------------------------------------------------------------------------

interface Node {
  url: URL;
  pid: number;
  stop(): Promise<void>;
}

async function startNode(database: string, dir: string, name: string): Promise<Node> {
  const port = await freePort();
  const file = join(dir, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      database,
      host: '127.0.0.1',
      port,
      logLevel: 'warn',
      demo: false,
      rateLimit: { tokenPerMinute: 0, clientAuthFailuresPerMinute: 0 },
      janitor: { enabled: false },
      databasePool: { max: 10 },
      clients: [{ id: 'bench', name: 'Bench', secret: SECRET, grantTypes: ['client_credentials'] }],
    }),
  );
  const child: ChildProcess = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', join(ROOT, 'src/cli/index.ts'), 'start', '-c', file], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LATCHKEY_'))),
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const url = new URL(`http://127.0.0.1:${port}`);
  for (const deadline = Date.now() + 60_000; ; ) {
    if (child.exitCode !== null) throw new Error('the node exited before it was ready');
    if (Date.now() > deadline) throw new Error('the node was not ready within 60 s');
    const ready = await fetch(new URL('/readyz', url)).then((r) => r.status === 200, () => false);
    if (ready) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    pid: child.pid ?? -1,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

function rssMb(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

// ---- load ----------------------------------------------------------------------------------------------------------

interface Call {
  path: string;
  body: string;
}

/** `CONNECTIONS` keep-alive loops for `seconds`; returns successful requests per second (and counts failures). */
async function load(node: Node, seconds: number, next: () => Call, onBody?: (body: string) => void): Promise<{ rps: number; failures: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const until = Date.now() + seconds * 1000;
  let ok = 0;
  let failures = 0;
  const one = (call: Call) =>
    new Promise<void>((resolve) => {
      const req = request(
        { agent, host: node.url.hostname, port: node.url.port, method: 'POST', path: call.path, headers: { authorization: AUTH, 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(call.body) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            if (res.statusCode === 200) {
              ok++;
              onBody?.(Buffer.concat(chunks).toString());
            } else failures++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        failures++;
        resolve();
      });
      req.end(call.body);
    });
  const started = Date.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (Date.now() < until) await one(next());
    }),
  );
  agent.destroy();
  return { rps: ok / ((Date.now() - started) / 1000), failures };
}

const issue: Call = { path: '/oauth2/token', body: 'grant_type=client_credentials' };

/** Warm-up, which also yields tokens to introspect (stored among all the others in the table). */
async function warmUp(node: Node): Promise<string[]> {
  const tokens: string[] = [];
  await load(node, 3, () => issue, (body) => {
    if (tokens.length < 2000) tokens.push((JSON.parse(body) as { access_token: string }).access_token);
  });
  return tokens;
}

const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

interface Throughput {
  issue: number;
  introspect: number;
}

/** Interleaved rounds on the empty and the full node; medians of each. */
async function compare(empty: Node, full: Node): Promise<{ empty: Throughput; full: Throughput; rounds: { empty: Throughput; full: Throughput }[]; failures: number }> {
  const tokens = new Map<Node, string[]>([
    [empty, await warmUp(empty)],
    [full, await warmUp(full)],
  ]);
  let failures = 0;
  const rounds: { empty: Throughput; full: Throughput }[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? [empty, full] : [full, empty];
    const round = new Map<Node, Throughput>();
    for (const node of order) round.set(node, { issue: 0, introspect: 0 });
    for (const node of order) {
      const result = await load(node, SECONDS, () => issue);
      (round.get(node) as Throughput).issue = result.rps;
      failures += result.failures;
    }
    for (const node of order) {
      const list = tokens.get(node) ?? [];
      let i = 0;
      const result = await load(node, SECONDS, () => ({ path: '/oauth2/introspect', body: `token=${list[i++ % list.length] ?? ''}` }));
      (round.get(node) as Throughput).introspect = result.rps;
      failures += result.failures;
    }
    const e = round.get(empty) as Throughput;
    const f = round.get(full) as Throughput;
    rounds.push({ empty: e, full: f });
    console.log(
      `  round ${r + 1}: issue ${e.issue.toFixed(0).padStart(5)}/s empty, ${f.issue.toFixed(0).padStart(5)}/s full;` +
        ` introspect ${e.introspect.toFixed(0).padStart(5)}/s empty, ${f.introspect.toFixed(0).padStart(5)}/s full`,
    );
  }
  const med = (pick: (r: { empty: Throughput; full: Throughput }) => number) => median(rounds.map(pick));
  return {
    empty: { issue: med((r) => r.empty.issue), introspect: med((r) => r.empty.introspect) },
    full: { issue: med((r) => r.full.issue), introspect: med((r) => r.full.introspect) },
    rounds,
    failures,
  };
}

// ---- seeding -------------------------------------------------------------------------------------------------------

/** Stores `n` live access tokens and their grants directly (set-based SQL: seconds, not hours of HTTP). */
async function seed(database: string, n: number): Promise<number> {
  const started = Date.now();
  // Set-based inserts of a million rows take longer than a request's statement timeout.
  const storage = openStorage(database, { pool: { max: 1, connectionTimeoutMs: 10_000, statementTimeoutMs: 0, idleTimeoutMs: 10_000 } });
  const now = Math.floor(Date.now() / 1000);
  const expires = now + 30 * 86_400;
  if (storage.dialect === 'postgres') {
    await sql`insert into grants (id, client_id, user_id, scope, created_at, revoked_at)
      select 'seed-' || i, 'bench', null, '[]', ${now}, null from generate_series(1, ${n}::int) as i`.execute(storage.db);
    await sql`insert into tokens (hash, type, grant_id, client_id, user_id, scope, issued_at, expires_at, revoked_at, consumed_at)
      select md5(i::text) || md5((-i)::text), 'access_token', 'seed-' || i, 'bench', null, '[]', ${now}, ${expires}, null, null
      from generate_series(1, ${n}::int) as i`.execute(storage.db);
    await sql`analyze`.execute(storage.db);
  } else {
    await sql`with recursive seq(i) as (select 1 union all select i + 1 from seq where i < ${n})
      insert into grants (id, client_id, user_id, scope, created_at, revoked_at) select 'seed-' || i, 'bench', null, '[]', ${now}, null from seq`.execute(storage.db);
    await sql`with recursive seq(i) as (select 1 union all select i + 1 from seq where i < ${n})
      insert into tokens (hash, type, grant_id, client_id, user_id, scope, issued_at, expires_at, revoked_at, consumed_at)
      select lower(hex(randomblob(32))), 'access_token', 'seed-' || i, 'bench', null, '[]', ${now}, ${expires}, null, null from seq`.execute(storage.db);
    await sql`analyze`.execute(storage.db);
  }
  await storage.close();
  return (Date.now() - started) / 1000;
}

// ---- the run -------------------------------------------------------------------------------------------------------

interface Result {
  database: string;
  tokens: number;
  seedSeconds: number;
  empty: Throughput;
  full: Throughput;
  ratio: Throughput;
  rounds: { empty: Throughput; full: Throughput }[];
  failures: number;
  soak: { minutes: number; rssStartMb: number; rssEndMb: number; rssMaxMb: number; slopeMbPerMinute: number; samples: number[] };
}

async function soak(node: Node, minutes: number): Promise<Result['soak']> {
  const samples: number[] = [];
  const tokens: string[] = [];
  let i = 0;
  const sampler = setInterval(() => samples.push(Math.round(rssMb(node.pid) * 10) / 10), 5000);
  samples.push(Math.round(rssMb(node.pid) * 10) / 10);
  // Half issuance, half introspection of recent tokens.
  await load(
    node,
    minutes * 60,
    () => (i++ % 2 === 0 || tokens.length === 0 ? issue : { path: '/oauth2/introspect', body: `token=${tokens[i % tokens.length] ?? ''}` }),
    (body) => {
      const t = (JSON.parse(body) as { access_token?: string }).access_token;
      if (t) tokens[i % 1000] = t;
    },
  );
  clearInterval(sampler);
  samples.push(Math.round(rssMb(node.pid) * 10) / 10);
  // Least-squares slope over the second half (after the heap has reached its working size).
  const tail = samples.slice(Math.floor(samples.length / 2));
  const xs = tail.map((_, k) => (k * 5) / 60);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = tail.reduce((a, b) => a + b, 0) / tail.length;
  const slope = xs.reduce((a, x, k) => a + (x - mx) * ((tail[k] ?? 0) - my), 0) / (xs.reduce((a, x) => a + (x - mx) ** 2, 0) || 1);
  return { minutes, rssStartMb: samples[0] ?? 0, rssEndMb: samples.at(-1) ?? 0, rssMaxMb: Math.max(...samples), slopeMbPerMinute: Math.round(slope * 100) / 100, samples };
}

async function run(kind: 'sqlite' | 'postgres'): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-growth-'));
  let pgServer: PostgresServer | undefined;
  const nodes: Node[] = [];
  try {
    let emptyDb = join(dir, 'empty.db');
    let fullDb = join(dir, 'full.db');
    if (kind === 'postgres') {
      pgServer = await startPostgres();
      emptyDb = await pgServer.createDatabase('lk_empty');
      fullDb = await pgServer.createDatabase('lk_full');
    }
    console.log(`\n${kind}:`);
    // Migrate the full database (a first start), then fill it while no node runs.
    await (await startNode(fullDb, dir, 'full-setup')).stop();
    const seedSeconds = await seed(fullDb, TOKENS);
    console.log(`  stored ${TOKENS} tokens and grants in ${seedSeconds.toFixed(1)} s`);
    const empty = await startNode(emptyDb, dir, 'empty');
    nodes.push(empty);
    const full = await startNode(fullDb, dir, 'full');
    nodes.push(full);
    const c = await compare(empty, full);
    const ratio = { issue: c.full.issue / c.empty.issue, introspect: c.full.introspect / c.empty.introspect };
    console.log(`  medians: issue ${c.empty.issue.toFixed(0)}/s empty, ${c.full.issue.toFixed(0)}/s full; introspect ${c.empty.introspect.toFixed(0)}/s empty, ${c.full.introspect.toFixed(0)}/s full${c.failures ? ` (${c.failures} failed)` : ''}`);
    console.log(`  ratio (full / empty): issue ${ratio.issue.toFixed(2)}, introspect ${ratio.introspect.toFixed(2)}`);
    await empty.stop();
    console.log(`  soak: ${SOAK_MINUTES} min of mixed load on the full database, resident memory sampled every 5 s ...`);
    const memory = await soak(full, SOAK_MINUTES);
    console.log(`  memory: start ${memory.rssStartMb} MB, end ${memory.rssEndMb} MB, max ${memory.rssMaxMb} MB, slope over the second half ${memory.slopeMbPerMinute} MB/min`);
    return { database: kind, tokens: TOKENS, seedSeconds, empty: c.empty, full: c.full, ratio, rounds: c.rounds, failures: c.failures, soak: memory };
  } finally {
    for (const n of nodes) await n.stop();
    await pgServer?.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

const kinds: ('sqlite' | 'postgres')[] = args.database === 'both' ? ['sqlite', 'postgres'] : [args.database as 'sqlite' | 'postgres'];
if (kinds.includes('postgres') && !postgresBinDir()) {
  console.error(POSTGRES_MISSING.replace('tests are skipped', 'benchmark cannot run'));
  process.exit(1);
}
console.log(`growth benchmark: ${TOKENS} tokens, ${ROUNDS} rounds of ${SECONDS} s per workload, ${CONNECTIONS} connections, ${SOAK_MINUTES} min soak`);
const results: Result[] = [];
for (const kind of kinds) results.push(await run(kind));
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
const out = join(ROOT, 'bench', 'results', `growth-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(out, JSON.stringify({ tokens: TOKENS, seconds: SECONDS, rounds: ROUNDS, connections: CONNECTIONS, results }, null, 2));
console.log(`\nwritten to ${out}`);
