import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { z } from 'zod';
import { AdminError } from '../admin/errors.ts';
import * as ops from '../admin/trusted-issuers.ts';
import { asOperator } from './admin-context.ts';
import { type CommonOptions, CliError, describeLines, type Output, output, table, withCommonOptions, withStorage } from './context.ts';
import { adminApiRequest, type ServerOption, withServerOption } from './remote.ts';

/**
 * `latchkey trusted-issuers list|show|add|update|remove`: the issuers whose JWTs are accepted as token exchange `jwt`
 * tokens (RFC 8693) and JWT bearer assertions (RFC 7523 §2.1); README "Token exchange and JWT bearer". On the
 * database, or with --server over a remote Latchkey's admin API (after `latchkey admin login --server URL`).
 */

interface IssuerOptions extends CommonOptions, ServerOption {
  issuer?: string;
  name?: string;
  jwksFile?: string;
  jwksUri?: string;
  userClaim?: string;
  userBy?: string;
}

/** The option each field comes from, to name it in an error. */
const FLAGS: Readonly<Record<string, string>> = { issuer: '--issuer', name: '--name', jwks: '--jwks-file', jwksUri: '--jwks-uri', userClaim: '--user-claim', userBy: '--user-by' };

const flagged = (fields: Readonly<Record<string, string>>): string => Object.entries(fields).map(([f, m]) => `${FLAGS[f] ?? f}: ${m}`).join('; ');

/** The same operations, on the database or over HTTP. */
interface Issuers {
  list(): Promise<ops.TrustedIssuerView[]>;
  show(issuer: string): Promise<ops.TrustedIssuerView>;
  add(input: z.output<typeof ops.trustedIssuerCreate>): Promise<ops.TrustedIssuerView>;
  replace(issuer: string, input: z.output<typeof ops.trustedIssuerReplace>): Promise<ops.TrustedIssuerView>;
  remove(issuer: string): Promise<void>;
}

async function onDatabase<T>(opts: IssuerOptions, fn: (issuers: Issuers, out: Output) => Promise<T>): Promise<T> {
  return withStorage(opts, (ctx) =>
    asOperator(ctx, async (admin) => {
      const issuers: Issuers = {
        list: async () => (await ops.listTrustedIssuers(admin)).items,
        show: async (issuer) => ops.toTrustedIssuerView(await ops.findTrustedIssuer(admin, issuer), admin),
        add: (input) => ops.createTrustedIssuer(admin, input),
        replace: async (issuer, input) => {
          await ops.findTrustedIssuer(admin, issuer);
          return (await ops.replaceTrustedIssuer(admin, issuer, input)).view;
        },
        remove: (issuer) => ops.deleteTrustedIssuer(admin, issuer),
      };
      try {
        return await fn(issuers, ctx.out);
      } catch (err) {
        if (err instanceof AdminError && err.code === 'invalid_request' && err.fields) throw new CliError(flagged(err.fields), 'invalid_argument');
        throw err;
      }
    }),
  );
}

function overHttp(server: string): Issuers {
  const path = (issuer?: string) => `/trusted-issuers${issuer === undefined ? '' : `/${encodeURIComponent(issuer)}`}`;
  const call = async (method: string, p: string, body?: unknown): Promise<unknown> => {
    const { status, body: answer } = await adminApiRequest(server, method, p, body);
    if (status >= 200 && status < 300) return answer;
    const e = (answer ?? {}) as { error?: string; error_description?: string; fields?: Record<string, string> };
    if (status === 422 && e.fields) throw new CliError(flagged(e.fields), 'invalid_argument');
    const code = status === 404 ? 'not_found' : status === 409 ? 'conflict' : 'oauth_error';
    throw new CliError(status === 404 || status === 409 ? (e.error_description ?? `HTTP ${status}`) : `the admin API at ${server} refused: ${e.error ?? `HTTP ${status}`}`, code);
  };
  return {
    list: async () => ops.trustedIssuerList.parse(await call('GET', path())).items,
    show: async (issuer) => ops.trustedIssuerView.parse(await call('GET', path(issuer))),
    add: async (input) => ops.trustedIssuerView.parse(await call('POST', path(), input)),
    replace: async (issuer, input) => {
      // PUT would create a missing issuer: update changes an existing one only.
      await call('GET', path(issuer));
      return ops.trustedIssuerView.parse(await call('PUT', path(issuer), input));
    },
    remove: async (issuer) => void (await call('DELETE', path(issuer))),
  };
}

function withIssuers<T>(opts: IssuerOptions, fn: (issuers: Issuers, out: Output) => Promise<T>): Promise<T> {
  return opts.server === undefined ? onDatabase(opts, fn) : fn(overHttp(opts.server), output(opts.json === true));
}

