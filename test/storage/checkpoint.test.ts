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
  // The worker may still be writing its last checkpoint files: retry while the folder is not yet empty (ENOTEMPTY).
  afterEach(() => rmSync(dir, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 }));

  const pragma = (db: SqliteHandle, name: string) => Object.values(db.execute(`pragma ${name}`, []).rows[0] as object)[0];
  const size = (file: string) => {
    try {
      return statSync(file).size;
    } catch {
      return 0;
    }
  };
  /** Steady writes: transactions of 50 rows of 200 random bytes, with a pause for the event loop between them. */
  async function write(db: SqliteHandle, transactions: number, prefix = ''): Promise<void> {
    for (let t = 0; t < transactions; t++) {
      db.execute('begin', []);
      for (let i = 0; i < 50; i++) db.execute('insert into t (k, v) values (?, ?)', [`${prefix}${t}-${i}`, randomBytes(200)]);
      db.execute('commit', []);
      await new Promise((r) => setImmediate(r));
    }
  }

  /**
   * How far the WAL grows past `restartPages` is whatever is written while one checkpoint of the worker is under way
   * (the WAL can start over only after it), and on a busy machine that checkpoint, its copy and its fsyncs, takes as
   * long as the machine makes it: with two CPU hogs beside this test the WAL reached 4 to 23 MB, where a quiet machine
   * stays under 2 MB. A bound in bytes is a bound on the machine's speed. What holds by the work done, whatever the
   * load, is that the WAL keeps starting over (and is trimmed back to `journal_size_limit`) under a steady stream of
   * writes that never lets the worker's checkpoint catch up on its own: it never grows with what is written in all.
   */
  it('leaves checkpoints to the worker: the connection does none, yet the database file fills and the WAL keeps starting over under steady writes', async () => {
    const restartPages = 64;
    const db = openSqlite(path, { checkpointInBackground: { intervalMs: 5, restartPages } });
    const trimmed = 2 * restartPages * 4096; // journal_size_limit (sqlite.ts)
    let transactions = 0;
    let restarts = 0;
    try {
      expect(pragma(db, 'wal_autocheckpoint')).toBe(0);
      db.execute('create table t (k text primary key, v blob)', []);
      // Until the WAL has started over three times after growing past the threshold, or 4,000 transactions (~50 MB).
      let grown = false;
      while (restarts < 3 && transactions < 4000) {
        await write(db, 1, `${transactions++}-`);
        const wal = size(`${path}-wal`);
        if (wal > trimmed) grown = true;
        else if (grown) {
          restarts++;
          grown = false;
        }
      }
      expect(restarts, `the WAL started over ${restarts} times in ${transactions} transactions`).toBe(3);
      expect(size(path)).toBeGreaterThan(restarts * restartPages * 4096);
    } finally {
      await db.stopBackground();
      db.close();
    }
    const again = openSqlite(path, { checkpointInBackground: false });
    try {
      expect(pragma(again, 'wal_autocheckpoint')).toBe(1000);
      expect(again.execute('select count(*) as n from t', []).rows[0]).toEqual({ n: transactions * 50 });
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
