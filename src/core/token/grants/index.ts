import type { Keyring } from '../../keys/keyring.ts';
import type { Repositories } from '../../repositories.ts';
import type { GrantDeps, GrantHandler, GrantMap } from '../grant.ts';
import { authorizationCodeGrant } from './authorization-code.ts';
import { clientCredentialsGrant } from './client-credentials.ts';
import { deviceCodeGrant } from './device-code.ts';
import { jwtBearerGrant } from './jwt-bearer.ts';
import { tokenExchangeGrant } from './token-exchange.ts';
import { refreshTokenGrant } from './refresh-token.ts';

/** The built-in grants, keyed by grant_type. Extensions add theirs to the same map. */
export function builtInGrants(repos: Repositories, deps: GrantDeps & { keyring: Pick<Keyring, 'jwks'> }, extra: readonly GrantHandler[] = []): GrantMap {
  const scopeCatalogue = () => repos.scopes.list();
  // RFC 8693 and RFC 7523 refuse every client until configured: the grant type on the client, trusted issuers, and
  // for token exchange a policy (deny by default). Advertised anyway: grant_types_supported is what the server does.
  const exchange = tokenExchangeGrant(repos, { ...deps, jwks: () => deps.keyring.jwks() }, scopeCatalogue);
  const handlers = [authorizationCodeGrant(repos, deps), refreshTokenGrant(repos, deps), clientCredentialsGrant(repos, deps, scopeCatalogue), deviceCodeGrant(repos, deps), exchange, jwtBearerGrant(repos, deps, scopeCatalogue), ...extra];
  return new Map(handlers.map((h) => [h.grantType, h]));
}
