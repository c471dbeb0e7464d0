import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.ts';
import { configErrorOf } from '../../support/config.ts';

/** Declared scopes add to the built-in openid, profile and email; removing one is explicit. */


const names = (input: unknown) => parseConfig(input).scopes.map((s) => s.name);

describe('config scopes: the built-in scopes stay unless removed on purpose', () => {
  it('has openid, profile, email, address, phone and offline_access by default, releasing the claims of OpenID Connect Core §5.4', () => {
    expect(names({})).toEqual(['openid', 'profile', 'email', 'address', 'phone', 'offline_access']);
    const claims = Object.fromEntries(parseConfig({}).scopes.map((s) => [s.name, s.claims]));
    expect(claims['email']).toEqual(['email', 'email_verified']);
    expect(claims['address']).toEqual(['address']);
    expect(claims['phone']).toEqual(['phone_number', 'phone_number_verified']);
    expect(claims['profile']).toEqual(['name', 'family_name', 'given_name', 'middle_name', 'nickname', 'preferred_username', 'profile', 'picture', 'website', 'gender', 'birthdate', 'zoneinfo', 'locale', 'updated_at']);
  });

  it('keeps the built-in scopes beside declared ones', () => {
    expect(names({ scopes: [{ name: 'reports:read', description: 'Read your reports' }] })).toEqual(['openid', 'profile', 'email', 'address', 'phone', 'offline_access', 'reports:read']);
  });

  it('lets a declared scope replace a built-in one of the same name (its description and claims)', () => {
    const scopes = parseConfig({ scopes: [{ name: 'profile', description: 'Your name', claims: ['name'] }] }).scopes;
    expect(scopes.map((s) => s.name)).toEqual(['openid', 'profile', 'email', 'address', 'phone', 'offline_access']);
    expect(scopes.find((s) => s.name === 'profile')).toEqual({ name: 'profile', description: 'Your name', claims: ['name'] });
  });

  it('removes a built-in scope marked "remove": true', () => {
    expect(names({ scopes: [{ name: 'email', remove: true }, { name: 'api', description: 'Use the API' }] })).toEqual(['openid', 'profile', 'address', 'phone', 'offline_access', 'api']);
  });

  it('refuses "remove" on a scope that is not built in, naming the key', () => {
    expect(configErrorOf(() => parseConfig({ scopes: [{ name: 'api', remove: true }] }))).toMatch(/scopes\.0\.remove: .*openid, profile, email, address, phone/);
  });

  it('refuses a removal that also describes the scope', () => {
    expect(configErrorOf(() => parseConfig({ scopes: [{ name: 'email', remove: true, description: 'x' }] }))).toContain('scopes.0');
  });

  it('refuses a declared scope without a description, naming the key', () => {
    expect(configErrorOf(() => parseConfig({ scopes: [{ name: 'api' }] }))).toContain('scopes.0.description');
  });

  it('refuses a scope declared twice, naming the second', () => {
    expect(configErrorOf(() => parseConfig({ scopes: [{ name: 'api', description: 'a' }, { name: 'api', description: 'b' }] }))).toContain('scopes.1.name');
  });
});
