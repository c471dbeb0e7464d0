import type { Command } from 'commander';
import type { ClaimsPatch } from '../core/oidc/claims-edit.ts';
import type { ProfileClaims } from '../core/oidc/standard-claims.ts';
import { CliError } from './context.ts';

/**
 * The claim options of `latchkey users update` (OpenID Connect Core §5.1): a flag for the common claims, the address
 * members merged into the stored address, and `--claims-json` for everything. Validation is the admin API's
 * (src/config/claims-schema.ts), so an error names the claim (claims.picture).
 */

/** Flag (commander's camelCase key) -> claim. `--profile-url` because the claim `profile` is a URL. */
const STRING_FLAGS = [
  ['--given-name <text>', 'givenName', 'given_name'],
  ['--family-name <text>', 'familyName', 'family_name'],
  ['--middle-name <text>', 'middleName', 'middle_name'],
  ['--nickname <text>', 'nickname', 'nickname'],
  ['--profile-url <url>', 'profileUrl', 'profile'],
  ['--picture <url>', 'picture', 'picture'],
  ['--website <url>', 'website', 'website'],
  ['--gender <text>', 'gender', 'gender'],
  ['--birthdate <date>', 'birthdate', 'birthdate'],
  ['--zoneinfo <zone>', 'zoneinfo', 'zoneinfo'],
  ['--locale <tag>', 'locale', 'locale'],
  ['--phone-number <e164>', 'phoneNumber', 'phone_number'],
] as const;

const ADDRESS_FLAGS = [
  ['--street-address <text>', 'streetAddress', 'street_address'],
  ['--locality <text>', 'locality', 'locality'],
  ['--region <text>', 'region', 'region'],
  ['--postal-code <text>', 'postalCode', 'postal_code'],
  ['--country <text>', 'country', 'country'],
] as const;

export type ClaimOptions = Record<string, string | boolean | undefined>;

export function withClaimOptions(cmd: Command): Command {
  for (const [flag, , claim] of STRING_FLAGS) cmd.option(flag, `the ${claim} claim; '' removes it`);
  for (const [flag, , member] of ADDRESS_FLAGS) cmd.option(flag, `the address claim's ${member}, merged into the stored address; '' removes it`);
  return cmd
    .option('--email-verified', 'the email address was verified (email_verified)')
    .option('--no-email-verified', 'the email address is not verified')
    .option('--phone-number-verified', 'the phone number was verified (phone_number_verified)')
    .option('--no-phone-number-verified', 'the phone number is not verified')
    .option('--claims-json <json>', 'any claims as a JSON object, e.g. {"nickname":"al","address":{"country":"FR"}}; flags win; null removes one');
}

/** The claims edit the options ask for, or undefined when they ask for none. */
export function claimsFromOptions(opts: ClaimOptions, current: ProfileClaims): ClaimsPatch | undefined {
  const claims: Record<string, unknown> = opts['claimsJson'] === undefined ? {} : parseJson(String(opts['claimsJson']));
  for (const [, key, claim] of STRING_FLAGS) if (typeof opts[key] === 'string') claims[claim] = opts[key];
  const address: Record<string, unknown> = {};
  for (const [, key, member] of ADDRESS_FLAGS) if (typeof opts[key] === 'string') address[member] = opts[key];
  if (Object.keys(address).length > 0) {
    const given = claims['address'];
    const base = given !== null && typeof given === 'object' && !Array.isArray(given) ? given : current.address;
    claims['address'] = { ...base, ...address };
  }
  if (typeof opts['emailVerified'] === 'boolean') claims['email_verified'] = opts['emailVerified'];
  if (typeof opts['phoneNumberVerified'] === 'boolean') claims['phone_number_verified'] = opts['phoneNumberVerified'];
  // Validated by the admin schema the caller parses with.
  return Object.keys(claims).length > 0 ? (claims as ClaimsPatch) : undefined;
}

function parseJson(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CliError('--claims-json: give a JSON object of claims, such as {"nickname":"al"}');
  }
  return { ...value };
}
