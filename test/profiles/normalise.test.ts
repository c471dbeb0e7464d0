import { describe, expect, it } from 'vitest';
import type { Client } from '../../src/core/model.ts';
import { InvalidRequest } from '../../src/core/errors.ts';
import { atomgitAuthorize, atomgitToken } from '../../src/profiles/atomgit.ts';
import { commaScope, moltin } from '../../src/profiles/moltin.ts';
import { twitch } from '../../src/profiles/twitch.ts';

/** The profiles' pure functions: they bridge exactly the documented difference and leave everything else alone. */

const client = (redirectUris: string[]): Client => ({
  id: 'c', name: 'C', type: 'confidential', secretHash: 'h', redirectUris, grantTypes: ['authorization_code'], responseTypes: ['code'],
  scopes: [], accessTokenTtl: null, refreshTokenTtl: null, codeTtl: null, requirePkce: false, introspectAny: false, createdAt: 0, updatedAt: 0,
});

describe('atomgit normalisation', () => {
  it('reads a code without grant_type as authorization_code, with the single registered redirect URI', () => {
    expect({ ...atomgitToken({ code: 'x' }, client(['https://a/cb'])) }).toEqual({ code: 'x', grant_type: 'authorization_code', redirect_uri: 'https://a/cb' });
  });

  it('never replaces a grant_type or redirect_uri the client sent', () => {
    expect({ ...atomgitToken({ code: 'x', grant_type: 'refresh_token' }, client(['https://a/cb'])) }).toEqual({ code: 'x', grant_type: 'refresh_token' });
    expect(atomgitToken({ code: 'x', redirect_uri: 'https://b/cb' }, client(['https://a/cb']))['redirect_uri']).toBe('https://b/cb');
  });

  it('adds no grant_type to a request without code', () => {
    expect(atomgitToken({ client_id: 'c' }, client(['https://a/cb']))).toEqual({ client_id: 'c' });
  });

  it('refuses to guess among several registered redirect URIs', () => {
    expect(() => atomgitToken({ code: 'x' }, client(['https://a/cb', 'https://b/cb']))).toThrow(InvalidRequest);
  });

  it('leaves redirect_uri out for an unknown client, so the core answers invalid_client', () => {
    expect(atomgitToken({ code: 'x' }, undefined)['redirect_uri']).toBeUndefined();
  });

  it('defaults response_type to code and keeps one that is sent', () => {
    expect(atomgitAuthorize({ client_id: 'c' })['response_type']).toBe('code');
    expect(atomgitAuthorize({ response_type: 'token' })['response_type']).toBe('token');
  });
});

describe('moltin normalisation and shaping', () => {
  it('turns commas into spaces and keeps empty items, for the core to refuse', () => {
    expect(commaScope({ scope: 'a,b' })['scope']).toBe('a b');
    expect(commaScope({ scope: 'a, b' })['scope']).toBe('a b');
    expect(commaScope({ scope: 'a,,b' })['scope']).toBe('a  b');
    const p = { scope: 'a b' };
    expect(commaScope(p)).toBe(p);
  });

  it('adds expires only when expires_in is present', () => {
    const base = { access_token: 't', token_type: 'Bearer' as const, scope: 'a' };
    expect(moltin.shapeTokenResponse?.({ ...base, expires_in: 60 }, 1000)).toMatchObject({ expires: 1060, expires_in: 60 });
    expect(moltin.shapeTokenResponse?.(base, 1000)).not.toHaveProperty('expires');
  });
});

describe('twitch shaping', () => {
  it('returns scope as an array, empty for no scope', () => {
    const base = { access_token: 't', token_type: 'Bearer' as const, expires_in: 1 };
    expect(twitch.shapeTokenResponse?.({ ...base, scope: 'a b' }, 0)).toMatchObject({ scope: ['a', 'b'] });
    expect(twitch.shapeTokenResponse?.({ ...base, scope: '' }, 0)).toMatchObject({ scope: [] });
  });
});
