import type { User } from '../model.ts';
import { ADDRESS_FIELDS, type PostalAddress, type ProfileClaims, STRING_CLAIMS } from './standard-claims.ts';

/** An edit of a user's claims: a member absent leaves the claim alone, null (or an empty string) removes it. */
export type ClaimsPatch = { [K in Exclude<keyof ProfileClaims, 'address'>]?: ProfileClaims[K] | null | undefined } & {
  address?: { [K in keyof PostalAddress]?: string | undefined } | null | undefined;
};
export interface ClaimsEdit {
  name?: string | null | undefined;
  email?: string | null | undefined;
  claims?: ClaimsPatch | undefined;
}
export interface ClaimsChange {
  name?: string | null;
  email?: string | null;
  claims?: ProfileClaims;
  updatedAt?: number;
}

/** The address with only its non-empty members, in §5.1.1 order; undefined when none is left. */
export function compactAddress(address: ClaimsPatch['address']): PostalAddress | undefined {
  if (!address) return undefined;
  const out: PostalAddress = {};
  for (const f of ADDRESS_FIELDS) {
    const v = address[f];
    if (v !== undefined && v !== '') out[f] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The claims object with no empty member, in a fixed order so that two equal objects serialise the same. */
function compact(claims: ClaimsPatch): ProfileClaims {
  const out: ProfileClaims = {};
  for (const k of STRING_CLAIMS) {
    const v = claims[k];
    if (v !== undefined && v !== null && v !== '') out[k] = v;
  }
  if (typeof claims.email_verified === 'boolean') out.email_verified = claims.email_verified;
  if (typeof claims.phone_number_verified === 'boolean') out.phone_number_verified = claims.phone_number_verified;
  const address = compactAddress(claims.address);
  if (address) out.address = address;
  return out;
}

const blankToNull = (v: string | null): string | null => (v === '' ? null : v);

/**
 * The repository patch for an edit: only what changes, with `updatedAt` set to now when anything does (Core §5.1:
 * updated_at is the time the End-User's information was last updated). A new email or phone number is no longer
 * verified, unless the same edit says it is: the verification was of the old value.
 */
export function applyClaimsEdit(user: Pick<User, 'name' | 'email' | 'claims'>, edit: ClaimsEdit, now: number): ClaimsChange {
  const change: ClaimsChange = {};
  if (edit.name !== undefined && blankToNull(edit.name) !== user.name) change.name = blankToNull(edit.name);
  if (edit.email !== undefined && blankToNull(edit.email) !== user.email) change.email = blankToNull(edit.email);
  const merged: ClaimsPatch = { ...user.claims, ...edit.claims };
  if (change.email !== undefined && edit.claims?.email_verified === undefined) delete merged.email_verified;
  const phone = edit.claims?.phone_number;
  if (phone !== undefined && (phone || undefined) !== user.claims.phone_number && edit.claims?.phone_number_verified === undefined) {
    delete merged.phone_number_verified;
  }
  const claims = compact(merged);
  if (JSON.stringify(claims) !== JSON.stringify(compact(user.claims))) change.claims = claims;
  if (Object.keys(change).length > 0) change.updatedAt = now;
  return change;
}
