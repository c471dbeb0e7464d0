import { describe, expect, it } from 'vitest';
import { validateOidcParams } from '../../../../src/core/authorize/oidc-params.ts';
import { InvalidRequest } from '../../../../src/core/errors.ts';

/** How an authorization request asks for an acr: acr_values (Core §3.1.2.1) or the claims parameter (§5.5.1, §5.5.1.1). */

const acrOf = (params: Record<string, string>) => validateOidcParams(params).acr;
const claims = (acr: unknown) => JSON.stringify({ id_token: { acr } });

describe('the acr request of an authorization request', () => {
  it('reads acr_values as voluntary values in order of preference', () => {
    expect(acrOf({ acr_values: 'phr  urn:latchkey:acr:password' })).toEqual({ essential: false, values: ['phr', 'urn:latchkey:acr:password'] });
    expect(acrOf({})).toBeUndefined();
  });

  it('reads the claims member with values, with a single value, or as null (Core §5.5.1)', () => {
    expect(acrOf({ claims: claims({ essential: true, values: ['phr'] }) })).toEqual({ essential: true, values: ['phr'] });
    expect(acrOf({ claims: claims({ value: 'phr' }) })).toEqual({ essential: false, values: ['phr'] });
    expect(acrOf({ claims: claims(null) })).toBeUndefined();
  });

  it('lets the claims member win over acr_values (it is the more specific request)', () => {
    expect(acrOf({ acr_values: 'a', claims: claims({ essential: true, values: ['b'] }) })).toEqual({ essential: true, values: ['b'] });
  });

  it.each([
    ['a non-boolean essential', { essential: 'yes' }],
    ['values that are not an array of strings', { values: [1] }],
    ['a value that is not a string', { value: 7 }],
    ['a member that is not an object', 'phr'],
  ])('refuses %s with invalid_request', (_, member) => {
    expect(() => validateOidcParams({ claims: claims(member) })).toThrow(InvalidRequest);
  });

  it('refuses acr_values longer than 1024 characters with invalid_request', () => {
    expect(() => validateOidcParams({ acr_values: 'a'.repeat(1025) })).toThrow(InvalidRequest);
  });
});
