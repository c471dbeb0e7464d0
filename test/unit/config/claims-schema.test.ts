import { describe, it, expect } from 'vitest';
import { claimsPatch, ownClaimsPatch } from '../../../src/config/claims-schema.ts';

/** The path and message of the first issue, or 'ok'. */
function verdict(input: unknown): string {
  const r = claimsPatch.safeParse(input);
  return r.success ? 'ok' : `${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message}`;
}

describe('the claims schema (OpenID Connect Core §5.1)', () => {
  it('accepts every standard claim in its documented form, and null or an empty string to remove one', () => {
    expect(verdict({
      given_name: 'Ada', family_name: 'Lovelace', middle_name: '', nickname: null, profile: 'https://e.com/ada',
      picture: 'http://e.com/a.png', website: 'https://ada.example/', gender: 'female', birthdate: '1815-12-10',
      zoneinfo: 'Europe/London', locale: 'en-GB', phone_number: '+442071234567;ext=12', email_verified: true,
      phone_number_verified: false, address: { formatted: 'a\nb', country: 'UK' },
    })).toBe('ok');
    for (const birthdate of ['1815', '0000-12-10', '0000-02-29', '2024-02-29']) expect(verdict({ birthdate })).toBe('ok');
  });

  it('refuses profile, picture and website that are not absolute http(s) URLs', () => {
    for (const bad of ['javascript:alert(1)', '/relative', 'ftp://e.com/x', 'e.com']) {
      expect(verdict({ picture: bad })).toBe('picture: an absolute http:// or https:// URL');
    }
  });

  it('refuses a birthdate that is not YYYY-MM-DD, YYYY or 0000-MM-DD, or not a real day', () => {
    for (const bad of ['10/12/1815', '1815-13-01', '2023-02-29', '0000', '1815-12', '1815-1-1']) {
      expect(verdict({ birthdate: bad })).toMatch(/^birthdate: /);
    }
  });

  it('refuses an unknown time zone, a malformed locale and a phone number that is not E.164', () => {
    expect(verdict({ zoneinfo: 'Mars/Olympus' })).toBe('zoneinfo: a time zone name such as Europe/Paris');
    expect(verdict({ zoneinfo: '+01:00' })).toMatch(/^zoneinfo: /);
    expect(verdict({ locale: 'en_US' })).toBe('locale: a language tag such as en-US');
    expect(verdict({ locale: 'x' })).toMatch(/^locale: /);
    expect(verdict({ phone_number: '0612345678' })).toBe('phone_number: an E.164 number such as +14155550100');
  });

  it('refuses unknown claims, unknown address members, non-boolean flags and over-long values', () => {
    expect(verdict({ sub: 'x' })).toMatch(/unrecognized/i);
    expect(verdict({ address: { city: 'x' } })).toMatch(/^address: an object with formatted, street_address/);
    expect(verdict({ email_verified: 'yes' })).toBe('email_verified: true or false');
    expect(verdict({ nickname: 'x'.repeat(201) })).toBe('nickname: at most 200 characters');
  });

  it('lets nobody set their own verified flags through the /account schema', () => {
    expect(ownClaimsPatch.safeParse({ email_verified: true }).success).toBe(false);
    expect(ownClaimsPatch.safeParse({ phone_number_verified: true }).success).toBe(false);
  });
});
