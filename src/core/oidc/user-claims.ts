import type { User } from '../model.ts';
import { compactAddress } from './claims-edit.ts';
import { STRING_CLAIMS } from './standard-claims.ts';

/**
 * A user's claims as OpenID Connect Core 1.0 §5.1 names them, for the ID token and UserInfo: every member that has a
 * value, none that has not (§5.3.2: claims without a value are omitted, not sent as null). Which of them a client gets
 * is decided by the scopes' claim lists (Core §5.4) and the `claims` request parameter (Core §5.5), not here.
 */
export function userClaims(user: User): Record<string, unknown> {
  const claims: Record<string, unknown> = { preferred_username: user.username };
  const c = user.claims;
  if (user.name) claims['name'] = user.name;
  for (const k of STRING_CLAIMS) {
    const v = c[k];
    if (v) claims[k] = v;
  }
  if (user.email) {
    claims['email'] = user.email;
    // Core §5.1: a boolean, true only when the address was verified.
    claims['email_verified'] = c.email_verified === true;
  }
  // The verified flag means nothing without the number it is about.
  if (c.phone_number) claims['phone_number_verified'] = c.phone_number_verified === true;
  else delete claims['phone_number'];
  const address = compactAddress(c.address);
  if (address) claims['address'] = address;
  // Core §5.1: a JSON number, seconds since the epoch.
  claims['updated_at'] = user.updatedAt;
  return claims;
}
