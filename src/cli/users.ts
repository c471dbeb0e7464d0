import type { Command } from 'commander';
import { userSchema } from '../config/schema.ts';
import { isoTime } from '../core/clock.ts';
import { randomId } from '../core/crypto.ts';
import type { User } from '../core/model.ts';
import { hashPassword } from '../interaction/passwords.ts';
import {
  type CliContext,
  CliError,
  checked,
  type CommonOptions,
  output,
  readStdinLine,
  table,
  withCommonOptions,
  withStorage,
} from './context.ts';
import { adminApiList, type RemoteUser, type ServerOption, withServerOption } from './remote.ts';
import { registerUserAdmin } from './user-admin.ts';

/** `latchkey users create|list|delete|set-password` (show|update|disable|enable: user-admin.ts). Passwords are hashed with argon2id and never printed, except a generated one, once. */

interface PasswordOptions extends CommonOptions {
  password?: string;
  passwordStdin?: boolean;
}

interface CreateOptions extends PasswordOptions {
  username: string;
  name?: string;
  email?: string;
  admin?: boolean;
}

export function registerUsers(program: Command): void {
  const users = program.command('users').description('manage the people who sign in');

  passwordOptions(withCommonOptions(users.command('create').description('add a user; prints a generated password once')))
    .requiredOption('--username <username>', 'the name they sign in with')
    .option('--name <name>', 'full name (the name claim)')
    .option('--email <email>', 'email address (the email claim)')
    .option('--admin', 'mark the user as an administrator')
    .action((opts: CreateOptions) => withStorage(opts, (ctx) => createUser(ctx, opts)));

  registerUserAdmin(users);

  const header = ['USERNAME', 'NAME', 'EMAIL', 'ADMIN', 'DISABLED'];
  const row = (u: { username: string; name: string | null; email: string | null; isAdmin: boolean; disabledAt: unknown }) =>
    [u.username, u.name ?? '', u.email ?? '', u.isAdmin ? 'yes' : '', u.disabledAt === null ? '' : 'yes'];
  withServerOption(withCommonOptions(users.command('list').description('list the users'))).action(async (opts: CommonOptions & ServerOption) => {
    if (opts.server !== undefined) {
      // Over the admin API of a remote Latchkey (`latchkey admin login` first); --json prints the API's objects.
      const all = await adminApiList<RemoteUser>(opts.server, '/users');
      output(opts.json === true).result(all, () => table(header, all.map(row), 'no users'));
      return;
    }
    await withStorage(opts, async ({ repos, out }) => {
      const all = await repos.users.list();
      out.result(all.map(userView), () => table(header, all.map(row), 'no users'));
    });
  });

  withCommonOptions(users.command('delete').description('delete a user, end their sessions and revoke their tokens').argument('<username>')).action(
    (username: string, opts: CommonOptions) =>
      withStorage(opts, async ({ repos, out, now, config }) => {
        const user = await findUser(repos, username);
        const revoked = await repos.users.delete(user.id, now);
        if (config.users.some((u) => u.username === username)) out.note(`user "${username}" is declared in the config file: \`latchkey start\` will create it again`);
        out.result({ deleted: username, revokedTokens: revoked }, `Deleted user "${username}" (revoked ${revoked} active token${revoked === 1 ? '' : 's'})`);
      }),
  );

  passwordOptions(withCommonOptions(users.command('set-password').description("replace a user's password and end their sessions").argument('<username>'))).action(
    (username: string, opts: PasswordOptions) =>
      withStorage(opts, async ({ repos, out, config }) => {
        const user = await findUser(repos, username);
        const { password, generated } = await choosePassword(opts);
        await repos.users.update(user.id, { passwordHash: await hashPassword(password) });
        // A new password signs the person out everywhere: whoever knew the old one loses their session too.
        await repos.sessions.deleteAllForUser(user.id);
        if (config.users.some((u) => u.username === username)) out.note(`user "${username}" is declared in the config file: \`latchkey start\` will restore the password written there`);
        out.result(generated ? { username, password } : { username }, () =>
          generated
            ? `New password for "${username}" (shown only this once):\n  password: ${password}`
            : `Changed the password of "${username}" and ended their sessions.`,
        );
      }),
  );
}

function passwordOptions(cmd: Command): Command {
  return cmd
    .option('--password <password>', 'the password (visible to other local users in the process list; prefer --password-stdin)')
    .option('--password-stdin', 'read the password from the first line of standard input');
}

/** The given password (validated) or a generated one, which the caller prints once. */
async function choosePassword(opts: PasswordOptions): Promise<{ password: string; generated: boolean }> {
  if (opts.password !== undefined && opts.passwordStdin) throw new CliError('--password and --password-stdin: choose one');
  const given = opts.passwordStdin ? await readStdinLine('--password-stdin') : opts.password;
  if (given === undefined) return { password: randomId(12), generated: true };
  const flag = opts.passwordStdin ? '--password-stdin' : '--password';
  return { password: checked(flag, userSchema.shape.password, given), generated: false };
}

async function createUser({ repos, out, now, config }: CliContext, opts: CreateOptions): Promise<void> {
  const username = checked('--username', userSchema.shape.username, opts.username);
  if (username.trim() !== username || /[\x00-\x1f\x7f]/.test(username)) {
    throw new CliError(`--username "${username}": no leading or trailing spaces and no control characters`);
  }
  if (opts.name !== undefined && opts.name.trim() === '') throw new CliError('--name: must not be empty');
  if (opts.email !== undefined && !/^[^\s@]+@[^\s@]+$/.test(opts.email)) throw new CliError(`--email "${opts.email}": not an email address`);
  if (await repos.users.findByUsername(username)) throw new CliError(`user "${username}" already exists`, 'conflict');
  const { password, generated } = await choosePassword(opts);
  let user: User;
  try {
    user = await repos.users.create(
      { id: randomId(), username, passwordHash: await hashPassword(password), name: opts.name ?? null, email: opts.email ?? null, isAdmin: opts.admin === true },
      now,
    );
  } catch (err) {
    // Lost a race with another `create` of the same username (the column is unique).
    if (/unique|constraint/i.test((err as Error).message)) throw new CliError(`user "${username}" already exists`, 'conflict');
    throw err;
  }
  if (config.users.some((u) => u.username === username)) out.note(`user "${username}" is also declared in the config file: \`latchkey start\` will apply what is written there`);
  const view = userView(user);
  out.result(generated ? { ...view, password } : view, () => {
    const lines = [`Created user "${username}"${user.isAdmin ? ' (admin)' : ''}`, `  id:       ${user.id}`];
    if (generated) lines.push(`  password: ${password}`, '', 'Pass the password on now: it is shown only this once.');
    return lines.join('\n');
  });
}

async function findUser(repos: CliContext['repos'], username: string): Promise<User> {
  const user = await repos.users.findByUsername(username);
  if (!user) throw new CliError(`user "${username}" not found`, 'not_found');
  return user;
}

/** What `list` and `--json` print: never the password hash. */
function userView(u: User) {
  return { id: u.id, username: u.username, name: u.name, email: u.email, admin: u.isAdmin, disabled: u.disabledAt !== null, createdAt: isoTime(u.createdAt) };
}
