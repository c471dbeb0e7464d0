import { TOKEN_EXCHANGE_GRANT, type Client } from '../model.ts';

/**
 * The rules a client's token exchange policy (Client.tokenExchange, RFC 8693 §5) must keep, the same for the
 * configuration file, the CLI, the admin API and the console; each problem is named by the field it is about.
 * `knownResources`, when given, are the registered resource identifiers the policy's `resources` must come from
 * (a token is issued only for a registered resource, RFC 8707 §2; an unknown one would be invalid_target forever).
 */
export function tokenExchangeProblems(c: Pick<Client, 'grantTypes' | 'tokenExchange'>, knownResources?: readonly string[]): { grantTypes?: string; resources?: string } {
  const policy = c.tokenExchange;
  if (!policy) return {};
  const out: { grantTypes?: string; resources?: string } = {};
  // A policy without the grant would never be used: the token endpoint refuses the grant first (RFC 6749 §5.2).
  if (!c.grantTypes.includes(TOKEN_EXCHANGE_GRANT)) out.grantTypes = `a token exchange policy needs the grant type ${TOKEN_EXCHANGE_GRANT}`;
  const unknown = knownResources === undefined ? [] : policy.resources.filter((r) => !knownResources.includes(r));
  if (unknown.length > 0) out.resources = `unknown resource${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}: register ${unknown.length > 1 ? 'them' : 'it'} first`;
  return out;
}
