import type { CoreDeps } from './context.ts';
import { InvalidToken } from './errors.ts';
import { authenticateAccessToken } from './bearer.ts';
import { userClaims } from './oidc/user-claims.ts';

/**
 * GET /userinfo, a protected resource: the user's claims permitted by the token's scopes. A token must carry a
 * scope that releases user claims (or `openid`), and must belong to a user (not a client_credentials token).
 */
export async function userinfo(deps: CoreDeps<'tokens' | 'users' | 'scopes'>, accessToken: string): Promise<Record<string, unknown>> {
  const scopes = await deps.repos.scopes.list();
  const releasing = scopes.filter((s) => s.claims.length > 0 || s.name === 'openid').map((s) => s.name);
  const token = await authenticateAccessToken(deps, accessToken, releasing);
  if (token.userId === null) throw new InvalidToken('this access token does not represent a user');
  const user = await deps.repos.users.findById(token.userId);
  if (!user) throw new InvalidToken('the user of this access token no longer exists');
  const available = userClaims(user);
  const claims: Record<string, unknown> = { sub: user.id };
  for (const s of scopes) {
    if (!token.scope.includes(s.name)) continue;
    for (const c of s.claims) if (available[c] !== undefined) claims[c] = available[c];
  }
  return claims;
}
