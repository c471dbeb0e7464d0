import type { Command } from 'commander';
import { scopeSchema } from '../config/schema.ts';
import { STANDARD_CLAIMS } from '../core/oidc/standard-claims.ts';
import { CliError, checked, type CommonOptions, collect, table, withCommonOptions, withStorage } from './context.ts';

/** `latchkey scopes create|list|delete`: the scopes clients may request and the consent page describes. */

interface CreateOptions extends CommonOptions {
  description: string;
  claim?: string[];
}

/** The user claims /userinfo can release (OpenID Connect Core §5.1, src/core/oidc/user-claims.ts). */
const KNOWN_CLAIMS: readonly string[] = STANDARD_CLAIMS;

export function registerScopes(program: Command): void {
  const scopes = program.command('scopes').description('manage scopes');

  withCommonOptions(scopes.command('create').description('define a scope').argument('<name>'))
    .requiredOption('--description <text>', 'what the consent page says the scope allows')
    .option('--claim <claim>', `a user claim /userinfo releases with this scope (repeatable: ${KNOWN_CLAIMS.join(', ')})`, collect)
    .action((name: string, opts: CreateOptions) =>
      withStorage(opts, async ({ repos, out }) => {
        checked(`scope "${name}"`, scopeSchema.shape.name, name);
        if (opts.description.trim() === '') throw new CliError('--description: must not be empty');
        const claims = [...new Set((opts.claim ?? []).flatMap((c) => c.split(/[\s,]+/)).filter((c) => c !== ''))];
        for (const c of claims) if (!/^[A-Za-z0-9_.:-]+$/.test(c)) throw new CliError(`--claim "${c}": not a claim name`);
        const unknown = claims.filter((c) => !KNOWN_CLAIMS.includes(c));
        if (unknown.length > 0) out.note(`/userinfo has no value for ${unknown.join(', ')} yet; it releases ${KNOWN_CLAIMS.join(', ')}`);
        if ((await repos.scopes.findMany([name])).length > 0) throw new CliError(`scope "${name}" already exists`, 'conflict');
        const scope = { name, description: opts.description, claims };
        await repos.scopes.upsert(scope);
        out.result(scope, `Created scope "${name}"`);
      }),
    );

  withCommonOptions(scopes.command('list').description('list the scopes')).action((opts: CommonOptions) =>
    withStorage(opts, async ({ repos, out }) => {
      const all = await repos.scopes.list();
      out.result(all, () => table(['SCOPE', 'CLAIMS', 'DESCRIPTION'], all.map((s) => [s.name, s.claims.join(','), s.description]), 'no scopes'));
    }),
  );

  withCommonOptions(scopes.command('delete').description('delete a scope (tokens already issued keep it)').argument('<name>')).action(
    (name: string, opts: CommonOptions) =>
      withStorage(opts, async ({ repos, out, config }) => {
        if (!(await repos.scopes.delete(name))) throw new CliError(`scope "${name}" not found`, 'not_found');
        if (config.scopes.some((s) => s.name === name)) out.note(`scope "${name}" is declared in the configuration: \`latchkey start\` will create it again`);
        const users = (await repos.clients.list()).filter((c) => c.scopes.includes(name)).map((c) => c.id);
        if (users.length > 0) out.note(`client${users.length === 1 ? '' : 's'} ${users.map((c) => `"${c}"`).join(', ')} still list${users.length === 1 ? 's' : ''} scope "${name}"`);
        out.result({ deleted: name }, `Deleted scope "${name}"`);
      }),
  );
}
