import type { ClaimsPatch } from '../../core/oidc/claims-edit.ts';
import { ADDRESS_FIELDS, type AddressField, STRING_CLAIMS, type StringClaim } from '../../core/oidc/standard-claims.ts';
import { html, type SafeHtml } from '../html.ts';
import { choiceGroup, type FieldErrors, textArea, textField } from '../../console/views/layout.ts';

/**
 * The standard claims (OpenID Connect Core §5.1) as form fields, shared by the console's user page and /account.
 * Inputs are named `claim-<claim>` and `claim-address-<member>` (ids safe for CSS selectors); the admin schema's
 * errors (`claims.picture`, `claims.address.locality`) are renamed to match with `claimErrors`.
 */

/** Label, hint and the autocomplete token for the person's own form (HTML autofill detail tokens). */
const STRING_META: Readonly<Record<StringClaim, { label: string; hint?: string; autocomplete: string }>> = {
  given_name: { label: 'Given name', autocomplete: 'given-name' },
  family_name: { label: 'Family name', autocomplete: 'family-name' },
  middle_name: { label: 'Middle name', autocomplete: 'additional-name' },
  nickname: { label: 'Nickname', autocomplete: 'nickname' },
  profile: { label: 'Profile page', hint: 'An http:// or https:// address.', autocomplete: 'url' },
  picture: { label: 'Picture', hint: 'The https:// address of an image.', autocomplete: 'photo' },
  website: { label: 'Website', hint: 'An http:// or https:// address.', autocomplete: 'url' },
  gender: { label: 'Gender', autocomplete: 'sex' },
  birthdate: { label: 'Birthdate', hint: 'YYYY-MM-DD, just the year (YYYY), or 0000-MM-DD to leave out the year.', autocomplete: 'bday' },
  zoneinfo: { label: 'Time zone', hint: 'Such as Europe/Paris or America/New_York.', autocomplete: 'off' },
  locale: { label: 'Language', hint: 'A language tag such as en-US or fr.', autocomplete: 'language' },
  phone_number: { label: 'Phone number', hint: 'International format: + then the country code, such as +14155550100.', autocomplete: 'tel' },
};

const ADDRESS_META: Readonly<Record<AddressField, { label: string; autocomplete: string }>> = {
  formatted: { label: 'Full address, as written on an envelope', autocomplete: 'off' },
  street_address: { label: 'Street address', autocomplete: 'street-address' },
  locality: { label: 'City', autocomplete: 'address-level2' },
  region: { label: 'State or region', autocomplete: 'address-level1' },
  postal_code: { label: 'Postal code', autocomplete: 'postal-code' },
  country: { label: 'Country', autocomplete: 'country-name' },
};

const fieldName = (claim: string) => `claim-${claim}`;
const addressName = (member: string) => `claim-address-${member}`;

/** Labels for the error summary, by input name. */
export const CLAIM_LABELS: Readonly<Record<string, string>> = Object.fromEntries([
  ...STRING_CLAIMS.map((c) => [fieldName(c), STRING_META[c].label]),
  ...ADDRESS_FIELDS.map((f) => [addressName(f), ADDRESS_META[f].label]),
  [fieldName('email_verified'), 'Email verified'],
  [fieldName('phone_number_verified'), 'Phone number verified'],
  [fieldName('address'), 'Address'],
]);

/** What the fields show: the stored claims, or what was submitted. */
export type ClaimsForm = Readonly<Record<string, string>>;

export function claimsFormOf(claims: ClaimsPatch): ClaimsForm {
  const form: Record<string, string> = {};
  for (const c of STRING_CLAIMS) form[fieldName(c)] = claims[c] ?? '';
  for (const f of ADDRESS_FIELDS) form[addressName(f)] = claims.address?.[f] ?? '';
  form[fieldName('email_verified')] = claims.email_verified ? 'true' : '';
  form[fieldName('phone_number_verified')] = claims.phone_number_verified ? 'true' : '';
  return form;
}

