import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../../../src/storage/errors.ts';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable: which database errors become 503 temporarily_unavailable', () => {
  it.each([
    ['ECONNREFUSED (PostgreSQL is down)', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['ECONNRESET', withCode('ECONNRESET')],
    ['57P01 admin_shutdown (pg_ctl stop -m fast)', withCode('57P01', 'terminating connection due to administrator command')],
    ['57P03 cannot_connect_now (starting up)', withCode('57P03', 'the database system is starting up')],
    ['08006 connection_failure', withCode('08006')],
    ['53300 too_many_connections', withCode('53300')],
    ['57014 statement_timeout', withCode('57014', 'canceling statement due to statement timeout')],
    ['40P01 deadlock (retryable)', withCode('40P01')],
    ['3D000 the database does not exist', withCode('3D000')],
    ['28P01 password refused', withCode('28P01')],
    ['pg-pool connection timeout', new Error('timeout exceeded when trying to connect')],
    ['pg connection terminated', new Error('Connection terminated unexpectedly')],
    ['pg query read timeout', new Error('Query read timeout')],
    ['a pool closed by shutdown', new Error('Cannot use a pool after calling end on the pool')],
    ['SQLite busy after busy_timeout', Object.assign(new Error('database is locked'), { code: 'ERR_SQLITE_ERROR', errcode: 5 })],
    ['SQLite SQLITE_BUSY_SNAPSHOT (extended 517)', Object.assign(new Error('database is locked'), { code: 'ERR_SQLITE_ERROR', errcode: 517 })],
    ['SQLite table locked', Object.assign(new Error('database table is locked'), { code: 'ERR_SQLITE_ERROR', errcode: 6 })],
    ['an AggregateError of refused connections (IPv4 and IPv6)', Object.assign(new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')]), {})],
    ['a wrapped cause', new Error('query failed', { cause: withCode('57P01') })],
  ])('is true for %s', (_name, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
  });

  it.each([
    ['23505 unique violation (a bug or a conflict, not an outage)', withCode('23505', 'duplicate key value violates unique constraint')],
    ['42601 syntax error', withCode('42601')],
    ['42P01 undefined table (a missing migration is a deployment error)', withCode('42P01')],
    ['22P02 invalid text representation', withCode('22P02')],
    ['SQLite constraint failure (errcode 19)', Object.assign(new Error('UNIQUE constraint failed'), { code: 'ERR_SQLITE_ERROR', errcode: 19 })],
    ['a plain Error', new Error('something broke')],
    ['an error with another code whose message mentions a connection', withCode('ERR_INVALID_ARG_TYPE', 'Connection terminated')],
    ['a non-error value', 'ECONNREFUSED'],
    ['null', null],
    ['undefined', undefined],
  ])('is false for %s', (_name, err) => {
    expect(isDatabaseUnavailable(err)).toBe(false);
  });
});
