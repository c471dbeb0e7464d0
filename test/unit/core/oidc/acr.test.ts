import { describe, expect, it } from 'vitest';
import { ACR_PASSWORD, ACR_SECOND_FACTOR, acrClaim, levelOf, meetsEssential, reachableForEssential, sessionStrength, supportedAcrValues } from '../../../../src/core/oidc/acr.ts';

/** The ordered acr levels (OpenID Connect Core §2, §5.5.1.1; EAP ACR Values 1.0 §2; RFC 8176 amr values). */

describe('acr levels', () => {
  it('places a sign-in at the strongest level its methods reach (RFC 8176 §2 amr values)', () => {
    expect(levelOf(['pwd'])).toBe(ACR_PASSWORD);
    expect(levelOf(['pwd', 'otp'])).toBe(ACR_SECOND_FACTOR);
    expect(levelOf(['swk', 'user'])).toBe('phr');
    expect(levelOf(['hwk', 'user'])).toBe('phrh');
  });

  it('reads a session written before migration 016 as the password sign-in it was', () => {
    expect(sessionStrength({ acr: null, amr: null })).toEqual({ acr: ACR_PASSWORD, amr: ['pwd'] });
    expect(sessionStrength({ acr: ACR_SECOND_FACTOR, amr: ['pwd', 'otp'] })).toEqual({ acr: ACR_SECOND_FACTOR, amr: ['pwd', 'otp'] });
  });

  it('publishes only the levels a sign-in can reach today (Discovery §3 acr_values_supported)', () => {
    expect(supportedAcrValues()).toEqual([ACR_PASSWORD]);
  });

  it('names the first requested value the sign-in satisfies, else what it achieved (Core §3.1.2.1 order of preference)', () => {
    expect(acrClaim(ACR_SECOND_FACTOR, ['phr', ACR_PASSWORD, ACR_SECOND_FACTOR])).toBe(ACR_PASSWORD);
    expect(acrClaim(ACR_PASSWORD, ['phr', 'urn:unknown'])).toBe(ACR_PASSWORD);
    expect(acrClaim(ACR_PASSWORD, [])).toBe(ACR_PASSWORD);
  });

  it('meets an essential request only with one of its values, a stronger sign-in satisfying a weaker value (Core §5.5.1.1)', () => {
    expect(meetsEssential(ACR_PASSWORD, { essential: true, values: [ACR_SECOND_FACTOR] })).toBe(false);
    expect(meetsEssential(ACR_SECOND_FACTOR, { essential: true, values: [ACR_PASSWORD] })).toBe(true);
    expect(meetsEssential(ACR_PASSWORD, { essential: true, values: ['urn:unknown'] })).toBe(false);
    // Voluntary requests, and essential ones without values, are always met: the token says what was achieved.
    expect(meetsEssential(ACR_PASSWORD, { essential: false, values: ['phrh'] })).toBe(true);
    expect(meetsEssential(ACR_PASSWORD, { essential: true, values: [] })).toBe(true);
    expect(meetsEssential(ACR_PASSWORD, undefined)).toBe(true);
  });

  it('knows before sign-in when no reachable level can meet an essential request', () => {
    expect(reachableForEssential({ essential: true, values: ['phr'] })).toBe(false);
    expect(reachableForEssential({ essential: true, values: ['phr', ACR_PASSWORD] })).toBe(true);
  });
});
