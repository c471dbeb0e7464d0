import { authenticateClient, type ClientAuthInput } from './client-auth/authenticate.ts';
import type { CoreDeps } from './context.ts';
import { credentialKey } from './crypto.ts';
import { InvalidClient, InvalidRequest } from './errors.ts';
import { isDisabled } from './model.ts';
import { subjectFor } from './oidc/subject.ts';
import { formatScope } from './scope.ts';
import { isTokenActive } from './token/issue.ts';

/**
 * Whether `clientId` is the introspection identity of the token's resource: a resource (an API) names the client it
 * authenticates as (resources.introspectionClientId) and learns about the tokens issued for it, and no others.
 */
async function introspectsFor(deps: CoreDeps<'resources'>, clientId: string, resource: string | null | undefined): Promise<boolean> {
  if (!resource) return false;
  return (await deps.repos.resources.findById(resource))?.introspectionClientId === clientId;
}

/**
 * RFC 7662 token introspection. The caller must be an authenticated confidential client (§2.1), and learns only
 * about tokens issued to itself: anything else is `{"active": false}` (§2.2), so it cannot probe other clients' tokens.
 * The exceptions: a client registered as a resource server (`introspectAny`), an API that accepts every client's tokens;
 * and a resource's introspection client, for the tokens issued for that resource (RFC 8707 audience).
 */
export async function introspect(deps: CoreDeps<'clients' | 'clientAssertionJtis' | 'tokens' | 'users' | 'resources'>, input: ClientAuthInput): Promise<Record<string, unknown>> {
  const { client, method } = await authenticateClient(deps, input);
  if (method === 'none') throw new InvalidClient('introspection requires client authentication');
  const token = input.params['token'];
  if (!token) throw new InvalidRequest('token is required');
  const row = await deps.repos.tokens.findByHash(credentialKey(token));
  if (!row || !isTokenActive(row, deps.clock.now())) return { active: false };
  if (row.clientId !== client.id && !client.introspectAny && !(await introspectsFor(deps, client.id, row.resource))) return { active: false };
  // The sub the token's own client sees in its ID tokens and UserInfo (below); and while an administrator has
  // disabled that client, its tokens are not active anywhere.
  const holder = row.clientId === client.id ? client : await deps.repos.clients.findById(row.clientId);
  if (holder && isDisabled(holder)) return { active: false };
  const user = row.userId === null ? undefined : await deps.repos.users.findById(row.userId);
  const out: Record<string, unknown> = {
    active: true,
    scope: formatScope(row.scope),
    client_id: row.clientId,
    // RFC 9449 §6.2: a DPoP-bound access token is of type DPoP and carries its key's thumbprint as cnf.jkt.
    token_type: row.type !== 'access_token' ? 'refresh_token' : row.dpopJkt === null ? 'Bearer' : 'DPoP',
    iat: row.issuedAt,
    iss: deps.config.issuer,
  };
  if (row.expiresAt !== null) out['exp'] = row.expiresAt;
  // RFC 7662 §2.2 aud: the resource the token is for (RFC 8707), so a resource server can check it is the audience.
  if (row.resource) out['aud'] = row.resource;
  if (row.dpopJkt !== null) out['cnf'] = { jkt: row.dpopJkt };
  // RFC 8693 §4.1: a delegated token's actor, as in the JWT ("act" is registered for introspection responses too).
  if (row.act !== undefined) out['act'] = row.act;
  if (row.userId !== null) {
    // OpenID Connect Core §8: public or pairwise, as the holder sees it.
    out['sub'] = holder ? subjectFor(holder, row.userId, deps.config.oidc.pairwiseSalt) : row.userId;
  }
  if (user) out['username'] = user.username;
  return out;
}
