import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqlite, type SqliteHandle } from '../../src/storage/sqlite.ts';

/**
 * The WAL checkpointed by a worker thread (src/storage/sqlite.ts): the requests' connection never checkpoints on its
 * own, the database file still receives the pages, the WAL stays bounded under steady writes, and nothing is lost.
 */
describe('checkpoints in a worker thread', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'latchkey-ckpt-'));
    path = join(dir, 'db.sqlite');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const pragma = (db: SqliteHandle, name: string) => Object.values(db.execute(`pragma ${name}`, []).rows[0] as object)[0];
  const size = (file: string) => {
    try {
      return statSync(file).size;
    } catch {
      return 0;
    }
  };
  /** Steady writes: transactions of 50 rows of 200 random bytes, with a pause for the event loop between them. */
  async function write(db: SqliteHandle, transactions: number, onCommit: () => void = () => undefined): Promise<void> {
    for (let t = 0; t < transactions; t++) {
      db.execute('begin', []);
      for (let i = 0; i < 50; i++) db.execute('insert into t (k, v) values (?, ?)', [`${t}-${i}`, randomBytes(200)]);
      db.execute('commit', []);
      onCommit();
      await new Promise((r) => setImmediate(r));
    }
  }

  it('leaves checkpoints to the worker: the connection does none, yet the database file fills and the WAL stays bounded', async () => {
    const db = openSqlite(path, { checkpointInBackground: { intervalMs: 5, restartPages: 64 } });
    try {
      expect(pragma(db, 'wal_autocheckpoint')).toBe(0);
      db.execute('create table t (k text primary key, v blob)', []);
      await new Promise((r) => setTimeout(r, 300)); // the worker thread starting
      let largestWal = 0;
      // About 2,000 rows of 250 bytes per 40 transactions: ~12 MB of rows through the WAL in all.
      await write(db, 1000, () => (largestWal = Math.max(largestWal, size(`${path}-wal`))));
      await new Promise((r) => setTimeout(r, 100));
      expect(size(path)).toBeGreaterThan(8 * 1024 * 1024);
      // 64 pages is 256 KiB; the WAL starts over soon after it passes that (a worker report away).
      expect(largestWal).toBeLessThan(4 * 1024 * 1024);
    } finally {
      await db.stopBackground();
      db.close();
    }
    const again = openSqlite(path, { checkpointInBackground: false });
    try {
      expect(pragma(again, 'wal_autocheckpoint')).toBe(1000);
      expect(again.execute('select count(*) as n from t', []).rows[0]).toEqual({ n: 50_000 });
    } finally {
      again.close();
    }
  });

  it('keeps every committed row when closed by kysely-style close() alone, worker still running', async () => {
    const db = openSqlite(path);
    db.execute('create table t (k text primary key, v blob)', []);
    await write(db, 20);
    db.close();
    // The worker, told to stop by close(), closes the last connection: SQLite then removes the WAL.
    await expect.poll(() => size(`${path}-wal`), { timeout: 5000, interval: 20 }).toBe(0);
    const again = openSqlite(path, { checkpointInBackground: false });
    try {
      expect(again.execute('select count(*) as n from t', []).rows[0]).toEqual({ n: 1000 });
    } finally {
      again.close();
    }
  });
});
