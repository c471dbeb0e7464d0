import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, pkcePair, WEB_REDIRECT } from '../support/flow-helpers.ts';
import { postgresBinDir, POSTGRES_MISSING, startPostgres, type PostgresServer } from '../support/postgres.ts';
import { TEST_SECRET } from '../support/server.ts';
import { startNode, writeNodeConfig, type LatchkeyNode } from './cluster.ts';

/**
 * The database goes away under load and comes back (issue 4). On its own PostgreSQL server, so that stopping it does
 * not disturb the other tests. While it is down, every request is answered 503 temporarily_unavailable within the
 * configured connection timeout (no hang, no 500, no crash); when it is back, the same process serves again.
 */

const WEB_APP = basicAuth('web-app', TEST_SECRET);
const CONNECTION_TIMEOUT_MS = 1000;
const REQUEST_TIMEOUT_MS = 2500;
/** The longest an answer may take while the database is down: the connection timeout plus slack for a busy machine. */
const ANSWER_BOUND_MS = CONNECTION_TIMEOUT_MS + 1500;

interface Outcome {
  status: number | 'connection-error';
  /** When the request was sent (Date.now()). */
  startedAt: number;
  ms: number;
  body: string;
  retryAfter: string | null;
  contentType: string;
}

async function timed(url: string, init: RequestInit = {}): Promise<Outcome> {
  const started = Date.now();
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(20_000) });
    const body = await res.text();
    return { status: res.status, startedAt: started, ms: Date.now() - started, body, retryAfter: res.headers.get('retry-after'), contentType: res.headers.get('content-type') ?? '' };
  } catch {
    return { status: 'connection-error', startedAt: started, ms: Date.now() - started, body: '', retryAfter: null, contentType: '' };
  }
}

const tokenRequest = (node: LatchkeyNode) =>
  timed(`${node.url}/oauth2/token`, { method: 'POST', headers: { authorization: WEB_APP }, body: new URLSearchParams({ grant_type: 'client_credentials' }) });

const introspection = (node: LatchkeyNode, token: string) =>
  timed(`${node.url}/oauth2/introspect`, { method: 'POST', headers: { authorization: WEB_APP }, body: new URLSearchParams({ token }) });

