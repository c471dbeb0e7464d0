import type { Command } from 'commander';
import type { z } from 'zod';
import { AdminError } from '../admin/errors.ts';
import * as ops from '../admin/resources.ts';
import { asOperator } from './admin-context.ts';
import { type CliContext, CliError, type CommonOptions, collect, describeLines, table, withCommonOptions, withStorage } from './context.ts';

/** `latchkey resources create|list|show|update|delete`: the APIs access tokens are issued for (RFC 8707; README "Resources (APIs)"). */

interface ResourceOptions extends CommonOptions {
  name?: string;
  scope?: string[];
  format?: string;
  ttl?: string;
  introspectionClient?: string;
  /** --dpop-required / --no-dpop-required; undefined when neither is given. */
  dpopRequired?: boolean;
}

/** The argument or option each field comes from, to name it in an error. */
const FLAGS: Readonly<Record<string, string>> = {
  id: '<identifier>',
  name: '--name',
  scopes: '--scope',
  accessTokenFormat: '--format',
  accessTokenTtl: '--ttl',
  introspectionClientId: '--introspection-client',
  dpopBoundAccessTokensRequired: '--dpop-required',
};

/** The admin operations as the operator at the machine, their field errors named by this command's options. */
async function run<T>(ctx: CliContext, fn: (admin: Parameters<Parameters<typeof asOperator>[1]>[0]) => Promise<T>): Promise<T> {
  return asOperator(ctx, async (admin) => {
    try {
      return await fn(admin);
    } catch (err) {
      if (!(err instanceof AdminError) || err.code !== 'invalid_request' || !err.fields) throw err;
      throw new CliError(Object.entries(err.fields).map(([f, m]) => `${FLAGS[f] ?? f}: ${m}`).join('; '), 'invalid_argument');
    }
  });
}

/** Parses the options with the admin API's own schema, so the CLI and the API accept the same values. */
function parse<S extends z.ZodType>(schema: S, input: Record<string, unknown>): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = String(issue?.path[0] ?? '');
  throw new CliError(`${FLAGS[field] ?? field}: ${issue?.message ?? 'invalid'}`, 'invalid_argument');
}

/** `--ttl 300`, or `--ttl none` for the server's default. */
function ttl(value: string | undefined): number | null | undefined {
  if (value === undefined) return undefined;
  if (value === 'none') return null;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new CliError('--ttl: a whole number of seconds, or none');
  return n;
}

const fields = (o: ResourceOptions): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  if (o.name !== undefined) out['name'] = o.name;
  if (o.scope !== undefined) out['scopes'] = o.scope.flatMap((s) => s.split(/[\s,]+/)).filter((s) => s !== '');
  if (o.format !== undefined) out['accessTokenFormat'] = o.format;
  const t = ttl(o.ttl);
  if (t !== undefined) out['accessTokenTtl'] = t;
  if (o.introspectionClient !== undefined) out['introspectionClientId'] = o.introspectionClient === 'none' ? null : o.introspectionClient;
  if (o.dpopRequired !== undefined) out['dpopBoundAccessTokensRequired'] = o.dpopRequired;
  return out;
};

function describe(r: ops.ResourceView): string {
  return describeLines(`Resource ${r.id}`, [
    ['name', r.name],
    ['scopes', r.scopes.join(' ') || '-'],
    ['token format', r.accessTokenFormat],
    ['token lifetime', r.accessTokenTtl === null ? 'default' : `${r.accessTokenTtl} s`],
    ['introspection client', r.introspectionClientId ?? '-'],
    ['DPoP', r.dpopBoundAccessTokensRequired ? 'required (RFC 9449 §7.2)' : 'optional'],
  ]);
}

function resourceOptions(cmd: Command): Command {
  return cmd
    .option('--scope <scope>', 'a scope this API defines (repeatable); created when new. A scope belongs to at most one resource', collect)
    .option('--format <format>', 'access-token format: opaque (introspected) or jwt (RFC 9068, validated locally)')
    .option('--ttl <seconds>', 'access-token lifetime for this API; none: the default (resourceTokens.jwtAccessTokenTtl for jwt)')
    .option('--introspection-client <client-id>', 'the client the API authenticates as to introspect its tokens; none to clear')
    .option('--dpop-required', 'the API accepts only DPoP-bound access tokens: a token request for it without a DPoP proof is refused (RFC 9449 §7.2)')
    .option('--no-dpop-required', 'bearer access tokens too (the default)');
}

export function registerResources(program: Command): void {
  const resources = program.command('resources').description('manage resources (APIs) that access tokens are issued for (RFC 8707)');
  const declaredNote = (ctx: CliContext, id: string) => {
    if (ctx.config.resources.some((r) => r.id === id)) ctx.out.note(`resource "${id}" is declared in the config file: \`latchkey start\` writes it back as declared`);
  };

  resourceOptions(withCommonOptions(resources.command('create').description('register an API; its identifier is an absolute URI (RFC 8707 §2)').argument('<identifier>')))
    .requiredOption('--name <name>', 'name shown on the consent page')
    .action((id: string, opts: ResourceOptions) =>
      withStorage(opts, async (ctx) => {
        const input = parse(ops.resourceCreate, { id, ...fields(opts) });
        const created = await run(ctx, (admin) => ops.createResource(admin, input));
        ctx.out.result(created, `Created resource "${created.id}"\n${describe(created)}`);
      }),
    );

  withCommonOptions(resources.command('list').description('list the resources')).action((opts: CommonOptions) =>
    withStorage(opts, async (ctx) => {
      const { items } = await run(ctx, (admin) => ops.listResources(admin));
      ctx.out.result(items, () =>
        table(['IDENTIFIER', 'NAME', 'FORMAT', 'SCOPES'], items.map((r) => [r.id, r.name, r.accessTokenFormat, r.scopes.join(' ')]), 'no resources: `latchkey resources create <identifier> --name <name>`'),
      );
    }),
  );

  withCommonOptions(resources.command('show').description('show one resource').argument('<identifier>')).action((id: string, opts: CommonOptions) =>
    withStorage(opts, async (ctx) => {
      const view = await run(ctx, async (admin) => ops.toResourceView(await ops.findResource(admin, id), admin));
      ctx.out.result(view, () => describe(view));
    }),
  );

  resourceOptions(withCommonOptions(resources.command('update').description('change a resource; --scope replaces the stored list').argument('<identifier>')))
    .option('--name <name>', 'name shown on the consent page')
    .action((id: string, opts: ResourceOptions) =>
      withStorage(opts, async (ctx) => {
        const patch = parse(ops.resourceUpdate, fields(opts));
        const updated = await run(ctx, (admin) => ops.updateResource(admin, id, patch));
        declaredNote(ctx, id);
        ctx.out.result(updated, `Updated resource "${id}"\n${describe(updated)}`);
      }),
    );

  withCommonOptions(resources.command('delete').description('delete a resource and revoke the access tokens issued for it').argument('<identifier>')).action(
    (id: string, opts: CommonOptions) =>
      withStorage(opts, async (ctx) => {
        const { revokedTokens } = await run(ctx, (admin) => ops.deleteResource(admin, id));
        declaredNote(ctx, id);
        ctx.out.result({ deleted: id, revokedTokens }, `Deleted resource "${id}" (revoked ${revokedTokens} active token${revokedTokens === 1 ? '' : 's'})`);
      }),
  );
}
