import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { ConfigInput } from '../../src/config/schema.ts';
import { testConfig } from '../support/server.ts';

/**
 * Latchkey nodes as real processes (`latchkey start` from the sources, as an operator runs it), for the multi-node,
 * crash and outage tests: a node can be SIGKILLed, SIGTERMed and restarted, and shares nothing with the others but
 * the database.
 */

export const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'src', 'cli', 'index.ts');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** The test baseline (client web-app, user alice ...) on `database`, written as a config file; returns its path. */
export function writeNodeConfig(dir: string, database: string, overrides: Partial<ConfigInput> = {}): string {
  const file = join(dir, `latchkey-${Math.random().toString(36).slice(2)}.json`);
  // Nodes on one PostgreSQL must share the key-encryption key of the signing keys (README, Signing keys).
  const config = { ...testConfig({ logLevel: 'warn', keys: { keyEncryptionKey: '07'.repeat(32) }, ...overrides }), database, host: '127.0.0.1' };
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/** The environment without the developer's LATCHKEY_* settings. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('LATCHKEY_')) env[k] = v;
  return env;
}

export interface NodeExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface LatchkeyNode {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly exited: Promise<NodeExit>;
  /** Everything the process printed (stdout and stderr). */
  output(): string;
  /** Sends a signal and waits for the process to end. */
  stop(signal?: NodeJS.Signals): Promise<NodeExit>;
}

/**
 * Starts `latchkey start -c <config> -p <port>` and waits until GET /readyz answers 200. The node process is Node
 * itself (not the bin wrapper), so a signal reaches the server directly.
 */
export async function startNode(configFile: string, name: string, options: { port?: number; issuer?: string } = {}): Promise<LatchkeyNode> {
  const port = options.port ?? (await freePort());
  const args = ['--disable-warning=ExperimentalWarning', CLI, 'start', '-c', configFile, '-p', String(port)];
  if (options.issuer) args.push('--issuer', options.issuer);
  const child: ChildProcess = spawn(process.execPath, args, { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<NodeExit>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const url = `http://127.0.0.1:${port}`;
  let gone: NodeExit | undefined;
  void exited.then((e) => (gone = e));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (gone) throw new Error(`node ${name} exited (${gone.code ?? gone.signal}) before it was ready:\n${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`node ${name} was not ready within 60 s:\n${out}`);
    }
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    name,
    url,
    port,
    pid: child.pid ?? -1,
    exited,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (!gone) child.kill(signal);
      return exited;
    },
  };
}

/** Runs the `latchkey` command (management commands) and resolves with its exit code and output. */
export function latchkeyCommand(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--disable-warning=ExperimentalWarning', CLI, ...args], { cwd: ROOT, env: cleanEnv(), timeout: 100_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
    });
  });
}

/** Runs `fn` with at most `concurrency` calls in flight. */
export async function inParallel<T, R>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i] as T);
      }
    }),
  );
  return results;
}
