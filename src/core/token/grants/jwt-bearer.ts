import { createHash } from 'node:crypto';
import type { ClientAssertionJtis } from '../../client-auth/jti-store.ts';
import { grantId } from '../../crypto.ts';
import { InvalidGrant, InvalidScope } from '../../errors.ts';
import { JWT_BEARER_GRANT, type Scope } from '../../model.ts';
import { mintAccessToken } from '../../resources/mint.ts';
import { tokenResource } from '../../resources/target.ts';
import { parseScope, resolveScope } from '../../scope.ts';
import { recordBearerAccepted } from '../../token-exchange/audit.ts';
import { userOfTrustedJwt, verifyTrustedJwt } from '../../token-exchange/trusted-jwt.ts';
import type { Repositories } from '../../repositories.ts';
import type { GrantDeps, GrantHandler } from '../grant.ts';
import { assertBindingAllowed, issueTokens } from '../issue.ts';

type Repos = Pick<Repositories, 'tokens' | 'grants' | 'resources' | 'users' | 'trustedIssuers' | 'transaction'> & { clientAssertionJtis: ClientAssertionJtis };

/**
 * The JWT bearer grant (RFC 7523 §2.1): a client presents an assertion that a trusted issuer (stored: see
 * trusted-issuer-port.ts) signed about a user, and gets an access token for that user, with no refresh token
 * (§2.1 does not call for one; the client asks for a fresh assertion instead). The MCP enterprise-managed
 * authorization profile uses this grant with an identity provider's ID-JAG. Checked per §3: iss trusted, sub names a
 * user, aud is this server (its issuer or token endpoint), exp required, and jti required and single-use (§3 item 7).
 */
export function jwtBearerGrant(repos: Repos, deps: GrantDeps, scopeCatalogue: () => Promise<readonly Scope[]>): GrantHandler {
  return {
    grantType: JWT_BEARER_GRANT,
    parameters: ['assertion'],
    allowsPublicClients: false,
    async handle({ client, params, now, accessTokenTtlDefault, dpopJkt, address }) {
      const { config } = deps;
      const audience = [config.issuer, config.issuer + config.paths.token];
      const { trusted, claims } = await verifyTrustedJwt(repos.trustedIssuers, params['assertion'] ?? '', now, audience);
      // An assertion naming the client it is for (the MCP profile's client_id claim) is that client's only.
      if (claims['client_id'] !== undefined && claims['client_id'] !== client.id) throw new InvalidGrant('the assertion was issued for another client');
      if (typeof claims.jti !== 'string' || claims.jti === '' || claims.exp === undefined) throw new InvalidGrant('the assertion needs a jti');
      const user = await userOfTrustedJwt(repos.users, trusted, claims);
      const catalogue = await scopeCatalogue();
      const provided = params['scope'] !== undefined;
      let scope = resolveScope(parseScope(params['scope']), client.scopes, new Set(catalogue.map((s) => s.name)), provided);
      // The assertion's own scope, when it has one, bounds what it can be traded for.
      if (typeof claims['scope'] === 'string') {
        const granted = claims['scope'].split(' ');
        if (provided && scope.some((s) => !granted.includes(s))) throw new InvalidScope('more than the assertion grants');
        scope = scope.filter((s) => granted.includes(s));
      }
      const resource = await tokenResource(repos, params['resource'], undefined, config.resourceTokens.defaultResource, scope);
      const foreign = provided && resource ? scope.filter((s) => !resource.scopes.includes(s)) : [];
      if (foreign.length > 0) throw new InvalidScope(`${foreign.join(' ')}: not a scope of the requested resource`);
      if (!provided && resource) scope = scope.filter((s) => resource.scopes.includes(s));
      assertBindingAllowed({ resource, dpopJkt });
      // §3 item 7: single use, recorded in the database so every node refuses a replay; checked last, so a request
      // refused for another reason leaves the assertion usable. Keyed by issuer, not client: one use in all.
      const jtiHash = createHash('sha256').update(claims.jti).digest('base64url');
      if (!(await repos.clientAssertionJtis.use(`jwt-bearer:${trusted.issuer}`, jtiHash, claims.exp, now))) throw new InvalidGrant('the assertion was already used');
      const accessToken = await mintAccessToken(deps, { client, userId: user.id, scope, resource, now, accessTokenTtlDefault, dpopJkt });
      const id = grantId();
      const response = await repos.transaction(async (tx) => {
        await tx.grants.create({ id, clientId: client.id, userId: user.id, scope, createdAt: now, ...(resource ? { resources: [resource.id] } : {}) });
        return issueTokens(tx, config, { client, grantId: id, userId: user.id, scope, refresh: false, now, accessTokenTtlDefault, resource, accessToken, dpopJkt });
      });
      recordBearerAccepted({ audit: deps.audit, clientId: client.id, address }, { issuer: trusted.issuer, userId: user.id, grantId: id, scope: response.scope.split(' ').filter(Boolean) });
      return response;
    },
  };
}
