import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import type { QueryResult, SqliteDatabase, SqliteStatement } from 'kysely';

/** The database kysely's SqliteDialect needs, plus what precompiled.ts needs to run a statement without kysely. */
export interface SqliteHandle extends SqliteDatabase {
  /** True while a transaction is open on the connection (anyone's). */
  readonly inTransaction: boolean;
  /** Runs one statement now, synchronously, as kysely's driver would. */
  execute(sql: string, parameters: readonly unknown[]): QueryResult<unknown>;
  /** Stops the background checkpointer (see `checkpointInBackground`); call before `close`. */
  stopBackground(): Promise<void>;
}

export interface SqliteOptions {
  busyTimeoutMs?: number;
  /** Checkpoint the WAL from a worker thread instead of in the committing statement (default: on for a file). */
  checkpointInBackground?: boolean | CheckpointOptions;
}

/**
 * The few lines kysely's SqliteDialect needs around `node:sqlite` (no native build).
 * Prepared statements are cached by SQL text: kysely compiles the same text for the same query shape.
 */
export function openSqlite(path: string, options: SqliteOptions = {}): SqliteHandle {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL');
  // With WAL, NORMAL keeps the database consistent across a crash; FULL also keeps the last transaction across a power
  // loss. Tokens handed to a client must survive a process kill, which NORMAL already guarantees.
  db.exec('PRAGMA synchronous = NORMAL');
  // Waiting for another process's write lock blocks this thread (node:sqlite is synchronous): keep the wait short.
  // Past it the statement fails with SQLITE_BUSY, which requests answer as 503 (storage/errors.ts).
  db.exec(`PRAGMA busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
  db.exec('PRAGMA foreign_keys = ON');
  const background = options.checkpointInBackground ?? true;
  const checkpointer = path !== ':memory:' && background !== false ? checkpointInBackground(db, path, background === true ? {} : background) : undefined;
  const cache = new Map<string, SqliteStatement>();
  const prepare = (sql: string): SqliteStatement => {
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = adapt(db.prepare(sql));
      if (cache.size > 500) cache.clear();
      cache.set(sql, stmt);
    }
    return stmt;
  };
  return {
    close: () => {
      // Closed without stopBackground (by kysely's destroy, say): the worker is told to stop and goes on its own.
      void checkpointer?.stop();
      db.close();
    },
    stopBackground: () => checkpointer?.stop() ?? Promise.resolve(),
    prepare,
    get inTransaction() {
      return db.isTransaction;
    },
    execute(sql, parameters) {
      // What kysely's SqliteConnection.executeQuery does, without its promises.
      const stmt = prepare(sql);
      if (stmt.reader) return { rows: stmt.all(parameters) };
      const { changes } = stmt.run(parameters);
      return { rows: [], numAffectedRows: BigInt(changes) };
    },
  };
}

function adapt(stmt: StatementSync): SqliteStatement {
  const reader = stmt.columns().length > 0;
  type Param = SQLInputValue;
  const bind = (params: ReadonlyArray<unknown>) => params.map(toSqlite) as Param[];
  return {
    reader,
    all: (params) => stmt.all(...bind(params)),
    run: (params) => stmt.run(...bind(params)),
    iterate: (params) => stmt.iterate(...bind(params)),
  };
}

function toSqlite(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value === undefined) return null;
  return value;
}

/**
 * The checkpointer, run in a worker thread on a connection of its own: every `intervalMs` a PASSIVE checkpoint copies
 * the WAL's committed pages into the database file and syncs it (sqlite.org/wal.html#ckpt), then says how long the
 * WAL is, in pages.
 */
const CHECKPOINTER = `
const { parentPort, workerData } = require('node:worker_threads');
const { DatabaseSync } = require('node:sqlite');
const db = new DatabaseSync(workerData.path);
db.exec('PRAGMA busy_timeout = 1000');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
const timer = setInterval(() => {
  try {
    parentPort.postMessage(checkpoint.get().log);
  } catch {
    // Busy past the timeout: the next tick tries again.
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  process.exit(0);
});
`;

export interface CheckpointOptions {
  /** How often the worker checkpoints (100 ms). */
  intervalMs?: number;
  /** WAL pages past which the connection of the requests finishes a checkpoint itself, so the WAL starts over (4096). */
  restartPages?: number;
}

/**
 * SQLite checkpoints the WAL in whichever commit takes it past 1,000 pages: that commit then copies the pages into the
 * database file and waits for two fsyncs, on the event loop's thread, and every request waiting on the commit waits
 * too (under load, the p99 latency was the checkpoints'). Here a worker thread does that work instead, on its own
 * connection (a PASSIVE checkpoint takes no lock a writer needs, so the two do not block each other), and the
 * connection of the requests never checkpoints on its own (wal_autocheckpoint = 0).
 *
 * A WAL starts over from its beginning only when a write finds it wholly checkpointed, which under steady writes a
 * checkpoint racing them seldom leaves it: so once the worker reports a WAL longer than `restartPages`, the requests'
 * connection runs one checkpoint itself between transactions. The worker has copied nearly all of it by then; what
 * is left is the last moment's pages and the syncs. `journal_size_limit` then trims the file. Commits stay as durable
 * as before: with synchronous = NORMAL a commit is durable against a process crash once it is in the WAL, whoever
 * checkpoints it. Should the worker fail, the connection checkpoints for itself again, as SQLite does by default.
 */
function checkpointInBackground(db: DatabaseSync, path: string, { intervalMs = 100, restartPages = 4096 }: CheckpointOptions): { stop(): Promise<void> } {
  db.exec('PRAGMA wal_autocheckpoint = 0');
  db.exec(`PRAGMA journal_size_limit = ${restartPages * 4096 * 2}`);
  const worker = new Worker(CHECKPOINTER, {
    eval: true,
    workerData: { path, intervalMs },
    // A small heap: the worker only runs one statement.
    resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 8 },
  });
  worker.unref();
  let stopping = false;
  let exited = false;
  const fallBack = () => {
    if (!stopping && db.isOpen) db.exec('PRAGMA wal_autocheckpoint = 1000');
  };
  const gone = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      exited = true;
      fallBack();
      resolve();
    }),
  );
  worker.on('error', fallBack);
  worker.on('message', (walPages: number) => {
    if (walPages <= restartPages || stopping || !db.isOpen || db.isTransaction) return;
    try {
      db.exec('PRAGMA wal_checkpoint(PASSIVE)');
    } catch {
      // Busy: the worker's next report brings us back here.
    }
  });
  return {
    stop() {
      if (stopping) return gone;
      stopping = true;
      if (!exited) {
        worker.ref();
        worker.postMessage('stop');
      }
      return gone;
    },
  };
}
