import { z } from 'zod';
import type { ClaimsPatch } from '../core/oidc/claims-edit.ts';

/**
 * The one schema of the standard claims (OpenID Connect Core 1.0 §5.1) that every entry point uses: the config file's
 * users, the admin API (and so the console), the CLI and /account. An empty string means "no value" everywhere, so a
 * form's empty field removes a claim; null does the same in JSON.
 */

/** A bounded string; `check` applies to non-empty values only. */
const text = (max: number, check?: (v: string) => boolean, error?: string) =>
  z.string({ error: 'a string' })
    .max(max, { error: `at most ${max} characters` })
    .refine((v) => v === '' || check === undefined || check(v), { error: error ?? 'not valid' });

/** Core §5.1 profile, picture, website: URLs; we accept absolute http(s) ones, which a relying party can follow. */
function isWebUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname !== '';
  } catch {
    return false;
  }
}

/** Core §5.1 birthdate: YYYY-MM-DD or YYYY; the year may be 0000 to say it is omitted (then MM-DD is required). */
export function isBirthdate(v: string): boolean {
  const m = /^(\d{4})(?:-(\d{2})-(\d{2}))?$/.exec(v);
  if (!m) return false;
  const year = Number(m[1]);
  if (m[2] === undefined || m[3] === undefined) return year !== 0;
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  // Year 0000 stands for any year, so 29 February is allowed with it.
  const leap = year === 0 || (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0));
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return day <= days;
}

/** Core §5.1 zoneinfo: a time zone database name such as Europe/Paris, as the runtime's Intl knows them. */
export function isTimeZone(v: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(v)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: v });
    return true;
  } catch {
    return false;
  }
}

/** Core §5.1 locale: a BCP47 (RFC 5646) language tag such as en-US. */
export function isLocale(v: string): boolean {
  if (!/^[A-Za-z0-9-]+$/.test(v)) return false;
  try {
    return Intl.getCanonicalLocales(v).length === 1;
  } catch {
    return false;
  }
}

/** Core §5.1 phone_number: E.164 (RECOMMENDED there, required here so relying parties can use it), with an RFC 3966 extension. */
const E164 = /^\+[1-9]\d{1,14}(;ext=\d{1,10})?$/;

const url = text(2000, isWebUrl, 'an absolute http:// or https:// URL');

export const emailClaim = z.email({ error: 'enter an email address like name@example.com' }).max(320);
export const nameClaim = text(200);

const address = z.strictObject({
  formatted: text(1000).optional(),
  street_address: text(500).optional(),
  locality: text(200).optional(),
  region: text(200).optional(),
  postal_code: text(50).optional(),
  country: text(200).optional(),
}, { error: 'an object with formatted, street_address, locality, region, postal_code, country' });

const claimFields = {
  given_name: text(200),
  family_name: text(200),
  middle_name: text(200),
  nickname: text(200),
  profile: url,
  picture: url,
  website: url,
  gender: text(100),
  birthdate: text(10, isBirthdate, 'YYYY-MM-DD, YYYY, or 0000-MM-DD without the year'),
  zoneinfo: text(100, isTimeZone, 'a time zone name such as Europe/Paris'),
  locale: text(35, isLocale, 'a language tag such as en-US'),
  phone_number: text(40, (v) => E164.test(v), 'an E.164 number such as +14155550100'),
  email_verified: z.boolean({ error: 'true or false' }),
  phone_number_verified: z.boolean({ error: 'true or false' }),
  address,
};

/**
 * The claims besides name and email: absent leaves a claim alone, null or '' removes it (core/oidc/claims-edit.ts).
 * The config file, which declares the whole set, uses it too: there absent and null both mean "no value".
 */
export const claimsPatch = z.strictObject(
  Object.fromEntries(Object.entries(claimFields).map(([k, s]) => [k, s.nullable().optional()])) as {
    [K in keyof typeof claimFields]: z.ZodOptional<z.ZodNullable<(typeof claimFields)[K]>>;
  },
) satisfies z.ZodType<ClaimsPatch>;

/** What a person may change of their own claims on /account: not whether an address or number was verified. */
export const ownClaimsPatch = claimsPatch.omit({ email_verified: true, phone_number_verified: true });

/** /account's profile form: name, email ('' removes either) and the person's own claims. */
export const ownProfileEdit = z.strictObject({
  name: nameClaim,
  email: text(320, (v) => emailClaim.safeParse(v).success, 'enter an email address like name@example.com'),
  claims: ownClaimsPatch,
});
