import { authenticateClient, type ClientAuthInput } from './client-auth/authenticate.ts';
import type { CoreDeps } from './context.ts';
import { credentialKey } from './crypto.ts';
import { InvalidClient, InvalidRequest } from './errors.ts';
import { isDisabled } from './model.ts';
import { subjectFor } from './oidc/subject.ts';
import { formatScope } from './scope.ts';
import { isTokenActive } from './token/issue.ts';

/**
 * RFC 7662 token introspection. The caller must be an authenticated confidential client (§2.1), and learns only
 * about tokens issued to itself: anything else is `{"active": false}` (§2.2), so it cannot probe other clients' tokens.
 * The exception is a client registered as a resource server (`introspectAny`): an API that accepts every client's tokens.
 */
export async function introspect(deps: CoreDeps<'clients' | 'clientAssertionJtis' | 'tokens' | 'users'>, input: ClientAuthInput): Promise<Record<string, unknown>> {
  const { client, method } = await authenticateClient(deps, input);
  if (method === 'none') throw new InvalidClient('introspection requires client authentication');
  const token = input.params['token'];
  if (!token) throw new InvalidRequest('token is required');
  const row = await deps.repos.tokens.findByHash(credentialKey(token));
  if (!row || (row.clientId !== client.id && !client.introspectAny) || !isTokenActive(row, deps.clock.now())) return { active: false };
  // The sub the token's own client sees in its ID tokens and UserInfo (below); and while an administrator has
  // disabled that client, its tokens are not active anywhere.
  const holder = row.clientId === client.id ? client : await deps.repos.clients.findById(row.clientId);
  if (holder && isDisabled(holder)) return { active: false };
  const user = row.userId === null ? undefined : await deps.repos.users.findById(row.userId);
  const out: Record<string, unknown> = {
    active: true,
    scope: formatScope(row.scope),
    client_id: row.clientId,
    token_type: row.type === 'access_token' ? 'Bearer' : 'refresh_token',
    iat: row.issuedAt,
    iss: deps.config.issuer,
  };
  if (row.expiresAt !== null) out['exp'] = row.expiresAt;
  if (row.userId !== null) {
    // OpenID Connect Core §8: public or pairwise, as the holder sees it.
    out['sub'] = holder ? subjectFor(holder, row.userId, deps.config.oidc.pairwiseSalt) : row.userId;
  }
  if (user) out['username'] = user.username;
  return out;
}
