import type { Command } from 'commander';
import { parseOr422 } from '../admin/errors.ts';
import { userUpdate, type UserView } from '../admin/schemas.ts';
import * as admin from '../admin/users.ts';
import { asOperator } from './admin-context.ts';
import { type ClaimOptions, claimsFromOptions, withClaimOptions } from './claim-flags.ts';
import { type CliContext, CliError, type CommonOptions, describeLines, withCommonOptions, withStorage } from './context.ts';

/**
 * `latchkey users show|update|disable|enable`: what the console's user page does, through the same operations
 * (src/admin/users.ts), audit events included. Passwords stay with `users set-password`.
 */

interface UpdateOptions extends CommonOptions, ClaimOptions {
  name?: string;
  email?: string;
  admin?: boolean;
}

export function registerUserAdmin(users: Command): void {
  withCommonOptions(users.command('show').description('show a user (never the password or its hash)').argument('<username>')).action(
    (username: string, opts: CommonOptions) =>
      withStorage(opts, async (ctx) => {
        const user = await findUser(ctx, username);
        const view = admin.userView(user, { config: ctx.config });
        ctx.out.result(cliView(view), () => describe(view));
      }),
  );

  withCommonOptions(
    withClaimOptions(
      users
        .command('update')
        .description("change a user's name, email, claims or administrator rights (the password: users set-password)")
        .argument('<username>')
        .option('--name <name>', "full name (the name claim); '' removes it")
        .option('--email <email>', "email address (the email claim); '' removes it")
        .option('--admin', 'make the user an administrator')
        .option('--no-admin', 'remove administrator rights'),
    ),
  ).action((username: string, opts: UpdateOptions) =>
    withStorage(opts, async (ctx) => {
      const patch: Record<string, unknown> = {};
      if (opts.name !== undefined) patch['name'] = opts.name.trim() === '' ? null : opts.name;
      if (opts.email !== undefined) patch['email'] = opts.email.trim() === '' ? null : opts.email;
      if (opts.admin !== undefined) patch['isAdmin'] = opts.admin;
      const user = await findUser(ctx, username);
      const claims = claimsFromOptions(opts, user.claims);
      if (claims) patch['claims'] = claims;
      if (Object.keys(patch).length === 0) throw new CliError('nothing to update: give --name, --email, --admin, --no-admin, a claim flag or --claims-json');
      const view = await asOperator(ctx, (a) => admin.updateUser(a, user.id, parseOr422(userUpdate, patch)));
      declaredNote(ctx, view);
      ctx.out.result(cliView(view), () => describe(view, `Updated user "${username}"`));
    }),
  );

  withCommonOptions(
    users.command('disable').description('stop a user from signing in: ends their sessions and revokes their tokens').argument('<username>'),
  ).action((username: string, opts: CommonOptions) =>
    withStorage(opts, async (ctx) => {
      const user = await findUser(ctx, username);
      const view = await asOperator(ctx, (a) => admin.disableUser(a, user.id));
      ctx.out.result(cliView(view), user.disabledAt === null ? `Disabled user "${username}": their sessions ended and their tokens were revoked.` : `User "${username}" was already disabled.`);
    }),
  );

  withCommonOptions(users.command('enable').description('let a disabled user sign in again').argument('<username>')).action(
    (username: string, opts: CommonOptions) =>
      withStorage(opts, async (ctx) => {
        const user = await findUser(ctx, username);
        const view = await asOperator(ctx, (a) => admin.enableUser(a, user.id));
        ctx.out.result(cliView(view), user.disabledAt === null ? `User "${username}" was not disabled.` : `Enabled user "${username}": they can sign in again.`);
      }),
  );
}

async function findUser({ repos }: CliContext, username: string) {
  const user = await repos.users.findByUsername(username);
  if (!user) throw new CliError(`user "${username}" not found`, 'not_found');
  return user;
}

function declaredNote({ out }: CliContext, view: UserView): void {
  if (view.declaredInConfig) out.note(`user "${view.username}" is declared in the config file: \`latchkey start\` will restore what is written there`);
}

/** The JSON of the CLI's user commands (`admin`, as `users list` and `users create` print it). */
function cliView(v: UserView) {
  return {
    id: v.id, username: v.username, name: v.name, email: v.email, admin: v.isAdmin, disabled: v.disabled, disabledAt: v.disabledAt, createdAt: v.createdAt,
    claims: v.claims, updatedAt: v.updatedAt,
  };
}

/** One line per claim with a value; the address as its members joined. */
function claimLines(claims: UserView['claims']): [string, string][] {
  return Object.entries(claims).flatMap(([k, v]): [string, string][] => {
    if (v === null || v === undefined) return [];
    if (typeof v === 'object') return [[k, Object.values(v).filter((m) => m).join(', ')]];
    return [[k, String(v)]];
  });
}

function describe(v: UserView, heading = `User ${v.username}`): string {
  return describeLines(heading, [
    ['id', v.id],
    ['name', v.name ?? '(none)'],
    ['email', v.email ?? '(none)'],
    ...claimLines(v.claims),
    ['administrator', v.isAdmin ? 'yes' : 'no'],
    ['status', v.disabled ? `disabled since ${v.disabledAt ?? ''}` : 'active'],
    ['created', v.createdAt],
    ['updated', v.updatedAt],
    ...(v.declaredInConfig ? ([['declared', 'in the config file (`latchkey start` restores it)']] as const) : []),
  ]);
}
