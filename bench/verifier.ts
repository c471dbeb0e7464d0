/**
 * `npm run bench:verifier`: introspection-free verification (issue 12). An API behind `requireToken` verifying RFC 9068
 * JWT access tokens locally, against the same API verifying opaque Latchkey tokens by introspection on every request
 * (and, for reference, with the verifier's default 5-second cache). Target: local JWT verification at least 3x the
 * requests per second of introspection. The JWTs come from a stand-in issuer here (same shape as Latchkey's: typ
 * at+jwt, RS256 by default, a 64-token pool), so the measure is the API's verification alone.
 * The DPoP variant (issue 13, RFC 9449 §7): the same JWTs bound to an ES256 key (cnf.jkt), presented with
 * `Authorization: DPoP` and a fresh proof per request (new jti, iat, htm, htu, ath), which the API verifies, checking
 * the jti against its replay cache; the proofs are signed here in the load generator.
 *
 *   node bin/node24.mjs bench/verifier.ts                        build, 3 rounds of 6 s each
 *   node bin/node24.mjs bench/verifier.ts --no-build --duration 5 --rounds 1 --alg ES256
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { BASIC, BENCH, type ReadyMessage } from './common.ts';
import { drive, percentile } from './load.ts';
import { cpuSeconds } from './proc.ts';
import { dpopProof } from './workloads/client-credentials-dpop.ts';
import { singleRequest } from './workloads/sequence.ts';
import type { HttpRequest } from './workloads/types.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const { values: opts } = parseArgs({
  options: {
    duration: { type: 'string', default: '6' },
    warmup: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    alg: { type: 'string', default: 'RS256' },
    'no-build': { type: 'boolean', default: false },
  },
});
const o = { duration: Number(opts.duration), warmup: Number(opts.warmup), rounds: Number(opts.rounds), connections: Number(opts.connections) };
const MODES = ['jwt', 'jwt-dpop', 'introspection', 'introspection-cached'] as const;
type Mode = (typeof MODES)[number];
const POOL = 64;

interface Child {
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

async function start(script: string, env: Record<string, string>): Promise<Child> {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', fileURLToPath(new URL(script, import.meta.url))], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<ReadyMessage>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start within 60 s\n${stderr}`)), 60_000);
    createInterface({ input: child.stdout ?? process.stdin }).on('line', (line) => {
      if (!line.includes('"ready":true')) return;
      clearTimeout(timer);
      resolve(JSON.parse(line) as ReadyMessage);
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}\n${stderr}`)));
  });
  return {
    port: ready.port,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

if (!opts['no-build']) {
  process.stdout.write('building Latchkey (npm run build) ...\n');
  spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
}

// The authorization server for the introspection modes, and a pool of its opaque tokens.
const latchkey = await start('./servers/latchkey.ts', {});
const asUrl = `http://127.0.0.1:${latchkey.port}`;
const opaque: string[] = [];
for (let i = 0; i < POOL; i++) {
  const res = await fetch(`${asUrl}/oauth2/token`, { method: 'POST', headers: { authorization: BASIC }, body: new URLSearchParams({ grant_type: 'client_credentials', scope: BENCH.clientScope }) });
  opaque.push(((await res.json()) as { access_token: string }).access_token);
}

// The stand-in JWT issuer: a JWKS on node:http (fetched once by the resource) and a pool of at+jwt tokens.
const RESOURCE = 'https://api.bench.example';
const { privateKey, publicKey } = await generateKeyPair(opts.alg, { extractable: true });
const kid = randomUUID();
const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid, alg: opts.alg, use: 'sig' }] });
const jwksServer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(jwks));
await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
const jwksPort = (jwksServer.address() as { port: number }).port;
const jwtIssuer = `http://127.0.0.1:${jwksPort}`;
const dpopKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jkt = await calculateJwkThumbprint(dpopKey.publicKey.export({ format: 'jwk' }) as Parameters<typeof calculateJwkThumbprint>[0]);
const mint = (cnf?: { jkt: string }) =>
  new SignJWT({ client_id: BENCH.clientId, scope: BENCH.clientScope, jti: randomUUID(), ...(cnf ? { cnf } : {}) })
    .setProtectedHeader({ alg: opts.alg, typ: 'at+jwt', kid })
    .setIssuer(jwtIssuer).setSubject(BENCH.clientId).setAudience(RESOURCE).setIssuedAt().setExpirationTime('1h')
    .sign(privateKey);
const jwts: string[] = [];
// RFC 9449 §6.1: a DPoP-bound JWT access token names its key's thumbprint in cnf.jkt.
const boundJwts: { token: string; ath: string }[] = [];
for (let i = 0; i < POOL; i++) {
  jwts.push(await mint());
  const token = await mint({ jkt });
  boundJwts.push({ token, ath: createHash('sha256').update(token).digest('base64url') });
}

/** The requests of a mode: a fixed pool of bearer requests, or a fresh DPoP proof built for each request. */
function requests(mode: Mode, origin: string): () => HttpRequest {
  let i = 0;
  if (mode === 'jwt-dpop') {
    const htu = `${origin}/api/orders`;
    return () => {
      const { token, ath } = boundJwts[i++ % boundJwts.length] as { token: string; ath: string };
      return { method: 'GET', path: '/api/orders', headers: { authorization: `DPoP ${token}`, dpop: dpopProof(dpopKey.privateKey, dpopKey.publicKey, htu, 'GET', ath) } };
    };
  }
  const pool = (mode === 'jwt' ? jwts : opaque).map((t): HttpRequest => ({ method: 'GET', path: '/api/orders', headers: { authorization: `Bearer ${t}` } }));
  return () => pool[i++ % pool.length] as HttpRequest;
}

