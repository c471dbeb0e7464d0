import type { CoreDeps } from './context.ts';
import { credentialKey } from './crypto.ts';
import { InsufficientScope, InvalidRequest, InvalidToken } from './errors.ts';
import { isDisabled, type Token } from './model.ts';
import { isTokenActive } from './token/issue.ts';

/** Where a bearer token may come from (RFC 6750 §2.1 header, §2.2 form body, §2.3 query). */
export interface BearerSources {
  authorization: string | undefined;
  /** access_token from an application/x-www-form-urlencoded body. */
  body: string | undefined;
  /** access_token from the query string (only honoured when configured). */
  query: string | undefined;
}

/** RFC 6750 §2: exactly one method; more than one is invalid_request. */
export function extractBearer(src: BearerSources, allowQuery: boolean): string {
  const found: string[] = [];
  if (src.authorization !== undefined) {
    const m = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(src.authorization);
    if (!m?.[1]) {
      if (/^Bearer\b/i.test(src.authorization)) throw new InvalidRequest('malformed Bearer authorization header');
    } else found.push(m[1]);
  }
  if (src.body !== undefined) found.push(src.body);
  if (src.query !== undefined) {
    if (!allowQuery) throw new InvalidRequest('access tokens in the query string are not accepted here');
    found.push(src.query);
  }
  if (found.length > 1) throw new InvalidRequest('use only one method to send the access token');
  const token = found[0];
  if (!token) throw new InvalidToken('an access token is required', { cause: 'missing' });
  return token;
}

/** True when the error is a missing token: RFC 6750 §3.1 says not to include an error code then. */
export const isMissingToken = (err: unknown): boolean => err instanceof InvalidToken && err.cause === 'missing';

/**
 * Validates an access token and (optionally) that it carries one of `anyOf` scopes. The token's application must
 * still exist and not be disabled: a disabled application's tokens are inactive everywhere (introspection too).
 */
export async function authenticateAccessToken(
  deps: CoreDeps<'tokens' | 'clients'>,
  token: string,
  anyOf?: readonly string[],
): Promise<Token> {
  const row = await deps.repos.tokens.findByHash(credentialKey(token));
  if (!row || row.type !== 'access_token' || !isTokenActive(row, deps.clock.now())) {
    throw new InvalidToken('the access token is invalid, expired or revoked');
  }
  // RFC 9700 §2.3 audience restriction: a token issued for a resource (RFC 8707) is good there only, not at the
  // authorization server's own endpoints (UserInfo, the admin API).
  if (row.resource) throw new InvalidToken('the access token was issued for another resource');
  const client = await deps.repos.clients.findById(row.clientId);
  if (!client || isDisabled(client)) throw new InvalidToken('the application of this access token is disabled or no longer exists');
  if (anyOf && anyOf.length > 0 && !anyOf.some((s) => row.scope.includes(s))) {
    throw new InsufficientScope('the access token does not carry the required scope', anyOf.join(' '));
  }
  return row;
}
