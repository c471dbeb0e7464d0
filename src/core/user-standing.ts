import type { Repositories } from './repositories.ts';
import { InvalidGrant } from './errors.ts';
import type { User } from './model.ts';
import { ADMIN_SCOPE } from './scope.ts';

/** Why a user may not be issued anything for a scope. */
export type Refusal = 'unknown_user' | 'user_disabled' | 'admin_scope_not_administrator';

/**
 * One rule for every step that issues something for a person: when they decide (the authorization flow), when their
 * code is redeemed, and at every refresh. Each step reads the user afresh, because between two steps the account may
 * have been disabled, deleted or stripped of administrator rights; a step never trusts what the one before checked.
 * Returns undefined when the user may hold `scope`.
 */
export function refusal(user: User | undefined, scope: readonly string[]): Refusal | undefined {
  if (!user) return 'unknown_user';
  if (user.disabledAt !== null) return 'user_disabled';
  // The admin API's scope goes to administrators only (src/core/scope.ts ADMIN_SCOPE).
  if (scope.includes(ADMIN_SCOPE) && !user.isAdmin) return 'admin_scope_not_administrator';
  return undefined;
}

/**
 * The token endpoint's form of the rule: RFC 6749 §5.2 invalid_grant, "the provided authorization grant ... is
 * invalid, expired, revoked", when the user may no longer hold `scope`. No user (client_credentials): nothing to check.
 */
export async function assertUserMayHold(repos: Pick<Repositories, 'users'>, userId: string | null, scope: readonly string[]): Promise<void> {
  if (userId === null) return;
  const why = refusal(await repos.users.findById(userId), scope);
  if (why === 'admin_scope_not_administrator') throw new InvalidGrant('the user is no longer an administrator, so the admin scope cannot be granted');
  if (why !== undefined) throw new InvalidGrant('the user account is disabled or no longer exists');
}