/** The submitted fields. `verified`: the form has the two verified checkboxes (the console's, not /account's). */
export function claimsFormFrom(get: (name: string) => string, verified: boolean): ClaimsForm {
  const form: Record<string, string> = {};
  for (const c of STRING_CLAIMS) form[fieldName(c)] = get(fieldName(c)).trim();
  for (const f of ADDRESS_FIELDS) form[addressName(f)] = f === 'formatted' ? get(addressName(f)).replace(/\r\n/g, '\n').trim() : get(addressName(f)).trim();
  if (verified) for (const v of ['email_verified', 'phone_number_verified']) form[fieldName(v)] = get(fieldName(v)) === 'true' ? 'true' : '';
  return form;
}

/** The claims edit a submitted form asks for: every field is on the form, so an empty one removes its claim. */
export function claimsPatchOf(form: ClaimsForm, verified: boolean): ClaimsPatch {
  const patch: Record<string, unknown> = {};
  for (const c of STRING_CLAIMS) patch[c] = form[fieldName(c)] ?? '';
  patch['address'] = Object.fromEntries(ADDRESS_FIELDS.map((f) => [f, form[addressName(f)] ?? '']));
  if (verified) {
    // Unchecked is "not verified", which is also what no value means (user-claims.ts): store nothing.
    patch['email_verified'] = form[fieldName('email_verified')] === 'true' ? true : null;
    patch['phone_number_verified'] = form[fieldName('phone_number_verified')] === 'true' ? true : null;
  }
  return patch as ClaimsPatch;
}

/** The admin schema's field errors with claim keys renamed to the inputs' names; other keys unchanged. */
export function claimErrors(errors: Readonly<Record<string, string>>): FieldErrors {
  return Object.fromEntries(
    Object.entries(errors).map(([k, v]) => [k.startsWith('claims.') ? `claim-${k.slice('claims.'.length).replace('.', '-')}` : k, v]),
  );
}

/**
 * The claims fieldsets. `own`: the person's own form, with autofill tokens; otherwise an administrator's, with the
 * verified checkboxes and autofill off (it is someone else's data).
 */
export function claimsFields(o: { form: ClaimsForm; errors: FieldErrors; own: boolean }): SafeHtml {
  const field = (name: string, label: string, autocomplete: string, hint?: string) =>
    textField({ name, label, value: o.form[name] ?? '', error: o.errors[name], autocomplete: o.own ? autocomplete : 'off', hint });
  const str = (c: StringClaim) => field(fieldName(c), STRING_META[c].label, STRING_META[c].autocomplete, STRING_META[c].hint);
  const addr = (f: AddressField) => field(addressName(f), ADDRESS_META[f].label, ADDRESS_META[f].autocomplete);
  const flag = (claim: string, legend: string, label: string) =>
    choiceGroup({ name: fieldName(claim), legend, type: 'checkbox', choices: [{ value: 'true', label }], selected: o.form[fieldName(claim)] === 'true' ? ['true'] : [], error: o.errors[fieldName(claim)] });
  return html`<fieldset id="f-claims-names">
<legend>Names</legend>
${(['given_name', 'middle_name', 'family_name', 'nickname'] as const).map(str)}
</fieldset>
<fieldset id="f-claims-about">
<legend>About</legend>
${(['picture', 'profile', 'website', 'gender', 'birthdate', 'zoneinfo', 'locale'] as const).map(str)}
</fieldset>
<fieldset id="f-claims-phone">
<legend>Phone</legend>
${str('phone_number')}
${o.own ? '' : flag('phone_number_verified', 'Phone number verified', 'The person proved they hold this number')}
</fieldset>
<fieldset id="f-claim-address">
<legend>Postal address</legend>
<p class="lk-field-error" id="f-claim-address-error">${o.errors[fieldName('address')] ?? ''}</p>
${addr('street_address')}
<div class="lk-grid">${addr('locality')}${addr('postal_code')}</div>
<div class="lk-grid">${addr('region')}${addr('country')}</div>
${textArea({ name: addressName('formatted'), label: ADDRESS_META.formatted.label, value: o.form[addressName('formatted')] ?? '', error: o.errors[addressName('formatted')], rows: 3, hint: 'Optional: if empty, applications compose it from the fields above.' })}
</fieldset>
${o.own ? '' : flag('email_verified', 'Email verified', 'The person proved they receive mail at this address')}`;
}
