import type { Scope, User } from '../model.ts';
import { userClaims } from './user-claims.ts';

/**
 * The user claims a client gets (OpenID Connect Core §5.4, §5.5): those of its granted scopes, or of them only the
 * `requested` ones (the `claims` parameter's members for the ID token). A claim requested by name but covered by no
 * granted scope is not released: the consent page asks for scopes, so the user never approved it (Core §5.5 lets the
 * OP decide what it releases). Claims the user has no value for are omitted (§5.3.2).
 */
export function releasedClaims(user: User, granted: readonly string[], catalogue: readonly Scope[], requested?: readonly string[]): Record<string, unknown> {
  const available = userClaims(user);
  const allowed = new Set(catalogue.filter((s) => granted.includes(s.name)).flatMap((s) => s.claims));
  const names = requested === undefined ? allowed : requested.filter((c) => allowed.has(c));
  const out: Record<string, unknown> = {};
  for (const c of names) if (available[c] !== undefined) out[c] = available[c];
  return out;
}
