/**
 * Which database errors mean "the database cannot serve right now" rather than "this request is wrong" or "Latchkey
 * has a bug". The HTTP layer answers them with 503 temporarily_unavailable (RFC 6749 §4.1.2.1, §5.2 by analogy), and
 * the request may be retried; nothing else is retried or hidden.
 */

/** Socket-level failures reaching PostgreSQL. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * PostgreSQL SQLSTATEs: class 08 (connection exception), 57P01-57P03 (server shutting down or starting), 53300 (too
 * many connections), 57014 (statement_timeout), 40001/40P01 (serialization failure, deadlock: retryable), 55P03
 * (lock not available), 3D000 (the database is gone) and class 28 (credentials refused): this node cannot use the
 * database at all, which no request can fix.
 */
const RETRYABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '57014', '40001', '40P01', '55P03', '3D000']);

/** Messages pg and pg-pool use for timeouts and dead connections; they carry no code. */
const PG_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Connection terminated',
  'Query read timeout',
  'is not queryable',
  'Cannot use a pool after calling end on the pool',
];

/** SQLite result codes SQLITE_BUSY (5) and SQLITE_LOCKED (6), also as the primary code of an extended one. */
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;

export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e !== null && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if (matches(e as Record<string, unknown>)) return true;
    // pg-pool reports some connect failures as an AggregateError (one per resolved address).
    const inner = (e as { errors?: unknown }).errors;
    if (Array.isArray(inner) && inner.some((x) => x !== null && typeof x === 'object' && matches(x as Record<string, unknown>))) return true;
  }
  return false;
}

function matches(e: Record<string, unknown>): boolean {
  const code = typeof e['code'] === 'string' ? e['code'] : '';
  if (NETWORK_CODES.has(code)) return true;
  if (/^(08|28)[0-9A-Z]{3}$/.test(code) || RETRYABLE_SQLSTATES.has(code)) return true;
  if (code === 'ERR_SQLITE_ERROR') {
    const errcode = typeof e['errcode'] === 'number' ? e['errcode'] & 0xff : -1;
    return errcode === SQLITE_BUSY || errcode === SQLITE_LOCKED;
  }
  const message = typeof e['message'] === 'string' ? e['message'] : '';
  return code === '' && PG_MESSAGES.some((m) => message.includes(m));
}