describe.skipIf(!postgresBinDir())(`the database goes away under load and comes back${postgresBinDir() ? '' : ` (skipped: ${POSTGRES_MISSING})`}`, () => {
  let server: PostgresServer;
  let node: LatchkeyNode;
  let dir: string;

  beforeAll(async () => {
    server = await startPostgres({ maxConnections: 50 });
    dir = mkdtempSync(join(tmpdir(), 'latchkey-outage-'));
    const database = await server.createDatabase('lk_outage');
    const config = writeNodeConfig(dir, database, {
      databasePool: { max: 5, connectionTimeoutMs: CONNECTION_TIMEOUT_MS, statementTimeoutMs: 2000 },
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      // The shared (database) rate-limit store stays on, high enough not to limit: it too must fail with 503.
      rateLimit: { tokenPerMinute: 1_000_000 },
    });
    node = await startNode(config, 'outage');
  }, 120_000);

  /** Four clients asking `node` for tokens, without pause, until stopped. */
  const stopLoads: (() => Promise<unknown>)[] = [];
  function startLoad(): { outcomes: Outcome[]; stop: () => Promise<unknown> } {
    const outcomes: Outcome[] = [];
    let loading = true;
    const load = Promise.all(
      Array.from({ length: 4 }, async () => {
        while (loading) outcomes.push(await tokenRequest(node));
      }),
    );
    const stop = () => {
      loading = false;
      return load;
    };
    stopLoads.push(stop);
    return { outcomes, stop };
  }
  // A failed case must not leave its load running into the next one.
  afterEach(async () => {
    for (const stop of stopLoads.splice(0)) await stop();
  });

  afterAll(async () => {
    await node?.stop('SIGKILL');
    try {
      server?.thaw();
    } catch {
      // not frozen, or already stopped
    }
    await server?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 temporarily_unavailable within the connection timeout while PostgreSQL is down, and recovers without a restart', async () => {
    // Before: tokens issued and active.
    const before = await tokenRequest(node);
    expect(before.status).toBe(200);
    const issuedBefore = (JSON.parse(before.body) as { access_token: string }).access_token;

    // Load: four clients asking for tokens, without pause.
    const { outcomes, stop } = startLoad();
    await new Promise((r) => setTimeout(r, 300));
    expect(outcomes.some((o) => o.status === 200)).toBe(true);

    await server.stop('fast');
    // pg_ctl runs synchronously: requests in flight while it stopped the server waited for this process's event loop,
    // not for Latchkey. The outage's answers are those to requests sent once the database was down.
    const downAt = Date.now();
    await new Promise((r) => setTimeout(r, 2500));
    const duringOutage = outcomes.filter((o) => o.startedAt >= downAt);

    // Probes while it is down: the process is alive, but not ready.
    const health = await timed(`${node.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await timed(`${node.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.ms).toBeLessThan(ANSWER_BOUND_MS);
    expect(JSON.parse(ready.body)).toMatchObject({ status: 'unavailable' });

    // A page (the authorization endpoint) says so with the error page, not a stack trace or a hang.
    const { challenge } = pkcePair();
    const query = new URLSearchParams({ response_type: 'code', client_id: 'web-app', redirect_uri: WEB_REDIRECT, code_challenge: challenge, code_challenge_method: 'S256' });
    const page = await timed(`${node.url}/oauth2/authorize?${query}`);
    expect(page.status).toBe(503);
    expect(page.contentType).toMatch(/^text\/html/);
    expect(page.body).toContain('temporarily_unavailable');

    // Introspection (a resource server's call) fails the same way.
    const introspect = await introspection(node, issuedBefore);
    expect(introspect.status).toBe(503);
    expect(JSON.parse(introspect.body)).toMatchObject({ error: 'temporarily_unavailable' });

    await server.start();
    const restarted = Date.now();
    // Recovery: the same process serves again once PostgreSQL accepts connections.
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (outcomes.slice(-4).every((o) => o.status === 200) && outcomes.length > 0) resolve();
        else if (Date.now() - restarted > 15_000) reject(new Error('no recovery within 15 s of the restart'));
        else setTimeout(check, 50);
      };
      check();
    });
    const recoveredMs = Date.now() - restarted;
    await stop();

    // During the outage: only 503 temporarily_unavailable, each within the bound, with Retry-After.
    expect(duringOutage.length).toBeGreaterThan(4);
    const unexpected = duringOutage.filter((o) => o.status !== 503 && o.status !== 200);
    expect(unexpected).toEqual([]);
    const refused = duringOutage.filter((o) => o.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    for (const o of refused) {
      expect(JSON.parse(o.body)).toMatchObject({ error: 'temporarily_unavailable' });
      expect(o.retryAfter).toBe('5');
    }
    expect(Math.max(...duringOutage.map((o) => o.ms))).toBeLessThan(ANSWER_BOUND_MS);
    // Over the whole run: no 500, no dropped connection, no crash.
    expect(outcomes.filter((o) => o.status !== 200 && o.status !== 503)).toEqual([]);
    expect(recoveredMs).toBeLessThan(15_000);
    expect(await Promise.race([node.exited.then(() => 'exited'), new Promise((r) => setTimeout(() => r('running'), 10))])).toBe('running');

    if (process.env['LATCHKEY_TEST_FIGURES']) {
      const ms = refused.map((o) => o.ms).sort((a, b) => a - b);
      console.info(JSON.stringify({ outage503: refused.length, p50ms: ms[Math.floor(ms.length / 2)], maxMs: ms.at(-1), recoveredMs }));
    }

    // After: the token issued before the outage is still active, and readiness is back.
    const after = await introspection(node, issuedBefore);
    expect(after.status).toBe(200);
    expect(JSON.parse(after.body)).toEqual(expect.objectContaining({ active: true }));
    expect((await timed(`${node.url}/readyz`)).status).toBe(200);
  });

  it('answers within requestTimeoutMs with 503 while PostgreSQL hangs (accepts connections, answers nothing), and recovers when it resumes', async () => {
    const { outcomes, stop } = startLoad();
    await new Promise((r) => setTimeout(r, 300));
    server.freeze();
    const frozenAt = outcomes.length;
    await new Promise((r) => setTimeout(r, REQUEST_TIMEOUT_MS + 2000));
    const readyWhileFrozen = await timed(`${node.url}/readyz`);
    server.thaw();
    const thawed = Date.now();
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (outcomes.length > frozenAt + 4 && outcomes.slice(-4).every((o) => o.status === 200)) resolve();
        else if (Date.now() - thawed > 15_000) reject(new Error('no recovery within 15 s of resuming'));
        else setTimeout(check, 50);
      };
      check();
    });
    await stop();

    const duringHang = outcomes.slice(frozenAt);
    expect(duringHang.filter((o) => o.status === 503).length).toBeGreaterThan(0);
    for (const o of duringHang.filter((x) => x.status === 503)) expect(JSON.parse(o.body)).toMatchObject({ error: 'temporarily_unavailable' });
    // Nothing hung: every answer came within the request timeout (plus slack), and only 200 or 503 came.
    expect(outcomes.filter((o) => o.status !== 200 && o.status !== 503)).toEqual([]);
    expect(Math.max(...outcomes.map((o) => o.ms))).toBeLessThan(REQUEST_TIMEOUT_MS + 1500);
    expect(readyWhileFrozen.status).toBe(503);
    expect(readyWhileFrozen.ms).toBeLessThan(REQUEST_TIMEOUT_MS + 1500);
    if (process.env['LATCHKEY_TEST_FIGURES']) {
      const ms = duringHang.filter((o) => o.status === 503).map((o) => o.ms).sort((a, b) => a - b);
      console.info(JSON.stringify({ hang503: ms.length, p50ms: ms[Math.floor(ms.length / 2)], maxMs: ms.at(-1), recoveredMs: Date.now() - thawed }));
    }
  });
});
