import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config/schema.ts';
import type { Repositories } from '../core/repositories.ts';

/**
 * On a restart the demo's password is not shown again (only its hash is stored). When the demo application and user
 * are still there, `latchkey start` says how to get in again, with a command that works exactly as printed: the
 * same way of running latchkey as this process was started with, and its -c and -d options.
 */

export const DEMO_CLIENT_ID = 'demo-app';
export const DEMO_USERNAME = 'demo';

/** How the person ran this process, as the start of a command line they can run again from the same directory. */
export function invocation(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd(), entry = import.meta.url): string {
  // `npm start` or `npm run latchkey -- start` in a checkout (package.json's scripts).
  if (env['npm_package_name'] === 'latchkey' && (env['npm_lifecycle_event'] === 'start' || env['npm_lifecycle_event'] === 'latchkey')) {
    return 'npm run latchkey --';
  }
  // A checkout runs src/cli/index.ts through bin/latchkey.mjs; an installed package runs dist/ through its bin.
  if (entry.endsWith('.ts')) {
    const bin = relative(cwd, fileURLToPath(new URL('../../bin/latchkey.mjs', entry)));
    return `node ${quote(bin)}`;
  }
  return 'latchkey';
}

/** A word for a POSIX shell: as it is when it is plain, else in single quotes. */
export function quote(word: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

export interface StartFlags {
  /** `-c`, as given to `latchkey start` (not from LATCHKEY_CONFIG, which the next command inherits too). */
  file?: string | undefined;
  /** `-d`, as given. */
  database?: string | undefined;
}

/**
 * The lines to print when the demo is still present, or undefined. A PostgreSQL URL given with -d is repeated
 * without its password, which is never printed: pg reads it from PGPASSWORD, as the last line says.
 */
export async function demoStillPresentHint(repos: Pick<Repositories, 'clients' | 'users'>, config: Config, flags: StartFlags, prefix = invocation()): Promise<string | undefined> {
  const [client, user] = await Promise.all([repos.clients.findById(DEMO_CLIENT_ID, { fresh: true }), repos.users.findByUsername(DEMO_USERNAME)]);
  if (!client || !user || user.disabledAt !== null) return undefined;
  const words = [prefix, 'users', 'set-password', DEMO_USERNAME];
  if (flags.file !== undefined) words.push('-c', quote(flags.file));
  let passwordHidden = false;
  if (flags.database !== undefined) {
    let database = flags.database;
    if (/^postgres(ql)?:\/\//.test(database)) {
      const url = new URL(database);
      passwordHidden = url.password !== '';
      url.password = '';
      database = url.toString();
    }
    words.push('-d', quote(database));
  }
  const lines = [
    `The demo application (${DEMO_CLIENT_ID}) and user (${DEMO_USERNAME}) from the first start are still here; their`,
    `password is not shown again. To sign in as ${DEMO_USERNAME} (${config.issuer}/console), set a new one:`,
    `  ${words.join(' ')}`,
  ];
  if (passwordHidden) lines.push('  (with the database password in the PGPASSWORD environment variable: it is not printed)');
  return `${lines.join('\n')}\n`;
}
