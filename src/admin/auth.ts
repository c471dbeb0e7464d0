import { authenticateAccessToken } from '../core/bearer.ts';
import { confirmPresentation, extractPresentation, type ResourceRequest } from '../core/dpop/presentation.ts';
import type { DpopVerifier } from '../core/dpop/proof.ts';
import type { Token } from '../core/model.ts';
import type { CoreDeps } from '../core/context.ts';
import { AccessDenied, InvalidToken } from '../core/errors.ts';
import { ADMIN_SCOPE } from '../core/scope.ts';
import type { Actor } from './context.ts';

/**
 * The admin API's guard: a Bearer access token issued by this Latchkey (RFC 6750 §2.1), carrying the `admin` scope,
 * of a user who is an administrator now (a demoted administrator's tokens stop working at once) and not disabled,
 * through an application that is not disabled.
 * 401 invalid_token for a missing, unknown, expired or revoked token; 403 otherwise.
 */
export async function authenticateAdmin(
  deps: CoreDeps<'tokens' | 'users' | 'clients'>,
  authorization: string | undefined,
  ip: string | undefined,
  dpop?: { verifier: DpopVerifier | undefined; request: ResourceRequest },
): Promise<Actor> {
  // RFC 9449 §7.1: the DPoP scheme too, when DPoP is on; a bound token must come with a proof of its key.
  const presented = extractPresentation({ authorization, body: undefined, query: undefined }, false, dpop?.verifier !== undefined);
  return adminFromToken(deps, presented.token, ip, (token) => confirmPresentation(dpop?.verifier, token, presented, dpop?.request ?? { method: '', url: '', proof: undefined, now: 0 }));
}

export async function adminFromToken(deps: CoreDeps<'tokens' | 'users' | 'clients'>, raw: string, ip: string | undefined, confirm?: (token: Token) => Promise<void>): Promise<Actor> {
  const token = await authenticateAccessToken(deps, raw, [ADMIN_SCOPE]);
  // The console's cookie-held token is never DPoP-bound; API callers' tokens are checked against how they came.
  if (confirm) await confirm(token);
  if (token.userId === null) throw new AccessDenied('the admin API needs the token of a signed-in administrator, not a client token');
  const user = await deps.repos.users.findById(token.userId);
  if (!user || user.disabledAt !== null) throw new InvalidToken('the access token is invalid, expired or revoked');
  if (!user.isAdmin) throw new AccessDenied('this user is not an administrator');
  return { userId: user.id, username: user.username, clientId: token.clientId, ip };
}
