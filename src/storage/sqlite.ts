import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import type { QueryResult, SqliteDatabase, SqliteStatement } from 'kysely';

/** The database kysely's SqliteDialect needs, plus what precompiled.ts needs to run a statement without kysely. */
export interface SqliteHandle extends SqliteDatabase {
  /** True while a transaction is open on the connection (anyone's). */
  readonly inTransaction: boolean;
  /** Runs one statement now, synchronously, as kysely's driver would. */
  execute(sql: string, parameters: readonly unknown[]): QueryResult<unknown>;
}

/**
 * The few lines kysely's SqliteDialect needs around `node:sqlite` (no native build).
 * Prepared statements are cached by SQL text: kysely compiles the same text for the same query shape.
 */
export function openSqlite(path: string, options: { busyTimeoutMs?: number } = {}): SqliteHandle {
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
    close: () => db.close(),
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
