import type { Resource } from '../model.ts';
import { needsUser } from '../scope.ts';
import { resourceIdentifierProblem } from './identifier.ts';

/** Why a resource cannot require DPoP (RFC 9449 §7.2) while the server accepts no proofs: no token could be issued for it. */
export const DPOP_OFF = 'needs dpop.enabled: with DPoP off no access token could be issued for this resource';

/**
 * Said where a resource's DPoP requirement refuses a token (token/issue.ts, authorize/request.ts). It never names the
 * identifier: the client chose it, and it may hold characters an error_description cannot (RFC 6749 §5.2).
 */
export const RESOURCE_REQUIRES_DPOP = 'the requested resource accepts only DPoP-bound access tokens: send a DPoP proof';

/** What a resource's registration must satisfy, wherever it comes from (config file, CLI, admin API, console). */
export type ResourceShape = Pick<Resource, 'id' | 'name' | 'scopes'>;

/**
 * Problems by field name (id, name, scopes), empty when none:
 * - id: an absolute URI without a fragment (RFC 8707 §2).
 * - scopes: a scope belongs to at most one resource, so a scope names one API and a token's scope is unambiguous; and
 *   the scopes that stand for the user (openid, profile, email..., admin: scope.ts needsUser) belong to no API: they
 *   govern the ID token and UserInfo, which are the authorization server's own.
 */
export function resourceProblems(r: ResourceShape, others: readonly Pick<Resource, 'id' | 'name' | 'scopes'>[]): Record<string, string> {
  const problems: Record<string, string> = {};
  const idProblem = resourceIdentifierProblem(r.id);
  if (idProblem) problems['id'] = idProblem;
  if (r.name.trim() === '') problems['name'] = 'a resource needs a name (the consent page shows it)';
  const userScopes = r.scopes.filter((s) => needsUser({ name: s, claims: [] }));
  if (userScopes.length > 0) {
    problems['scopes'] = `${userScopes.join(', ')}: stand${userScopes.length > 1 ? '' : 's'} for the user and cannot belong to an API`;
  } else {
    for (const other of others) {
      if (other.id === r.id) continue;
      const shared = r.scopes.filter((s) => other.scopes.includes(s));
      if (shared.length > 0) {
        problems['scopes'] = `${shared.join(', ')} already belong${shared.length > 1 ? '' : 's'} to the resource "${other.name}" (${other.id}); a scope belongs to at most one resource`;
        break;
      }
    }
  }
  return problems;
}