async function measure(mode: Mode): Promise<{ rate: number; p50: number; p99: number; cpuPerRequestUs: number; errors: number; why: string }> {
  const env: Record<string, string> =
    mode === 'jwt' || mode === 'jwt-dpop' ? { BENCH_RESOURCE_MODE: mode, BENCH_ISSUER: jwtIssuer, BENCH_RESOURCE: RESOURCE, BENCH_JWKS_URI: `${jwtIssuer}/jwks` } : { BENCH_RESOURCE_MODE: mode, BENCH_ISSUER: asUrl };
  const api = await start('./servers/resource.ts', env);
  try {
    const origin = `http://127.0.0.1:${api.port}`;
    const prepared = singleRequest(
      requests(mode, origin),
      (res) => (res.status === 200 ? undefined : `${res.status} ${res.body.slice(0, 120)}`),
    );
    const target = { name: 'latchkey' as const, origin, endpoints: {} };
    await drive(target, prepared, o.connections, o.warmup);
    // The API's own CPU per answered request: steadier than the rate on a loaded machine, and not the load generator's.
    const pid = api.child.pid ?? 0;
    const cpu0 = cpuSeconds(pid);
    const { stats, seconds } = await drive(target, prepared, o.connections, o.duration);
    const cpuPerRequestUs = ((cpuSeconds(pid) - cpu0) / Math.max(stats.ok, 1)) * 1e6;
    return { rate: stats.ok / seconds, p50: percentile(stats.latencies, 50), p99: percentile(stats.latencies, 99), cpuPerRequestUs, errors: stats.errors, why: [...stats.errorKinds.keys()][0] ?? '' };
  } finally {
    await api.stop();
  }
}

process.stdout.write(`verifier benchmark: ${o.rounds} rounds x ${o.duration} s, ${o.connections} connections, JWTs ${opts.alg}, load ${loadavg()[0]?.toFixed(1)}\n`);
const rates: Record<Mode, number[]> = { jwt: [], 'jwt-dpop': [], introspection: [], 'introspection-cached': [] };
const cpu: Record<Mode, number[]> = { jwt: [], 'jwt-dpop': [], introspection: [], 'introspection-cached': [] };
for (let round = 1; round <= o.rounds; round++) {
  for (const mode of round % 2 === 1 ? MODES : [...MODES].reverse()) {
    const r = await measure(mode);
    rates[mode].push(r.rate);
    cpu[mode].push(r.cpuPerRequestUs);
    const errors = r.errors > 0 ? `  errors ${r.errors}: ${r.why}` : '';
    process.stdout.write(`round ${round} ${mode.padEnd(22)} ${r.rate.toFixed(0).padStart(7)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  API cpu ${r.cpuPerRequestUs.toFixed(0)} µs/req${errors}\n`);
  }
}
await latchkey.stop();
jwksServer.close();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const summary = Object.fromEntries(MODES.map((m) => [m, Math.round(median(rates[m]))])) as Record<Mode, number>;
const cpuSummary = Object.fromEntries(MODES.map((m) => [m, Math.round(median(cpu[m]))])) as Record<Mode, number>;
const ratio = summary.jwt / summary.introspection;
const dpopRatios = { vsJwt: summary['jwt-dpop'] / summary.jwt, vsIntrospection: summary['jwt-dpop'] / summary.introspection };
process.stdout.write(
  `\nmedian req/s: ${MODES.map((m) => `${m} ${summary[m]}`).join(', ')}\n` +
    `median API CPU per request: ${MODES.map((m) => `${m} ${cpuSummary[m]} µs`).join(', ')}\n` +
    `local JWT verification / introspection per request: ${ratio.toFixed(1)}x (target >= 3x: ${ratio >= 3 ? 'met' : 'NOT met'})\n` +
    `DPoP-bound JWT with a fresh proof per request: ${dpopRatios.vsJwt.toFixed(2)}x of bearer JWT, ${dpopRatios.vsIntrospection.toFixed(1)}x of introspection\n`,
);
mkdirSync(`${root}bench/results`, { recursive: true });
const out = `${root}bench/results/verifier-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
writeFileSync(out, JSON.stringify({ options: { ...o, alg: opts.alg }, rates, cpu, summary, cpuSummary, ratio, dpopRatios }, null, 2));
process.stdout.write(`raw results: ${out}\n`);
