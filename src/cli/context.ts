import type { Command } from 'commander';
import type { z } from 'zod';
import { loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { systemClock } from '../core/clock.ts';
import { openStorage, type Storage } from '../storage/index.ts';
import { describeDatabaseError } from './database-errors.ts';
import type { Repositories } from '../core/repositories.ts';

/** What the management commands share: the config and storage they open, and how they answer. */

/** What a CliError is about, for `--json` errors (`{"error":"not_found",...}`). */
export type CliErrorCode =
  | 'invalid_argument'
  | 'not_found'
  | 'conflict'
  | 'database_unavailable'
  // `latchkey token`: the provider refused (its OAuth error code is in the message), could not be reached, or
  // answered something the protocol does not allow (a state mismatch, a bad signature).
  | 'oauth_error'
  | 'unreachable'
  | 'invalid_response';

/** A mistake in the command line or a missing entity: printed as `latchkey: <message>`, exit code 1. */
export class CliError extends Error {
  override name = 'CliError';
  readonly code: CliErrorCode;

  constructor(message: string, code: CliErrorCode = 'invalid_argument', options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

export interface CommonOptions {
  config?: string;
  database?: string;
  json?: boolean;
}

/** `-c`, `-d` and `--json`, on every management command. */
export function withCommonOptions(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'JSON config file (default: $LATCHKEY_CONFIG)')
    .option('-d, --database <path>', 'SQLite file path or postgres:// URL (overrides the config file and LATCHKEY_DATABASE_URL)')
    .option('--json', 'print machine-readable JSON');
}

export interface Output {
  readonly json: boolean;
  /** The command's answer: `data` as JSON under --json, otherwise the human-readable lines. */
  result(data: unknown, human: string | (() => string)): void;
  /** A remark for the person (to stderr, so it never pollutes --json output). */
  note(message: string): void;
}

export function output(json: boolean): Output {
  return {
    json,
    result(data, human) {
      const text = json ? JSON.stringify(data, null, 2) : typeof human === 'string' ? human : human();
      process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    },
    note(message) {
      process.stderr.write(`latchkey: note: ${message}\n`);
    },
  };
}

export interface CliContext {
  config: Config;
  storage: Storage;
  repos: Repositories;
  /** The migrations that opening the database applied (usually none). */
  applied: string[];
  now: number;
  out: Output;
}

/** Defaults < config file < LATCHKEY_* environment < flags, exactly as `latchkey start` reads them. */
export function loadCliConfig(opts: CommonOptions): Config {
  return loadConfig({
    file: opts.config,
    env: process.env,
    overrides: opts.database === undefined ? {} : { database: opts.database },
  });
}

/**
 * Opens the configured database, applies pending migrations, runs `fn`, and closes the database whatever happens.
 * The declared clients, users and scopes of the config file are not synced here: that is what `start` does.
 */
export async function withStorage<T>(opts: CommonOptions, fn: (ctx: CliContext) => Promise<T>): Promise<T> {
  const config = loadCliConfig(opts);
  let storage: Storage;
  let applied: string[];
  try {
    storage = openStorage(config.database, { pool: config.databasePool, checkpointInBackground: false });
  } catch (err) {
    throw describeDatabaseError(config.database, err);
  }
  try {
    // The first statement: where an unreachable server or an unwritable file shows.
    try {
      applied = await storage.migrate();
    } catch (err) {
      throw describeDatabaseError(config.database, err);
    }
    return await fn({ config, storage, repos: storage.repos, applied, now: systemClock.now(), out: output(opts.json === true) });
  } finally {
    await storage.close();
  }
}

/** Repeatable option values: `--scope a --scope b`. */
export const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** Aligned `label: value` lines under a heading. */
export function describeLines(heading: string, rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(...rows.map(([label]) => label.length)) + 1;
  return [heading, ...rows.map(([label, value]) => `  ${`${label}:`.padEnd(width + 1)}${value}`)].join('\n');
}

/** A plain text table; `empty` is printed when there are no rows. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[], empty: string): string {
  if (rows.length === 0) return empty;
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** `--password-stdin`: the first line piped to standard input, without its line ending (as `docker login` reads it). */
export async function readStdinLine(what: string): Promise<string> {
  if (process.stdin.isTTY) throw new CliError(`${what}: nothing piped to standard input`);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  const text = Buffer.concat(chunks).toString('utf8');
  const line = text.replace(/\r?\n[\s\S]*$/, '');
  if (line === '') throw new CliError(`${what}: standard input is empty`);
  return line;
}

/** Validates one value with the config schema's rule for it, so the CLI and the config file agree. */
export function checked<T>(label: string, schema: z.ZodType<T>, value: unknown): NonNullable<T> {
  const result = schema.safeParse(value);
  if (!result.success || result.data === undefined || result.data === null) {
    throw new CliError(`${label}: ${result.success ? 'required' : (result.error.issues[0]?.message ?? 'invalid')}`);
  }
  return result.data;
}
