import { describe, expect, it } from 'vitest';
import { tokenExchangeSchema } from '../../../src/config/token-exchange-schema.ts';

/** The path and message of the first issue, or 'ok'. */
function verdict(input: unknown): string {
  const r = tokenExchangeSchema.safeParse(input);
  return r.success ? 'ok' : `${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message}`;
}

const jwks = { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] };

describe('tokenExchange configuration (RFC 8693, RFC 7523)', () => {
  it('takes a trusted issuer\'s keys inline or from an https jwksUri, exactly one of them', () => {
    expect(verdict({ trustedIssuers: [{ issuer: 'https://idp.example', jwks }] })).toBe('ok');
    expect(verdict({ trustedIssuers: [{ issuer: 'https://idp.example', jwksUri: 'https://idp.example/jwks' }] })).toBe('ok');
    expect(verdict({ trustedIssuers: [{ issuer: 'https://idp.example' }] })).toBe('trustedIssuers.0: give exactly one of jwks and jwksUri');
    expect(verdict({ trustedIssuers: [{ issuer: 'https://idp.example', jwks, jwksUri: 'https://idp.example/jwks' }] })).toBe('trustedIssuers.0: give exactly one of jwks and jwksUri');
  });

  it('refuses a jwksUri that is not https: the keys decide whom Latchkey trusts', () => {
    expect(verdict({ trustedIssuers: [{ issuer: 'https://idp.example', jwksUri: 'http://idp.example/jwks' }] })).toMatch(/^trustedIssuers\.0\.jwksUri: /);
  });

  it('denies by default: a policy allows neither impersonation, delegation nor other clients\' tokens unless it says so', () => {
    const parsed = tokenExchangeSchema.parse({ policies: [{ client: 'gateway', subjectTokenTypes: ['access_token'] }] });
    expect(parsed.policies[0]).toEqual({ client: 'gateway', subjectTokenTypes: ['access_token'], resources: [], scopes: [], impersonation: false, delegation: false, otherClientsTokens: false, refreshTokens: false });
    expect(tokenExchangeSchema.parse(undefined)).toEqual({ trustedIssuers: [], policies: [] });
  });
});
