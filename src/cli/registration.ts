import type { Command } from 'commander';
import { isoTime } from '../core/clock.ts';
import { api, listInitialAccessTokens, type RegistrationTokenView } from '../admin/registration-tokens.ts';
import { asOperator } from './admin-context.ts';
import { CliError, type CommonOptions, table, withCommonOptions, withStorage } from './context.ts';

/** `latchkey registration tokens create|list|revoke`: initial access tokens for registration.mode token (README). */

interface CreateOptions extends CommonOptions {
  expires?: string;
  uses?: string;
}

const UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `30m`, `12h`, `7d`, or plain seconds; at least a minute, at most a year (as the admin API). */
export function parseExpires(value: string): number {
  const m = /^(\d{1,9})([smhd]?)$/.exec(value.trim());
  const seconds = m?.[1] === undefined ? Number.NaN : Number(m[1]) * (UNITS[m[2] || 's'] ?? 1);
  if (!Number.isSafeInteger(seconds) || seconds < 60 || seconds > 365 * 86_400) {
    throw new CliError(`--expires "${value}": a duration from 60 seconds to 365 days, e.g. 90, 30m, 12h or 7d`);
  }
  return seconds;
}

function parseUses(value: string): number {
  const n = /^\d{1,6}$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= 1 && n <= 100_000)) throw new CliError(`--uses "${value}": a whole number from 1 to 100000`);
  return n;
}

const describe = (t: RegistrationTokenView) => [t.id, t.state, t.expiresAt ?? 'never', t.maxUses === null ? `${t.uses}` : `${t.uses}/${t.maxUses}`, t.createdAt];

export function registerRegistration(program: Command): void {
  const registration = program.command('registration').description('dynamic client registration (RFC 7591): initial access tokens');
  const tokens = registration.command('tokens').description('initial access tokens, required at /register when registration.mode is token');

  withCommonOptions(
    tokens
      .command('create')
      .description('create an initial access token; it is shown once: hand it to the developer, who sends it as a Bearer to /register')
      .option('--expires <duration>', 'how long it works: seconds, or 30m, 12h, 7d (default 7d)')
      .option('--uses <n>', 'how many registrations it allows (default: any number until it expires)'),
  ).action((opts: CreateOptions) =>
    withStorage(opts, async (ctx) => {
      const { out, config } = ctx;
      const expiresInSeconds = opts.expires === undefined ? undefined : parseExpires(opts.expires);
      const maxUses = opts.uses === undefined ? undefined : parseUses(opts.uses);
      // As the admin API's operation, so the audit log records who made it (the command line's operator).
      const created = await asOperator(ctx, (admin) => api.create(admin, { ...(expiresInSeconds === undefined ? {} : { expiresInSeconds }), ...(maxUses === undefined ? {} : { maxUses }) }));
      const t = created.registrationToken;
      out.result(created, () =>
        [
          created.token,
          '',
          `Token ${t.id}: ${t.maxUses === null ? 'any number of registrations' : `${t.maxUses} registration${t.maxUses > 1 ? 's' : ''}`} until ${t.expiresAt ?? 'revoked'}.`,
          'It is shown only now. A client registers with it by sending, to POST /register:',
          `  Authorization: Bearer ${created.token}`,
        ].join('\n'),
      );
      if (config.registration.mode !== 'token') out.note(`registration.mode is ${config.registration.mode}: the server does not ask for this token until it is set to token`);
    }),
  );

  withCommonOptions(tokens.command('list').description('list initial access tokens (never the tokens themselves)')).action((opts: CommonOptions) =>
    withStorage(opts, async ({ repos, out, now }) => {
      const all = await listInitialAccessTokens({ repos, clock: { now: () => now } });
      out.result(all, () => table(['ID', 'STATE', 'EXPIRES', 'USES', 'CREATED'], all.map(describe), 'no registration tokens yet: `latchkey registration tokens create`'));
    }),
  );

  withCommonOptions(tokens.command('revoke').description('revoke an initial access token: registrations with it are refused').argument('<id>')).action(
    (id: string, opts: CommonOptions) =>
      withStorage(opts, async (ctx) => {
        const { out, now } = ctx;
        await asOperator(ctx, (admin) => api.revoke(admin, id)).catch((err: unknown) => {
          throw err instanceof CliError && err.code === 'not_found' ? new CliError(`registration token "${id}" not found, or revoked already`, 'not_found') : err;
        });
        out.result({ id, revokedAt: isoTime(now) }, `Revoked registration token ${id}. Clients it registered stay registered.`);
      }),
  );
}