/** A JWK Set, or one JWK, from a file. Its content is never echoed: a private key given by mistake stays unprinted. */
function readJwks(file: string): { keys: Record<string, unknown>[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new CliError(`--jwks-file: cannot read ${file}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CliError(`--jwks-file: ${file} is not JSON`);
  }
  if (typeof parsed === 'object' && parsed !== null && Array.isArray((parsed as { keys?: unknown }).keys)) return parsed as { keys: Record<string, unknown>[] };
  if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { kty?: unknown }).kty === 'string') return { keys: [parsed as Record<string, unknown>] };
  throw new CliError(`--jwks-file: ${file} is neither a JWK Set ({"keys": [...]}) nor a JWK`);
}

/** Parses with the admin API's own schema, so the CLI and the API accept the same values. */
function parse<S extends z.ZodType>(schema: S, input: Record<string, unknown>): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = String(issue?.path[0] ?? '');
  throw new CliError(`${FLAGS[field] ?? field}: ${issue?.message ?? 'invalid'}`, 'invalid_argument');
}

function required(opts: IssuerOptions): string {
  if (opts.issuer === undefined) throw new CliError('--issuer: give the issuer (the JWTs\' iss)');
  return opts.issuer;
}

/** The fields the options set; the keys from a file or a URI (giving both is refused by the shared rules). */
function fields(opts: IssuerOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (opts.name !== undefined) out['name'] = opts.name;
  if (opts.jwksFile !== undefined) out['jwks'] = readJwks(opts.jwksFile);
  if (opts.jwksUri !== undefined) out['jwksUri'] = opts.jwksUri;
  if (opts.userClaim !== undefined) out['userClaim'] = opts.userClaim;
  if (opts.userBy !== undefined) out['userBy'] = opts.userBy;
  return out;
}

function describe(t: ops.TrustedIssuerView): string {
  return describeLines(`Trusted issuer ${t.issuer}`, [
    ['name', t.name],
    ['keys', t.jwksUri ?? `${t.jwks?.keys.length ?? 0} inline (${(t.jwks?.keys ?? []).map((k) => String(k['kid'] ?? k['kty'] ?? '?')).join(', ')})`],
    ['user', `claim ${t.userClaim} holds the ${t.userBy === 'id' ? 'user id' : 'username'}`],
    ['declared in config', t.declaredInConfig ? 'yes (`latchkey start` writes it back as declared)' : 'no'],
  ]);
}

function keyOptions(cmd: Command): Command {
  return withServerOption(withCommonOptions(cmd))
    .option('--issuer <iss>', 'the issuer: the JWTs\' iss, exactly')
    .option('--name <name>', 'what the console and this command call it (default: the issuer)')
    .option('--jwks-file <file>', 'the issuer\'s public keys: a JSON file with a JWK Set or one JWK (never a private key)')
    .option('--jwks-uri <url>', 'or where to fetch its JWK Set (https)')
    .option('--user-claim <claim>', 'the claim that names the Latchkey user (default sub)')
    .option('--user-by <what>', 'what that claim holds: username (default) or id');
}

export function registerTrustedIssuers(program: Command): void {
  const cmd = program.command('trusted-issuers').description('manage the issuers whose JWTs are accepted (RFC 8693 token exchange, RFC 7523 JWT bearer)');

  withServerOption(withCommonOptions(cmd.command('list').description('list the trusted issuers'))).action((opts: IssuerOptions) =>
    withIssuers(opts, async (issuers, out) => {
      const items = await issuers.list();
      out.result(items, () =>
        table(['ISSUER', 'NAME', 'KEYS', 'USER'], items.map((t) => [t.issuer, t.name, t.jwksUri ?? `${t.jwks?.keys.length ?? 0} inline`, `${t.userClaim} (${t.userBy})`]), 'no trusted issuers: `latchkey trusted-issuers add --issuer <iss> --jwks-file <file>`'),
      );
    }),
  );

  withServerOption(withCommonOptions(cmd.command('show').description('show one trusted issuer'))).option('--issuer <iss>', 'the issuer').action((opts: IssuerOptions) =>
    withIssuers(opts, async (issuers, out) => {
      const view = await issuers.show(required(opts));
      out.result(view, () => describe(view));
    }),
  );

  keyOptions(cmd.command('add').description('trust an issuer: its JWTs are then accepted for the users they name')).action((opts: IssuerOptions) =>
    withIssuers(opts, async (issuers, out) => {
      const created = await issuers.add(parse(ops.trustedIssuerCreate, { issuer: required(opts), ...fields(opts) }));
      out.result(created, `Trusted issuer "${created.issuer}"\n${describe(created)}`);
    }),
  );

  keyOptions(cmd.command('update').description('change a trusted issuer; new keys are used from the next JWT on')).action((opts: IssuerOptions) =>
    withIssuers(opts, async (issuers, out) => {
      const issuer = required(opts);
      const current = await issuers.show(issuer);
      const given = fields(opts);
      // New keys replace the old ones, whichever way they were given.
      const keys = given['jwks'] !== undefined || given['jwksUri'] !== undefined ? {} : { jwks: current.jwks, jwksUri: current.jwksUri };
      const input = parse(ops.trustedIssuerReplace, { name: current.name, userClaim: current.userClaim, userBy: current.userBy, ...keys, ...given });
      const updated = await issuers.replace(issuer, input);
      if (updated.declaredInConfig) out.note(`"${issuer}" is declared in the config file: \`latchkey start\` writes it back as declared`);
      out.result(updated, `Updated trusted issuer "${issuer}"\n${describe(updated)}`);
    }),
  );

  withServerOption(withCommonOptions(cmd.command('remove').description('stop trusting an issuer: its JWTs are refused from then on'))).option('--issuer <iss>', 'the issuer').action((opts: IssuerOptions) =>
    withIssuers(opts, async (issuers, out) => {
      const issuer = required(opts);
      const declared = (await issuers.show(issuer)).declaredInConfig;
      await issuers.remove(issuer);
      if (declared) out.note(`"${issuer}" is declared in the config file: \`latchkey start\` adds it again`);
      out.result({ removed: issuer }, `Removed trusted issuer "${issuer}"`);
    }),
  );
}
