import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latchkey, ROOT } from '../support/cli.ts';

/**
 * What the command line says when something is wrong (issue 15, "the first hour"): the version, errors as JSON under
 * --json with the same exit status, the closest known name for a misspelled option or command, and which database
 * could not be opened. Each case runs the real bin.
 */

let dir: string;
let db: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-cli-errors-'));
  db = join(dir, 'latchkey.db');
  // Migrated once before the concurrent cases: they then only read it.
  expect((await latchkey(['migrate', '-d', db])).code).toBe(0);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('latchkey --version', () => {
  it('prints the version of package.json and exits 0', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      expect(await latchkey([flag])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });
});

describe('an unknown or misspelled option or command is named, with the closest known one', () => {
  const cases: [string, string[], string][] = [
    ['a misspelled top-level option', ['--verison'], "latchkey: unknown option '--verison'; did you mean --version?"],
    ['a misspelled command', ['clinets', 'list'], "latchkey: unknown command 'clinets'; did you mean clients?"],
    ['a misspelled nested command', ['users', 'lst'], "latchkey: unknown command 'lst'; did you mean list?"],
    ['a misspelled option of a nested command', ['users', 'list', '--jsn'], "latchkey: unknown option '--jsn'; did you mean --json?"],
    // Commander checks required options first: without unknown-options-first.ts this said "required option '--name'".
    ['a misspelled required option', ['clients', 'create', '--nmae', 'Shop'], "latchkey: unknown option '--nmae'; did you mean --name?"],
    ['an option with no close match', ['clients', 'list', '--frobnicate'], "latchkey: unknown option '--frobnicate'"],
  ];
  it.concurrent.each(cases)('%s', async (_what, args, message) => {
    const run = await latchkey([...args, '-d', db]);
    expect(run).toEqual({ code: 1, stdout: '', stderr: `${message}\n` });
  });
});

describe('--json makes errors JSON too, on stderr, with the same exit status', () => {
  const cases: [string, string[], { error: string; message: string }][] = [
    ['a missing entity', ['clients', 'show', 'nope'], { error: 'not_found', message: 'client "nope" not found' }],
    ['an invalid value', ['users', 'create', '--username', 'erin', '--password', 'short'], { error: 'invalid_argument', message: '--password: passwords need at least 8 characters' }],
    ['a misspelled option', ['users', 'list', '--jsn'], { error: 'unknown_option', message: "unknown option '--jsn'; did you mean --json?" }],
    ['a misspelled command', ['users', 'lst'], { error: 'unknown_command', message: "unknown command 'lst'; did you mean list?" }],
    ['a missing required option', ['clients', 'create'], { error: 'missing_option', message: "required option '--name <name>' not specified" }],
  ];
  it.concurrent.each(cases)('%s', async (_what, args, body) => {
    const [human, json] = await Promise.all([latchkey([...args, '-d', db]), latchkey([...args, '-d', db, '--json'])]);
    expect(human).toEqual({ code: 1, stdout: '', stderr: `latchkey: ${body.message}\n` });
    expect(json).toMatchObject({ code: 1, stdout: '' });
    expect(JSON.parse(json.stderr)).toEqual(body);
  });

  it('a conflict (a taken username) is "conflict"', async () => {
    expect((await latchkey(['users', 'create', '--username', 'zed', '-d', db, '--json'])).code).toBe(0);
    const run = await latchkey(['users', 'create', '--username', 'zed', '-d', db, '--json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stderr)).toEqual({ error: 'conflict', message: 'user "zed" already exists' });
  });

  it('an invalid config file is "invalid_config", naming the key', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ tokens: { accessTokenTtl: -1 } }));
    const run = await latchkey(['clients', 'list', '-c', file, '--json']);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    const body = JSON.parse(run.stderr) as { error: string; message: string };
    expect(body.error).toBe('invalid_config');
    expect(body.message).toMatch(/tokens\.accessTokenTtl/);
  });
});

describe('a database that cannot be opened is named, never with its password', () => {
  const PASSWORD = 'hunter2-never-printed';
  // Port 1 on loopback: nothing listens there, so the connection is refused at once.
  const refusing = `postgres://latchkey:${PASSWORD}@127.0.0.1:1/latchkey`;

  it.concurrent.each(['clients list', 'migrate', 'janitor', 'users show alice'])('latchkey %s: a PostgreSQL server that refuses', async (command) => {
    const run = await latchkey([...command.split(' '), '-d', refusing]);
    expect(run).toEqual({ code: 1, stdout: '', stderr: 'latchkey: cannot reach the database at 127.0.0.1:1: connection refused\n' });
  });

  it('says the same as JSON under --json, with the error code database_unavailable', async () => {
    const run = await latchkey(['clients', 'list', '-d', refusing, '--json']);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(JSON.parse(run.stderr)).toEqual({ error: 'database_unavailable', message: 'cannot reach the database at 127.0.0.1:1: connection refused' });
  });

  it('latchkey start: the same message, and the server does not start', async () => {
    const run = await latchkey(['start', '-d', refusing, '--port', '0']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('latchkey: cannot reach the database at 127.0.0.1:1: connection refused\n');
    expect(run.stdout + run.stderr).not.toContain(PASSWORD);
    expect(run.stdout).not.toContain('Latchkey is listening');
  });

  it('a SQLite path under a regular file: "cannot open the database at <path>"', async () => {
    const file = join(dir, 'not-a-directory');
    writeFileSync(file, 'x');
    const path = join(file, 'latchkey.db');
    const run = await latchkey(['clients', 'list', '-d', path]);
    expect(run).toEqual({ code: 1, stdout: '', stderr: `latchkey: cannot open the database at ${path}: ${file} is not a directory\n` });
  });

  it('a SQLite path that is a directory: "cannot open the database at <path>"', async () => {
    const run = await latchkey(['clients', 'list', '-d', dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^latchkey: cannot open the database at ${dir}: .+\\n$`));
  });
});
