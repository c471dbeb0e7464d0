import { describe, expect, it } from 'vitest';
import { CliError } from '../../../src/cli/context.ts';
import { databaseHost, describeDatabaseError } from '../../../src/cli/database-errors.ts';
import { commanderMessage } from '../../../src/cli/report-error.ts';

const errno = (code: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(`${code} something`), { code, ...extra });

describe('describeDatabaseError', () => {
  it('names a PostgreSQL server by host and port only, 5432 when the URL has none, never the credentials', () => {
    expect(databaseHost('postgres://user:pw@db.internal/latchkey')).toBe('db.internal:5432');
    const err = describeDatabaseError('postgresql://user:s3cret@db.internal:6543/latchkey', errno('ECONNREFUSED'));
    expect(err).toBeInstanceOf(CliError);
    expect(err).toMatchObject({ code: 'database_unavailable', message: 'cannot reach the database at db.internal:6543: connection refused' });
    expect((err as Error).message).not.toMatch(/s3cret|user/);
  });

  it('reads the first error of an AggregateError (every address of a host name refused)', () => {
    const err = describeDatabaseError('postgres://localhost/x', new AggregateError([errno('ECONNREFUSED'), errno('ECONNREFUSED')], 'agg'));
    expect((err as Error).message).toBe('cannot reach the database at localhost:5432: connection refused');
  });

  it("repeats PostgreSQL's own refusal (a wrong password, a missing database)", () => {
    const auth = Object.assign(new Error('password authentication failed for user "latchkey"'), { code: '28P01' });
    expect((describeDatabaseError('postgres://latchkey:x@h:5/d', auth) as Error).message).toBe(
      'cannot reach the database at h:5: password authentication failed for user "latchkey"',
    );
  });

  it('leaves other errors alone: a failed statement is not a connection problem', () => {
    const other = Object.assign(new Error('relation "x" does not exist'), { code: '42P01' });
    expect(describeDatabaseError('postgres://h/d', other)).toBe(other);
    const sqlite = Object.assign(new Error('table "clients" already exists'), { code: 'ERR_SQLITE_ERROR' });
    expect(describeDatabaseError('/tmp/x.db', sqlite)).toBe(sqlite);
  });

  it('names a SQLite file and why it cannot be opened', () => {
    expect((describeDatabaseError('/x/y.db', errno('EACCES')) as Error).message).toBe('cannot open the database at /x/y.db: permission denied');
    expect((describeDatabaseError('sqlite:///x/y.db', errno('ENOTDIR', { path: '/x' })) as Error).message).toBe('cannot open the database at /x/y.db: /x is not a directory');
  });
});

describe('commanderMessage', () => {
  it("puts commander's suggestion on the same line", () => {
    expect(commanderMessage("error: unknown option '--jsn'\n(Did you mean --json?)")).toBe("unknown option '--jsn'; did you mean --json?");
    expect(commanderMessage("error: unknown command 'c'\n(Did you mean one of a, b?)")).toBe("unknown command 'c'; did you mean one of a, b?");
    expect(commanderMessage("error: unknown option '--zzz'")).toBe("unknown option '--zzz'");
  });
});
