import type * as oauth from 'oauth4webapi';
import { CliError } from '../context.ts';
import type { CheckedJwt } from './jwt-check.ts';

/** The fields of a token response that --print may name (RFC 6749 §5.1, OpenID Connect Core §3.1.3.3). */
export const PRINTABLE = ['access_token', 'id_token', 'refresh_token', 'token_type', 'scope', 'expires_in'] as const;

export interface TokenAnswer {
  response: oauth.TokenEndpointResponse;
  /** Seconds since the epoch. */
  expiresAt: number | undefined;
  idToken: CheckedJwt | undefined;
  /** Where it came from: a new grant, the cache as it was, or a refresh of the cached one. */
  origin: 'grant' | 'cache' | 'refreshed';
}

export interface OutputChoice {
  json?: boolean;
  print?: string;
  export?: boolean;
}

/**
 * What goes to stdout. --print FIELD: that field alone (for `$(…)`); --export: a shell `export` line; --json, or
 * stdout not a terminal: the token response as the server sent it (expires_in counted down for a cached token);
 * otherwise a summary for a person, which shows no token at all: they are asked for explicitly.
 */
export function renderAnswer(answer: TokenAnswer, choice: OutputChoice, nowSeconds: number, isTty: boolean): string {
  const response = { ...answer.response } as Record<string, unknown>;
  if (answer.expiresAt !== undefined) response['expires_in'] = Math.max(0, answer.expiresAt - nowSeconds);
  if (choice.print !== undefined) {
    if (!(PRINTABLE as readonly string[]).includes(choice.print)) throw new CliError(`--print "${choice.print}": use one of ${PRINTABLE.join(', ')}`);
    const value = response[choice.print];
    if (value === undefined) throw new CliError(`--print ${choice.print}: the token response has no ${choice.print}`, 'not_found');
    return `${String(value)}\n`;
  }
  if (choice.export === true) return `export ACCESS_TOKEN=${shellQuote(answer.response.access_token)}\n`;
  if (choice.json === true || !isTty) return `${JSON.stringify(response, null, 2)}\n`;
  return summary(answer, response, nowSeconds);
}

/** POSIX single quotes; a token has none, but the server is not trusted to know that. */
const shellQuote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

function summary(answer: TokenAnswer, response: Record<string, unknown>, nowSeconds: number): string {
  const r = answer.response;
  const lines = [`${r.token_type === 'dpop' ? 'DPoP-bound' : 'Bearer'} access token ${answer.origin === 'cache' ? '(from the cache)' : answer.origin === 'refreshed' ? '(refreshed)' : 'obtained'}`];
  lines.push(`  scopes:   ${typeof response['scope'] === 'string' && response['scope'] !== '' ? response['scope'] : '(as requested; the server did not list them)'}`);
  if (answer.expiresAt !== undefined) {
    const left = answer.expiresAt - nowSeconds;
    lines.push(`  expires:  ${new Date(answer.expiresAt * 1000).toISOString()} (in ${left >= 120 ? `${Math.round(left / 60)} min` : `${left} s`})`);
  }
  lines.push(`  refresh:  ${r.refresh_token === undefined ? 'none' : 'a refresh token was issued (kept in the cache)'}`);
  if (answer.idToken !== undefined) lines.push(...idTokenLines(answer.idToken));
  lines.push('', 'Print it with --print access_token, export it with --export, or all of it with --json.');
  return `${lines.join('\n')}\n`;
}

export function idTokenLines(jwt: CheckedJwt, heading = 'ID token'): string[] {
  const how = jwt.verified ? `signature verified (${String(jwt.header.alg)}${jwt.header.kid === undefined ? '' : `, kid ${jwt.header.kid}`})` : `NOT verified: ${jwt.problem ?? 'unknown'}`;
  const lines = [`  ${heading}: ${how}`];
  for (const [name, value] of Object.entries(jwt.claims)) {
    const shown = (name === 'exp' || name === 'iat' || name === 'nbf' || name === 'auth_time') && typeof value === 'number' ? `${value} (${new Date(value * 1000).toISOString()})` : JSON.stringify(value);
    lines.push(`    ${name}: ${shown}`);
  }
  return lines;
}
