/**
 * The standard claims of OpenID Connect Core 1.0 §5.1 that a user carries beyond those with a column of their own
 * (`sub` is the id, `preferred_username` the username, `name`, `email`, `updated_at`). Stored as one JSON object under
 * their claim names: they are the names on the wire, and a JSON column lets the set grow without a migration.
 */

/** Core §5.1.1: the members of the `address` claim. */
export const ADDRESS_FIELDS = ['formatted', 'street_address', 'locality', 'region', 'postal_code', 'country'] as const;
export type AddressField = (typeof ADDRESS_FIELDS)[number];
export type PostalAddress = { [K in AddressField]?: string };

/** The string-valued claims of the JSON object, in the order §5.1 lists them. */
export const STRING_CLAIMS = [
  'given_name', 'family_name', 'middle_name', 'nickname', 'profile', 'picture', 'website', 'gender', 'birthdate',
  'zoneinfo', 'locale', 'phone_number',
] as const;
export type StringClaim = (typeof STRING_CLAIMS)[number];

export type ProfileClaims = { [K in StringClaim]?: string } & {
  email_verified?: boolean;
  phone_number_verified?: boolean;
  address?: PostalAddress;
};

/** Every claim of Core §5.1 a user can have, as a scope's claim list may name them. */
export const STANDARD_CLAIMS = [
  'name', 'given_name', 'family_name', 'middle_name', 'nickname', 'preferred_username', 'profile', 'picture', 'website',
  'email', 'email_verified', 'gender', 'birthdate', 'zoneinfo', 'locale', 'phone_number', 'phone_number_verified',
  'address', 'updated_at',
] as const;
export type StandardClaim = (typeof STANDARD_CLAIMS)[number];

/** Core §5.4: the claims each of the standard scopes requests. */
export const SCOPE_CLAIMS = {
  profile: [
    'name', 'family_name', 'given_name', 'middle_name', 'nickname', 'preferred_username', 'profile', 'picture', 'website',
    'gender', 'birthdate', 'zoneinfo', 'locale', 'updated_at',
  ],
  email: ['email', 'email_verified'],
  address: ['address'],
  phone: ['phone_number', 'phone_number_verified'],
} as const satisfies Record<string, readonly StandardClaim[]>;
