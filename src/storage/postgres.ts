import pg from 'pg';
import { PostgresDialect } from 'kysely';

/** Pool settings for PostgreSQL (config `databasePool`). Every wait on the database is bounded by one of these. */
export interface PoolOptions {
  /** Connections per node; N nodes open up to N × max connections. */
  max: number;
  /** How long a request waits for a connection (a free pool slot or a new connection) before failing with 503. */
  connectionTimeoutMs: number;
  /**
   * Server-side limit on one statement (statement_timeout); the client gives up a little later (query_timeout).
   * 0: no limit (migrations, which may build an index on a large table).
   */
  statementTimeoutMs: number;
  /** An idle connection is closed after this long. */
  idleTimeoutMs: number;
}

export const defaultPoolOptions: PoolOptions = { max: 10, connectionTimeoutMs: 3000, statementTimeoutMs: 10_000, idleTimeoutMs: 30_000 };

const INT8_OID = 20;
/**
 * Times and counts are bigint columns, which pg returns as strings to keep precision. Every value Latchkey stores in
 * one (Unix seconds, milliseconds, counts) is far below 2^53, so they are read as numbers, like SQLite returns them.
 */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

/**
 * A pg pool for kysely's PostgresDialect. A connection that dies while idle (the server restarted, a failover) is
 * dropped from the pool and reported to `onIdleError` instead of crashing the process (one that dies while in use
 * fails its query); the next request opens a new
 * one, so Latchkey recovers without a restart.
 */
export function postgresDialect(url: string, options: PoolOptions, onIdleError: (err: Error) => void): { dialect: PostgresDialect; pool: pg.Pool } {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max,
    connectionTimeoutMillis: options.connectionTimeoutMs,
    idleTimeoutMillis: options.idleTimeoutMs,
    ...(options.statementTimeoutMs > 0
      ? {
          statement_timeout: options.statementTimeoutMs,
          // A black-holed connection never answers: give up on the client side too, a little after the server would.
          query_timeout: options.statementTimeoutMs + 2000,
        }
      : {}),
    // A node that dies inside a transaction must not hold row locks for long.
    idle_in_transaction_session_timeout: Math.max(options.statementTimeoutMs * 2, 10_000),
    keepAlive: true,
    application_name: 'latchkey',
    types,
  });
  pool.on('error', onIdleError);
  // pg-pool listens for a client's 'error' only while the client is idle: a connection that the server terminates
  // while a request holds it (the database stopping under load) emits 'error' with no listener, which crashed the
  // process. The request's own query fails with the same error (and is answered 503); this listener only keeps the
  // event from going unhandled.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return { dialect: new PostgresDialect({ pool }), pool };
}

/** The URL with its password hidden, for messages and logs. */
export function redactDatabaseUrl(url: string): string {
  if (!/^postgres(ql)?:/.test(url)) return url;
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}
