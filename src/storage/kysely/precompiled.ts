import { CompiledQuery, sql, type Compilable, type Kysely, type QueryResult } from 'kysely';
import type { LatchkeyDatabase } from '../schema.ts';

/**
 * Queries on the hot paths (client lookup, token lookup and issue, code and refresh-token consumption), built and
 * compiled to SQL once per dialect instead of on every call: building and compiling a kysely query costs more than
 * running it on SQLite. The query is built with placeholders (`arg(0)`, `arg(1)` ...) where its arguments go; the
 * compiled parameters keep their order, so each call only substitutes its arguments. Only fixed-shape queries qualify
 * (no `in` lists of varying length). Dialect-neutral: the SQL comes from the database's own compiler.
 *
 * On SQLite (synchronous, one connection) a statement can also run straight on the connection, skipping kysely's
 * connection hand-over, when that is safe: see `runDirectly`.
 */

class Slot {
  readonly index: number;
  constructor(index: number) {
    this.index = index;
  }
}

/** The placeholder for argument `i`, typed as the value it stands for. */
export type Arg = <T>(i: number) => T;
const arg: Arg = <T>(i: number) => new Slot(i) as unknown as T;

interface Template {
  sql: string;
  /** A constant of the query, or the index of the argument that goes there. */
  parameters: readonly unknown[];
}

type Db = Kysely<LatchkeyDatabase>;

/** Runs a statement on the connection now, or returns undefined when it may not (then kysely runs it). */
export type DirectExecutor = (sql: string, parameters: readonly unknown[]) => QueryResult<unknown> | undefined;
const direct = new WeakMap<Db, DirectExecutor>();

/**
 * Lets precompiled statements on `db` run through `exec` instead of kysely. For SQLite's single synchronous
 * connection: a transaction's own statements may always run directly (it holds the connection); outside one, only
 * while no transaction is open, else a statement could read, or write into, another request's open transaction.
 */
export function runDirectly(db: Db, exec: DirectExecutor | undefined): void {
  if (exec) direct.set(db, exec);
  else direct.delete(db);
}

/** Runs a fixed statement (a savepoint, say) the quickest safe way. */
export function executeRaw(db: Db, statement: string): Promise<QueryResult<unknown>> {
  try {
    const done = direct.get(db)?.(statement, []);
    return done ? Promise.resolve(done) : db.executeQuery(CompiledQuery.raw(statement));
  } catch (err) {
    return Promise.reject(err);
  }
}

/** The placeholder syntax of a database's compiler (`?` or `$1`): the same for a database and its transactions. */
const dialects = new WeakMap<Db, string>();
function dialectOf(db: Db): string {
  let key = dialects.get(db);
  if (key === undefined) {
    key = sql`select ${0}`.compile(db).sql;
    dialects.set(db, key);
  }
  return key;
}

export function precompiled<R>(build: (db: Db, arg: Arg) => Compilable<R>): (db: Db, args: readonly unknown[]) => Promise<QueryResult<R>> {
  const templates = new Map<string, Template>();
  return (db, args) => {
    const dialect = dialectOf(db);
    let t = templates.get(dialect);
    if (!t) {
      const compiled = build(db, arg).compile();
      t = { sql: compiled.sql, parameters: compiled.parameters };
      templates.set(dialect, t);
    }
    const parameters = t.parameters.map((p) => (p instanceof Slot ? args[p.index] : p));
    try {
      const done = direct.get(db)?.(t.sql, parameters);
      if (done) return Promise.resolve(done as QueryResult<R>);
    } catch (err) {
      return Promise.reject(err);
    }
    return db.executeQuery<R>(CompiledQuery.raw(t.sql, parameters));
  };
}
