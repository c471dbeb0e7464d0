import { CommanderError } from 'commander';
import { ConfigError } from '../config/load.ts';
import { CliError, type CliErrorCode } from './context.ts';

/**
 * How a failed command ends: one line on stderr, `latchkey: <what is wrong>`, or with `--json` one JSON object
 * `{"error":"<code>","message":"<text>"}` (stderr too, so stdout stays empty for a script that pipes it to jq).
 * The exit status is the same either way: 1 for every failure (commander's own usage errors included).
 */

export type ErrorCode =
  | CliErrorCode
  | 'unknown_option'
  | 'unknown_command'
  | 'missing_option'
  | 'missing_argument'
  | 'usage'
  | 'invalid_config'
  | 'internal_error';

/** Commander's error codes, as ours: a script can branch on them without parsing the message. */
const COMMANDER_CODES: Readonly<Record<string, ErrorCode>> = {
  'commander.unknownOption': 'unknown_option',
  'commander.unknownCommand': 'unknown_command',
  'commander.invalidArgument': 'invalid_argument',
  'commander.missingMandatoryOptionValue': 'missing_option',
  'commander.optionMissingArgument': 'missing_option',
  'commander.missingArgument': 'missing_argument',
};

/** The exit codes commander uses for what is not an error: help and the version were printed. */
const NOT_ERRORS = new Set(['commander.helpDisplayed', 'commander.version']);

/** `--json` anywhere before a `--`: known even when commander could not parse the rest of the line. */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

/**
 * Commander's message on one line: "error: unknown option '--jsn'\n(Did you mean --json?)" becomes
 * "unknown option '--jsn'; did you mean --json?".
 */
export function commanderMessage(message: string): string {
  return message
    .replace(/^error: /, '')
    .replace(/\s*\n\(Did you mean ((?:one of )?.+)\?\)\s*$/, '; did you mean $1?')
    .trim();
}

export interface Failure {
  code: ErrorCode;
  message: string;
  exitCode: number;
}

/** What to print for `err`; undefined when commander already printed what was asked (help, the version). */
export function describeFailure(err: unknown): Failure | undefined {
  if (err instanceof CommanderError) {
    if (NOT_ERRORS.has(err.code)) return undefined;
    // `latchkey` alone prints the help on stderr: commander exits 1 with '(outputHelp)', nothing more to say.
    if (err.code === 'commander.help') return { code: 'usage', message: '', exitCode: err.exitCode };
    return { code: COMMANDER_CODES[err.code] ?? 'usage', message: commanderMessage(err.message), exitCode: 1 };
  }
  if (err instanceof CliError) return { code: err.code, message: err.message, exitCode: 1 };
  if (err instanceof ConfigError) return { code: 'invalid_config', message: err.message, exitCode: 1 };
  return { code: 'internal_error', message: err instanceof Error ? err.message : String(err), exitCode: 1 };
}

/** Prints the failure (if any) and returns the exit status. */
export function reportError(err: unknown, json: boolean, stderr: NodeJS.WritableStream = process.stderr): number {
  const failure = describeFailure(err);
  if (failure === undefined) return err instanceof CommanderError ? err.exitCode : 0;
  if (failure.message === '') return failure.exitCode;
  stderr.write(json ? `${JSON.stringify({ error: failure.code, message: failure.message })}\n` : `latchkey: ${failure.message}\n`);
  return failure.exitCode;
}
