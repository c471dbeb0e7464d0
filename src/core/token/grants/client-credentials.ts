import { grantId } from '../../crypto.ts';
import type { Scope } from '../../model.ts';
import { InvalidScope } from '../../errors.ts';
import { needsUser, parseScope, resolveScope } from '../../scope.ts';
import type { Repositories } from '../../repositories.ts';
import type { GrantDeps, GrantHandler } from '../grant.ts';
import { issueTokens } from '../issue.ts';
import { mintAccessToken } from '../../resources/mint.ts';
import { tokenResource } from '../../resources/target.ts';

type Repos = Pick<Repositories, 'tokens' | 'grants' | 'resources' | 'transaction'>;

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
      }
      // RFC 8707 §2.2: the resource asked for, else the configured default, else none (no audience, as before).
      const resource = await tokenResource(repos, params['resource'], undefined, deps.config.resourceTokens.defaultResource, provided ? scope : undefined);
      if (!provided) {
        // §3.3 default: with a resource, the scopes it defines that the client may have; without, the client's own.
        const pool = resource ? resource.scopes.filter((s) => client.scopes.length === 0 || client.scopes.includes(s)) : scope;
        scope = pool.filter((s) => !forUsers(s));
      }
      // A scope asked for by name that the resource does not define would be dropped silently: say so (§5.2).
      const foreign = provided && resource ? scope.filter((s) => !resource.scopes.includes(s)) : [];
      if (foreign.length > 0) throw new InvalidScope(`${foreign.join(' ')}: not a scope of the requested resource`);
      const accessToken = await mintAccessToken(deps, { client, userId: null, scope, resource, now, accessTokenTtlDefault, dpopJkt });
      return repos.transaction(async (tx) => {
        const id = grantId();
        await tx.grants.create({ id, clientId: client.id, userId: null, scope, createdAt: now, ...(resource ? { resources: [resource.id] } : {}) });
        return issueTokens(tx, deps.config, { client, grantId: id, userId: null, scope, refresh: false, now, accessTokenTtlDefault, resource, accessToken, dpopJkt });
      });
    },
  };
}
