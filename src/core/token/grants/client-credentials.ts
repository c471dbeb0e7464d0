import { grantId } from '../../crypto.ts';
import type { Scope } from '../../model.ts';
import { InvalidScope } from '../../errors.ts';
import { needsUser, parseScope, resolveScope } from '../../scope.ts';
import type { Repositories } from '../../../storage/repositories.ts';
import type { GrantDeps, GrantHandler } from '../grant.ts';
import { issueTokens } from '../issue.ts';

type Repos = Pick<Repositories, 'tokens' | 'grants' | 'transaction'>;

/**
 * RFC 6749 §4.4: confidential clients only; no refresh token (§4.4.3). The client acts for itself, so scopes that
 * stand for a user (scope.ts `needsUser`) are refused when asked for (invalid_scope, §5.2) and left out of the
 * default when `scope` is omitted (§3.3 lets the server choose the default).
 */
export function clientCredentialsGrant(repos: Repos, deps: GrantDeps, scopeCatalogue: () => Promise<readonly Scope[]>): GrantHandler {
  return {
    grantType: 'client_credentials',
    parameters: [],
    allowsPublicClients: false,
    async handle({ client, params, now, accessTokenTtlDefault, dpopJkt }) {
      const catalogue = await scopeCatalogue();
      const known = new Set(catalogue.map((s) => s.name));
      const forUsers = (name: string) => needsUser(catalogue.find((s) => s.name === name) ?? { name, claims: [] });
      const provided = params['scope'] !== undefined;
      let scope = resolveScope(parseScope(params['scope']), client.scopes, known, provided);
      if (provided) {
        const refused = scope.filter(forUsers);
        if (refused.length > 0) {
          throw new InvalidScope(`${refused.join(' ')}: needs a signed-in user, and the client_credentials grant has none`);
        }
      } else {
        scope = scope.filter((s) => !forUsers(s));
      }
      return repos.transaction(async (tx) => {
        const id = grantId();
        await tx.grants.create({ id, clientId: client.id, userId: null, scope, createdAt: now });
        return issueTokens(tx, deps.config, { client, grantId: id, userId: null, scope, refresh: false, now, accessTokenTtlDefault, dpopJkt });
      });
    },
  };
}
