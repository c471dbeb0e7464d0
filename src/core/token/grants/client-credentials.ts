import { grantId } from '../../crypto.ts';
import { parseScope, resolveScope } from '../../scope.ts';
import type { Repositories } from '../../../storage/repositories.ts';
import type { GrantDeps, GrantHandler } from '../grant.ts';
import { issueTokens } from '../issue.ts';

type Repos = Pick<Repositories, 'tokens' | 'grants' | 'transaction'>;

/** RFC 6749 §4.4: confidential clients only; no refresh token (§4.4.3). */
export function clientCredentialsGrant(repos: Repos, deps: GrantDeps, knownScopes: () => Promise<ReadonlySet<string>>): GrantHandler {
  return {
    grantType: 'client_credentials',
    parameters: [],
    allowsPublicClients: false,
    async handle({ client, params, now, accessTokenTtlDefault }) {
      const scope = resolveScope(parseScope(params['scope']), client.scopes, await knownScopes(), params['scope'] !== undefined);
      return repos.transaction(async (tx) => {
        const id = grantId();
        await tx.grants.create({ id, clientId: client.id, userId: null, scope, createdAt: now });
        return issueTokens(tx, deps.config, { client, grantId: id, userId: null, scope, refresh: false, now, accessTokenTtlDefault });
      });
    },
  };
}
