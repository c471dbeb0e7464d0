import { userInfo } from 'node:os';
import { type AuditRecorder, auditRecorder } from '../admin/audit.ts';
import type { AdminContext, AdminDeps } from '../admin/context.ts';
import { AdminError } from '../admin/errors.ts';
import { liveTokenSettings } from '../admin/settings.ts';
import { tokenCounter } from '../admin/token-counter.ts';
import { systemClock } from '../core/clock.ts';
import type { Logger } from '../core/context.ts';
import type { SigningKeys } from '../core/keys/service.ts';
import { builtInGrants } from '../core/token/grants/index.ts';
import { type CliContext, CliError } from './context.ts';

/**
 * The admin operations (src/admin) from the command line: the ones the console and the admin API use, so the three
 * cannot disagree. The actor is the operator at the machine, named in the audit log as "command line (<os user>)".
 */

/** A logger for the operations' rare warnings (a failed audit write): remarks on stderr, like the CLI's notes. */
const stderrLogger: Logger = {
  info: () => undefined,
  warn: (_obj, msg) => process.stderr.write(`latchkey: warning: ${msg ?? ''}\n`),
  error: (_obj, msg) => process.stderr.write(`latchkey: error: ${msg ?? ''}\n`),
};

/**
 * The operations run here (users, applications) sign nothing, and opening the signing keys would ask for the
 * key-encryption key; `latchkey keys` opens them itself. Reaching for them here is a programming error, said plainly.
 */
const keysNotOpened = new Proxy({} as SigningKeys, {
  get: () => {
    throw new CliError('the signing keys are not opened by this command: use `latchkey keys`');
  },
});

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** Runs `fn` as the command-line operator, waiting for its audit events to be written before the database closes. */
export async function asOperator<T>(ctx: CliContext, fn: (admin: AdminContext) => Promise<T>): Promise<T> {
  const { config, repos } = ctx;
  const recorder = auditRecorder(repos.audit, systemClock, stderrLogger);
  // The operator has no user or client id: the audit log stores none (null), and names them by actorUsername.
  const audit: AuditRecorder = {
    record: (event) => recorder.record({ ...event, actorUserId: event.actorUserId || null, actorClientId: event.actorClientId || null }),
    flush: () => recorder.flush(),
  };
  const deps: AdminDeps = {
    config,
    clock: systemClock,
    repos,
    logger: stderrLogger,
    audit,
    grants: builtInGrants(repos, { config, logger: stderrLogger, audit, keyring: { sign: (payload, options) => keysNotOpened.keyring.sign(payload, options), jwks: () => keysNotOpened.keyring.jwks() } }),
    tokenSettings: liveTokenSettings(config, repos.settings),
    // The command line issues no tokens; the overview's counter is here only to complete the operations' deps.
    tokenCounter: tokenCounter(repos.activity, systemClock, stderrLogger),
    keys: keysNotOpened,
  };
  // No user id: the operator is not a Latchkey user, so no "you cannot disable yourself" applies.
  const admin: AdminContext = { deps, actor: { userId: '', username: `command line (${osUser()})`, clientId: '', ip: undefined } };
  try {
    return await fn(admin);
  } catch (err) {
    throw err instanceof AdminError ? cliErrorFrom(err) : err;
  } finally {
    await audit.flush();
  }
}

/** The option each field of the admin schemas comes from, to name it in an error. */
const FLAGS: Readonly<Record<string, string>> = { name: '--name', email: '--email', isAdmin: '--admin' };

function cliErrorFrom(err: AdminError): CliError {
  if (err.code === 'not_found') return new CliError(err.description, 'not_found');
  if (err.code === 'conflict') return new CliError(err.description, 'conflict');
  const fields = Object.entries(err.fields ?? {}).map(([field, message]) => `${FLAGS[field] ?? field}: ${message}`);
  return new CliError(fields.length > 0 ? fields.join('; ') : err.description, 'invalid_argument');
}
