import type { Repositories } from '../../../storage/repositories.ts';
import type { GrantDeps, GrantHandler, GrantMap } from '../grant.ts';
import { authorizationCodeGrant } from './authorization-code.ts';
import { clientCredentialsGrant } from './client-credentials.ts';
import { deviceCodeGrant } from './device-code.ts';
import { refreshTokenGrant } from './refresh-token.ts';

/** The built-in grants, keyed by grant_type. Extensions add theirs to the same map. */
export function builtInGrants(repos: Repositories, deps: GrantDeps, extra: readonly GrantHandler[] = []): GrantMap {
  const scopeCatalogue = () => repos.scopes.list();
  const handlers = [authorizationCodeGrant(repos, deps), refreshTokenGrant(repos, deps), clientCredentialsGrant(repos, deps, scopeCatalogue), deviceCodeGrant(repos, deps), ...extra];
  return new Map(handlers.map((h) => [h.grantType, h]));
}
