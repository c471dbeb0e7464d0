import { isPostgresUrl } from '../storage/index.ts';
import { CliError } from './context.ts';

/**
 * Errors that say which database failed and how: "cannot reach the database at 127.0.0.1:1: connection refused",
 * "cannot open the database at /x/y.db: /x is not a directory". The host and port of a PostgreSQL URL only: its
 * password (and user) never appear.
 */

/** What the node and pg error codes mean, in words. */
const REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'the connection was reset',
  ETIMEDOUT: 'no answer (timed out)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed (try again later)',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
};

/** PostgreSQL's own refusals (SQLSTATE classes 08, 28, 3D, 53, 57P0x): the server's message says it well. */
const PG_CONNECTION_STATES = /^(08|28|3D|53|57P0)/;

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  // Node tries every address of a host name and reports an AggregateError of them.
  if (err instanceof AggregateError) return errorCode(err.errors[0]);
  return undefined;
}

/** host:port of a PostgreSQL URL (5432 when the URL names none), never its credentials. */
export function databaseHost(url: string): string {
  try {
    const u = new URL(url);
    const host = u.hostname || u.searchParams.get('host') || 'localhost';
    return `${host}:${u.port || '5432'}`;
  } catch {
    return '(an unparsable PostgreSQL URL)';
  }
}

/** `err`, thrown while opening or migrating `url`, as a CliError naming the database; other errors unchanged. */
export function describeDatabaseError(url: string, err: unknown): unknown {
  if (err instanceof CliError) return err;
  const code = errorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  if (isPostgresUrl(url)) {
    let reason: string | undefined;
    if (code !== undefined && REASONS[code] !== undefined) reason = REASONS[code];
    else if (code !== undefined && PG_CONNECTION_STATES.test(code)) reason = message;
    // pg's pool gives no code when connectionTimeoutMs passes.
    else if (/timeout exceeded when trying to connect|Connection terminated/i.test(message)) reason = message.toLowerCase();
    if (reason === undefined) return err;
    return new CliError(`cannot reach the database at ${databaseHost(url)}: ${reason}`, 'database_unavailable', { cause: err });
  }
  const path = url.startsWith('sqlite:') ? url.slice('sqlite:'.length).replace(/^\/\//, '') : url;
  const syscallPath = (err as { path?: unknown }).path;
  let reason: string | undefined;
  if ((code === 'EEXIST' || code === 'ENOTDIR') && typeof syscallPath === 'string') reason = `${syscallPath} is not a directory`;
  else if (code !== undefined && REASONS[code] !== undefined) reason = REASONS[code];
  // node:sqlite's errors about the file itself; others (a failed migration statement) are not about opening it.
  else if (code === 'ERR_SQLITE_ERROR' && /unable to open|readonly|not a database|disk I\/O|malformed/i.test(message)) reason = message;
  if (reason === undefined) return err;
  return new CliError(`cannot open the database at ${path}: ${reason}`, 'database_unavailable', { cause: err });
}
