import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresUrl, skipNote } from '../support/pg-url.ts';
import { startLogoutReceiver, validateLogoutToken, type LogoutReceiver } from '../support/logout-receiver.ts';
import { TEST_SECRET, testConfig } from '../support/server.ts';
import { latchkeyCommand, startNode, writeNodeConfig, type LatchkeyNode } from './cluster.ts';

/**
 * Back-Channel Logout 1.0 on two Latchkey processes sharing PostgreSQL: logouts queued by neither node (the CLI ends
 * the sessions) are found by both nodes' polls, and each is delivered exactly once per client across the nodes.
 * Bounded by work: the test waits until every outbox row is finished, then counts what the receiver got.
 */

const ISSUER = 'http://127.0.0.1:1';
const SESSIONS = 15;
const CLIENTS = ['web-app', 'rp-two'] as const;

let dir: string;
let database: string;
let receiver: LogoutReceiver;
let nodes: LatchkeyNode[] = [];

describe.skipIf(!postgresUrl())(`back-channel logout on two nodes sharing PostgreSQL${skipNote()}`, () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'latchkey-bcl-multinode-'));
    database = await createTestDatabase('lk_bcl');
    receiver = await startLogoutReceiver();
    const base = testConfig();
    const config = writeNodeConfig(dir, database, {
      clients: [
        ...(base.clients ?? []).map((c) => (c.id === 'web-app' ? { ...c, backchannelLogoutUri: `${receiver.url}/web-app` } : c)),
        { id: 'rp-two', name: 'RP two', secret: TEST_SECRET, redirectUris: ['http://127.0.0.1/cb'], backchannelLogoutUri: `${receiver.url}/rp-two` },
      ],
      // Both nodes look for rows every second: neither ended the sessions, so neither is woken.
      backchannelLogout: { pollIntervalSeconds: 1 },
    });
    nodes = await Promise.all(['A', 'B'].map((name) => startNode(config, name, { issuer: ISSUER })));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop('SIGTERM')));
    await receiver?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('delivers each logout once per client, whichever node claims it (Back-Channel Logout 1.0 §2.7)', async () => {
    const db = new pg.Client({ connectionString: database });
    await db.connect();
    try {
      const { rows: users } = await db.query<{ id: string }>(`select id from users where username = 'alice'`);
      const userId = users[0]?.id ?? '';
      const now = Math.floor(Date.now() / 1000);
      // Sessions with grants for both clients, as sign-ins through either node leave them.
      for (let i = 0; i < SESSIONS; i++) {
        await db.query('insert into sessions (hash, user_id, auth_time, expires_at, sid) values ($1, $2, $3, $4, $5)', [`h-${i}`, userId, now, now + 3600, `sid-${i}`]);
        for (const clientId of CLIENTS) {
          await db.query('insert into grants (id, client_id, user_id, scope, created_at, sid) values ($1, $2, $3, $4, $5, $6)', [`g-${i}-${clientId}`, clientId, userId, '["openid"]', now, `sid-${i}`]);
        }
      }
      // A new password ends every session of the user: the CLI queues the logouts in that transaction.
      const run = await latchkeyCommand(['users', 'set-password', 'alice', '--password', 'another password 123', '-d', database]);
      expect(run.code, run.stderr).toBe(0);
      const expected = SESSIONS * CLIENTS.length;
      const deadline = Date.now() + 90_000;
      for (;;) {
        const { rows } = await db.query<{ n: string }>('select count(*) as n from backchannel_logouts where finished_at_ms is not null');
        if (Number(rows[0]?.n) >= expected) break;
        if (Date.now() > deadline) throw new Error(`only ${rows[0]?.n} of ${expected} logouts finished`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const { rows: outcomes } = await db.query<{ outcome: string; n: string }>('select outcome, count(*) as n from backchannel_logouts group by outcome');
      expect(outcomes.map((o) => [o.outcome, Number(o.n)])).toEqual([['delivered', expected]]);
      // Exactly once: one request per (session, client), none twice.
      const pairs = receiver.received.map((r) => {
        const claims = decodeJwt(r.token);
        return `${String(claims['sid'])}/${String(claims.aud)}/${r.path}`;
      });
      expect(pairs.length).toBe(expected);
      expect(new Set(pairs).size).toBe(expected);
      const first = receiver.received[0];
      const aud = first?.path.slice(1) ?? '';
      await validateLogoutToken(first?.token ?? '', ISSUER, aud, nodes[0]?.url);
    } finally {
      await db.end();
    }
  });
});
