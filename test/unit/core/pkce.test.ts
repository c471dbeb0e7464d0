import { describe, it, expect } from 'vitest';
import { isWellFormedPkceValue, verifyPkce } from '../../../src/core/pkce.ts';

// RFC 7636 Appendix B: the worked example.
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

describe('verifyPkce', () => {
  it('accepts the RFC 7636 Appendix B verifier for its S256 challenge (§4.6)', () => {
    expect(verifyPkce(VERIFIER, CHALLENGE, 'S256')).toBe(true);
  });

  it('refuses a different verifier for the S256 challenge', () => {
    expect(verifyPkce(VERIFIER.replace(/^d/, 'e'), CHALLENGE, 'S256')).toBe(false);
  });

  it('refuses the challenge itself presented as the verifier under S256', () => {
    expect(verifyPkce(CHALLENGE, CHALLENGE, 'S256')).toBe(false);
  });

  it('refuses the S256 verifier when the code was bound with plain (no downgrade)', () => {
    expect(verifyPkce(VERIFIER, CHALLENGE, 'plain')).toBe(false);
  });

  it('compares plain verifiers by equality (§4.2)', () => {
    expect(verifyPkce(VERIFIER, VERIFIER, 'plain')).toBe(true);
    expect(verifyPkce(VERIFIER, `${VERIFIER.slice(0, -1)}x`, 'plain')).toBe(false);
  });

  it('refuses a verifier shorter than 43 characters even if it hashes to the challenge (§4.1)', () => {
    const short = 'a'.repeat(42);
    expect(verifyPkce(short, short, 'plain')).toBe(false);
  });

  it('refuses a verifier longer than 128 characters (§4.1)', () => {
    const long = 'a'.repeat(129);
    expect(verifyPkce(long, long, 'plain')).toBe(false);
  });

  it('refuses a verifier with characters outside the unreserved set (§4.1)', () => {
    const bad = `${'a'.repeat(42)}+`;
    expect(verifyPkce(bad, bad, 'plain')).toBe(false);
  });
});

describe('isWellFormedPkceValue', () => {
  it('accepts 43 and 128 unreserved characters', () => {
    expect(isWellFormedPkceValue('A'.repeat(43))).toBe(true);
    expect(isWellFormedPkceValue('-._~'.repeat(32))).toBe(true);
    expect(isWellFormedPkceValue(CHALLENGE)).toBe(true);
  });

  it.each([
    ['42 characters', 'a'.repeat(42)],
    ['129 characters', 'a'.repeat(129)],
    ['a slash', `${'a'.repeat(42)}/`],
    ['padding', `${'a'.repeat(42)}=`],
    ['a space', `${'a'.repeat(42)} `],
    ['empty', ''],
  ])('refuses %s', (_what, value) => {
    expect(isWellFormedPkceValue(value)).toBe(false);
  });
});
