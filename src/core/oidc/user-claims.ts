import type { User } from '../model.ts';

/**
 * A user's claims as OpenID Connect Core 1.0 §5.1 names them, for the ID token and UserInfo: every member that has a
 * value, none that has not (§5.3.2: claims without a value are omitted, not sent as null). Which of them a client gets
 * is decided by the scopes' claim lists (Core §5.4) and the `claims` request parameter (Core §5.5), not here.
 */
export function userClaims(user: User): Record<string, unknown> {
  const claims: Record<string, unknown> = { preferred_username: user.username };
  if (user.name !== null) claims['name'] = user.name;
  if (user.email !== null) {
    claims['email'] = user.email;
    // Core §5.1: true only when the address was verified; Latchkey does not verify addresses yet.
    claims['email_verified'] = false;
  }
  return claims;
}
