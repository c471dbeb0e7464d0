import { describe, it, expect } from 'vitest';
import type { User } from '../../../../src/core/model.ts';
import { applyClaimsEdit } from '../../../../src/core/oidc/claims-edit.ts';
import { userClaims } from '../../../../src/core/oidc/user-claims.ts';

const NOW = 1_800_000_000;
const base: User = {
  id: 'u1', username: 'alice', passwordHash: 'h', name: null, email: null, isAdmin: false, claims: {},
  createdAt: NOW - 100, updatedAt: NOW - 50, disabledAt: null,
};

describe('userClaims (OpenID Connect Core §5.1)', () => {
  it('omits every claim without a value; preferred_username is the username and updated_at a number (§5.3.2)', () => {
    expect(userClaims(base)).toEqual({ preferred_username: 'alice', updated_at: NOW - 50 });
  });

  it('returns every claim that has a value, with the verified flags as booleans and address as an object (§5.1.1)', () => {
    const user: User = {
      ...base, name: 'Alice Liddell', email: 'alice@example.com',
      claims: {
        given_name: 'Alice', family_name: 'Liddell', middle_name: 'P', nickname: 'al', profile: 'https://e.com/a',
        picture: 'https://e.com/a.png', website: 'https://alice.example', gender: 'female', birthdate: '1852-05-04',
        zoneinfo: 'Europe/London', locale: 'en-GB', phone_number: '+441234567890', phone_number_verified: true,
        email_verified: true, address: { locality: 'Oxford', country: 'GB' },
      },
    };
    expect(userClaims(user)).toEqual({
      preferred_username: 'alice', name: 'Alice Liddell', email: 'alice@example.com', email_verified: true,
      given_name: 'Alice', family_name: 'Liddell', middle_name: 'P', nickname: 'al', profile: 'https://e.com/a',
      picture: 'https://e.com/a.png', website: 'https://alice.example', gender: 'female', birthdate: '1852-05-04',
      zoneinfo: 'Europe/London', locale: 'en-GB', phone_number: '+441234567890', phone_number_verified: true,
      address: { locality: 'Oxford', country: 'GB' }, updated_at: NOW - 50,
    });
  });

  it('says email_verified false when the address was never verified, and omits the flags without the value', () => {
    const claims = userClaims({ ...base, email: 'a@example.com', claims: { phone_number_verified: true, email_verified: false } });
    expect(claims['email_verified']).toBe(false);
    expect(claims).not.toHaveProperty('phone_number_verified');
    expect(claims).not.toHaveProperty('phone_number');
  });

  it('omits empty strings and an address whose members are all empty', () => {
    const claims = userClaims({ ...base, name: '', claims: { nickname: '', address: { locality: '' } } });
    expect(claims).toEqual({ preferred_username: 'alice', updated_at: NOW - 50 });
  });
});

describe('applyClaimsEdit (Core §5.1 updated_at)', () => {
  it('changes nothing, not even updated_at, when every value is already so', () => {
    const user = { ...base, name: 'A', claims: { nickname: 'al', address: { locality: 'X', country: 'Y' } } };
    expect(applyClaimsEdit(user, { name: 'A', claims: { nickname: 'al', address: { country: 'Y', locality: 'X' } } }, NOW)).toEqual({});
  });

  it('merges the given claims, removes those set to null or empty, and sets updatedAt to now', () => {
    const user = { ...base, claims: { nickname: 'al', gender: 'female', picture: 'https://e.com/p.png' } };
    expect(applyClaimsEdit(user, { claims: { nickname: 'ally', gender: null, picture: '' } }, NOW)).toEqual({
      claims: { nickname: 'ally' }, updatedAt: NOW,
    });
  });

  it('clears email_verified when the email changes, unless the same edit sets it', () => {
    const user = { ...base, email: 'a@example.com', claims: { email_verified: true, phone_number: '+331', phone_number_verified: true } };
    expect(applyClaimsEdit(user, { email: 'b@example.com' }, NOW)).toEqual({
      email: 'b@example.com', claims: { phone_number: '+331', phone_number_verified: true }, updatedAt: NOW,
    });
    expect(applyClaimsEdit(user, { email: 'b@example.com', claims: { email_verified: true } }, NOW)).toEqual({ email: 'b@example.com', updatedAt: NOW });
    expect(applyClaimsEdit(user, { claims: { phone_number: '+332' } }, NOW)).toEqual({
      claims: { email_verified: true, phone_number: '+332' }, updatedAt: NOW,
    });
  });

  it('replaces the address as a whole; an address with no member removes it', () => {
    const user = { ...base, claims: { address: { locality: 'X', country: 'Y' } } };
    expect(applyClaimsEdit(user, { claims: { address: { locality: 'Z' } } }, NOW)).toEqual({ claims: { address: { locality: 'Z' } }, updatedAt: NOW });
    expect(applyClaimsEdit(user, { claims: { address: { locality: '' } } }, NOW)).toEqual({ claims: {}, updatedAt: NOW });
  });
});
