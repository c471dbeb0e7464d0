import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { basicAuth } from '../support/flow-helpers.ts';
import { createTestDatabase, postgresUrl } from '../support/pg-url.ts';
import { TEST_SECRET } from '../support/server.ts';
import { inParallel, startNode, writeNodeConfig, type LatchkeyNode } from './cluster.ts';

/**
 * A node dies or is stopped under load (issue 4). SIGKILL: every token a client received before the kill is still
 * active afterwards, on a restarted node (SQLite) or on another node (PostgreSQL): nothing is answered before it is
 * committed. SIGTERM: the node finishes what it received, answers nothing but 200 or 503, closes its pool and exits 0.
 */

const WEB_APP = basicAuth('web-app', TEST_SECRET);
const WORKERS = 6;

interface Load {
  tokens: string[];
  statuses: number[];
  connectionErrors: number;
  /** Resolves when every worker has stopped (after its first connection error, or `stop()`). */
  done: Promise<void>;
  stop(): void;
}

/** WORKERS loops of client_credentials requests against `node` until the node goes away. */
function loadOn(node: LatchkeyNode): Load {
  const load: Omit<Load, 'done'> & { stopped: boolean } = {
    tokens: [],
    statuses: [],
    connectionErrors: 0,
    stopped: false,
    stop() {
      load.stopped = true;
    },
  };
  const worker = async () => {
    while (!load.stopped) {
      let res: Response;
      try {
        res = await fetch(`${node.url}/oauth2/token`, {
          method: 'POST',
          headers: { authorization: WEB_APP },
          body: new URLSearchParams({ grant_type: 'client_credentials' }),
          signal: AbortSignal.timeout(15_000),
        });
      } catch {
        load.connectionErrors++;
        return;
      }
      load.statuses.push(res.status);
      if (res.status === 200) load.tokens.push(((await res.json()) as { access_token: string }).access_token);
      else await res.text();
    }
  };
  return Object.assign(load, { done: Promise.all(Array.from({ length: WORKERS }, worker)).then(() => undefined) });
}

/** Waits until `condition` holds or every worker of `load` has stopped: bounded by the work done, not by a clock. */
async function until(load: Load, condition: () => boolean): Promise<void> {
  let stopped = false;
  void load.done.then(() => (stopped = true));
  while (!condition() && !stopped) await new Promise((r) => setTimeout(r, 10));
}

/**
 * Each test starts two or three node processes and waits for hundreds of answers; on a loaded machine (CI is shared)
 * that takes as long as the machine makes it, so the tests have a bound far above what they need on a quiet one.
 */
const WIDE = 300_000;

async function activeCount(node: LatchkeyNode, tokens: readonly string[]): Promise<number> {
  const active = await inParallel(tokens, 8, async (token) => {
    const res = await fetch(`${node.url}/oauth2/introspect`, { method: 'POST', headers: { authorization: WEB_APP }, body: new URLSearchParams({ token }) });
    expect(res.status).toBe(200);
    return ((await res.json()) as { active: boolean }).active;
  });
  return active.filter(Boolean).length;
}

interface Deployment {
  name: string;
  available: boolean;
  /** The database URL or file for a fresh deployment. */
  database(dir: string): Promise<string>;
  /** Where tokens are checked after the kill: a second node (PostgreSQL), or the same node restarted (SQLite). */
  survivor: 'other-node' | 'restart';
}

const deployments: Deployment[] = [
  { name: 'SQLite (the node restarted on the same file)', available: true, database: async (dir) => join(dir, 'latchkey.db'), survivor: 'restart' },
  {
    name: 'PostgreSQL (another node)',
    available: postgresUrl() !== undefined,
    database: () => createTestDatabase('lk_crash'),
    survivor: 'other-node',
  },
];

const dirs: string[] = [];
let running: LatchkeyNode[] = [];

afterEach(async () => {
  await Promise.all(running.map((n) => n.stop('SIGKILL')));
  running = [];
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.each(deployments.filter((d) => d.available))('a node stopped under load, on $name', (deployment) => {
  async function deploy(): Promise<{ config: string; port: number }> {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-crash-'));
    dirs.push(dir);
    const database = await deployment.database(dir);
    // No rate limit: the load is one address.
    return { config: writeNodeConfig(dir, database, { rateLimit: { tokenPerMinute: 0 } }), port: 0 };
  }

  it('SIGKILL: every token a client received before the kill introspects active afterwards', async () => {
    const { config } = await deploy();
    const victim = await startNode(config, 'victim');
    running.push(victim);
    const load = loadOn(victim);
    await until(load, () => load.tokens.length >= 200);
    const killedAt = load.tokens.length;
    expect(killedAt).toBeGreaterThan(0);
    expect((await victim.stop('SIGKILL')).signal).toBe('SIGKILL');
    await load.done;
    // Every worker was mid-request when the node died.
    expect(load.connectionErrors).toBe(WORKERS);
    expect(load.statuses.every((s) => s === 200)).toBe(true);

    const survivor = await startNode(config, deployment.survivor === 'restart' ? 'victim-restarted' : 'survivor');
    running.push(survivor);
    expect(await activeCount(survivor, load.tokens)).toBe(load.tokens.length);
  }, WIDE);

  it('SIGTERM: in-flight requests finish with 200 (later ones get 503), the pool closes, the process exits 0, and every token is active', async () => {
    const { config } = await deploy();
    const node = await startNode(config, 'draining');
    running.push(node);
    const load = loadOn(node);
    await until(load, () => load.tokens.length >= 50);
    const exit = await node.stop('SIGTERM');
    load.stop();
    await load.done;
    expect(exit, node.output().slice(-3000)).toEqual({ code: 0, signal: null });
    // Nothing but answers and refusals: no 500, no half-written response.
    expect(load.statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);

    const after = await startNode(config, 'after');
    running.push(after);
    expect(await activeCount(after, load.tokens)).toBe(load.tokens.length);
  }, WIDE);
});
