import type { Command } from 'commander';
import { SUBJECT_TOKEN_TYPES, type TokenExchangePolicy } from '../config/token-exchange-schema.ts';
import { TOKEN_EXCHANGE_GRANT, type Client } from '../core/model.ts';
import { tokenExchangeProblems } from '../core/token-exchange/policy-rules.ts';
import type { Repositories } from '../core/repositories.ts';
import { CliError, collect } from './context.ts';

/**
 * The token exchange policy options of `clients create|update` (RFC 8693 §5: what a client may exchange; Client.tokenExchange),
 * and how `clients show` prints the policy. Deny by default: a client without a policy may not exchange.
 */

export interface TokenExchangeOptions {
  /** false with --no-token-exchange (commander sets true when it is absent, as for every --no- option alone). */
  tokenExchange?: boolean;
  tokenExchangeSubjectTypes?: string[];
  tokenExchangeResources?: string[];
  tokenExchangeScopes?: string[];
  tokenExchangeImpersonation?: boolean;
  tokenExchangeDelegation?: boolean;
  tokenExchangeOtherClients?: boolean;
  tokenExchangeRefreshTokens?: boolean;
}

export function tokenExchangeOptions(cmd: Command): Command {
  return cmd
    .option('--token-exchange-subject-types <types>', `token exchange (RFC 8693): the subject (and actor) token types the client may present (repeatable): ${SUBJECT_TOKEN_TYPES.join(', ')}; turns its policy on`, collect)
    .option('--token-exchange-resources <ids>', 'token exchange: the registered resources it may ask tokens for (repeatable); none: only tokens without audience', collect)
    .option('--token-exchange-scopes <scopes>', 'token exchange: the scopes its tokens may carry at most (repeatable); none: the subject token\'s', collect)
    .option('--token-exchange-impersonation', 'token exchange: may exchange without an actor token')
    .option('--no-token-exchange-impersonation', 'token exchange: may not exchange without an actor token')
    .option('--token-exchange-delegation', 'token exchange: may exchange with an actor token (act claim, RFC 8693 §4.1)')
    .option('--no-token-exchange-delegation', 'token exchange: may not exchange with an actor token')
    .option('--token-exchange-other-clients', 'token exchange: may present access and ID tokens issued to other clients')
    .option('--no-token-exchange-other-clients', 'token exchange: only tokens issued to this client')
    .option('--token-exchange-refresh-tokens', 'token exchange: the answer carries a refresh token too (RFC 8693 §2.2.1; needs --grant-type refresh_token)')
    .option('--no-token-exchange-refresh-tokens', 'token exchange: access tokens only (the default)')
    .option('--no-token-exchange', 'remove the token exchange policy: the client may not exchange (the default)');
}

const words = (values: readonly string[], separator: RegExp): string[] => [...new Set(values.flatMap((v) => v.split(separator)).filter((v) => v !== ''))];
/**
 * A list option where `none` empties the list. Split on spaces only: a comma may appear in a scope (RFC 6749 §3.3)
 * and in a URI (RFC 3986 §2.2).
 */
const list = (values: readonly string[] | undefined): string[] | undefined => (values === undefined ? undefined : words(values, /\s+/).filter((v) => v !== 'none'));

/**
 * The policy after these options: undefined when none was given (unchanged), null for --no-token-exchange, else the
 * current policy (or a new one) with the options given applied; lists replace the stored ones.
 */
export function parseTokenExchange(opts: TokenExchangeOptions, current: TokenExchangePolicy | null | undefined): TokenExchangePolicy | null | undefined {
  const types = opts.tokenExchangeSubjectTypes === undefined ? undefined : words(opts.tokenExchangeSubjectTypes, /[\s,]+/);
  const resources = list(opts.tokenExchangeResources);
  const scopes = list(opts.tokenExchangeScopes);
  const flags = { impersonation: opts.tokenExchangeImpersonation, delegation: opts.tokenExchangeDelegation, otherClientsTokens: opts.tokenExchangeOtherClients, refreshTokens: opts.tokenExchangeRefreshTokens };
  const given = types !== undefined || resources !== undefined || scopes !== undefined || Object.values(flags).some((f) => f !== undefined);
  if (opts.tokenExchange === false) {
    if (given) throw new CliError('--no-token-exchange: removes the policy; drop the other --token-exchange options');
    return null;
  }
  if (!given) return undefined;
  for (const t of types ?? []) {
    if (!(SUBJECT_TOKEN_TYPES as readonly string[]).includes(t)) throw new CliError(`--token-exchange-subject-types "${t}": use one of ${SUBJECT_TOKEN_TYPES.join(', ')}`);
  }
  const subjectTokenTypes = (types ?? current?.subjectTokenTypes ?? []) as TokenExchangePolicy['subjectTokenTypes'];
  if (subjectTokenTypes.length === 0) {
    throw new CliError(`--token-exchange-subject-types: give at least one of ${SUBJECT_TOKEN_TYPES.join(', ')} to turn the client's token exchange policy on`);
  }
  return {
    // Members these options do not set (added to the policy later) stay as they were.
    ...current,
    subjectTokenTypes,
    resources: resources ?? current?.resources ?? [],
    scopes: scopes ?? current?.scopes ?? [],
    impersonation: flags.impersonation ?? current?.impersonation ?? false,
    delegation: flags.delegation ?? current?.delegation ?? false,
    otherClientsTokens: flags.otherClientsTokens ?? current?.otherClientsTokens ?? false,
    refreshTokens: flags.refreshTokens ?? current?.refreshTokens ?? false,
  };
}

/**
 * The rules of core/token-exchange/policy-rules.ts, named by the option that fixes each; the resources only when the
 * policy changes (a resource deleted since does not block other edits, as in the admin API).
 */
export async function checkTokenExchange(c: Pick<Client, 'grantTypes' | 'tokenExchange'>, repos: Pick<Repositories, 'resources'>, policyChanged = true): Promise<void> {
  if (!c.tokenExchange) return;
  const problems = tokenExchangeProblems(c, policyChanged ? (await repos.resources.list()).map((r) => r.id) : undefined);
  if (problems.grantTypes !== undefined) throw new CliError(`--grant-type: ${problems.grantTypes}; add --grant-type ${TOKEN_EXCHANGE_GRANT}`);
  if (problems.resources !== undefined) throw new CliError(`--token-exchange-resources: ${problems.resources} (latchkey resources create)`);
}

/** The line of `clients show`. */
export function describeTokenExchange(p: TokenExchangePolicy | null | undefined): string {
  if (!p) return 'not allowed (no policy)';
  const modes = [p.impersonation ? 'impersonation' : '', p.delegation ? 'delegation' : ''].filter(Boolean);
  return [
    `subject types ${p.subjectTokenTypes.join(', ')}`,
    modes.length > 0 ? modes.join(' and ') : 'neither impersonation nor delegation',
    `resources ${p.resources.length > 0 ? p.resources.join(', ') : '(none: no audience)'}`,
    `scopes ${p.scopes.length > 0 ? p.scopes.join(' ') : '(the subject token\'s)'}`,
    p.otherClientsTokens ? 'other clients\' tokens too' : 'its own tokens only',
    ...(p.refreshTokens ? ['refresh tokens too'] : []),
  ].join('; ');
}
