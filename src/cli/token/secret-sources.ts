import { readFileSync } from 'node:fs';
import { CliError } from '../context.ts';
import type { StdinLines } from './stdin-lines.ts';

/**
 * Options that would put a secret into argv. They are declared (hidden) only to refuse them with a clear message:
 * the command line of every process is readable by every local user (`ps`, /proc/<pid>/cmdline) and lands in shell
 * history.
 */
export const SECRET_ARGV_OPTIONS = ['client-secret', 'password', 'refresh-token', 'access-token', 'token'] as const;

const REPLACEMENT: Readonly<Record<(typeof SECRET_ARGV_OPTIONS)[number], string>> = {
  'client-secret': '--client-secret-stdin or --client-secret-file',
  password: '--password-stdin',
  'refresh-token': '--refresh-token-stdin',
  'access-token': 'standard input (--token-stdin)',
  token: 'standard input (--token-stdin)',
};

/** Throws when argv carries a secret-looking option, naming the safe way instead (never echoing the value). */
export function refuseSecretsInArgv(argv: readonly string[]): void {
  for (const arg of argv) {
    if (arg === '--') return;
    for (const name of SECRET_ARGV_OPTIONS) {
      if (arg === `--${name}` || arg.startsWith(`--${name}=`)) {
        throw new CliError(`--${name}: secrets are not accepted on the command line (other users see it in ps); use ${REPLACEMENT[name]}`);
      }
    }
  }
}

export interface SecretOptions {
  clientSecretStdin?: boolean;
  clientSecretFile?: string;
}

/** The client secret from standard input or a file (its first line), or undefined when neither is given. */
export async function readClientSecret(opts: SecretOptions, stdin: StdinLines): Promise<string | undefined> {
  if (opts.clientSecretStdin === true && opts.clientSecretFile !== undefined) {
    throw new CliError('--client-secret-stdin and --client-secret-file: give only one');
  }
  if (opts.clientSecretStdin === true) return stdin.secret('--client-secret-stdin');
  if (opts.clientSecretFile !== undefined) return readSecretFile('--client-secret-file', opts.clientSecretFile);
  return undefined;
}

export function readSecretFile(option: string, path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(`${option} ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : 'cannot be read'}`);
  }
  const line = text.split(/\r?\n/)[0]?.trim() ?? '';
  if (line === '') throw new CliError(`${option} ${path}: the file is empty`);
  return line;
}
