import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { randomUUID } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import type { ConfigInput } from '../../../src/config/schema.ts';
import { basicAuth } from '../../support/flow-helpers.ts';
import { resourcesConfig, insecure } from '../resources/fixtures.ts';

/** Token exchange (RFC 8693) and JWT bearer (RFC 7523) fixtures: the clients, their policies, a trusted issuer. */

export const EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const TT = {
  access: 'urn:ietf:params:oauth:token-type:access_token',
  refresh: 'urn:ietf:params:oauth:token-type:refresh_token',
  id: 'urn:ietf:params:oauth:token-type:id_token',
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
} as const;
export const EXCHANGER_SECRET = 'exchanger-secret-0123456789abcdef';
export const IDP = 'https://idp.example';
export const UNTRUSTED = 'https://untrusted.example';

export const exchanger: oauth.Client = { client_id: 'exchanger' };
export const exchangerAuth = oauth.ClientSecretBasic(EXCHANGER_SECRET);
export const EXCHANGER_BASIC = basicAuth('exchanger', EXCHANGER_SECRET);
export const STRANGER_BASIC = basicAuth('stranger', EXCHANGER_SECRET);
export const LIMITED_BASIC = basicAuth('limited', EXCHANGER_SECRET);

export interface Idp {
  sign(claims: JWTPayload, options?: { untrustedKey?: boolean; noJti?: boolean }): Promise<string>;
  jwks: { keys: Record<string, unknown>[] };
}

/** A trusted identity provider (its key configured inline) and a key nobody trusts. */
export async function idp(): Promise<Idp> {
  const trusted = await generateKeyPair('ES256', { extractable: true });
  const other = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(trusted.publicKey)), kid: 'idp-1', alg: 'ES256' };
  return {
    jwks: { keys: [jwk as Record<string, unknown>] },
    async sign(claims, options = {}) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ ...(options.noJti ? {} : { jti: randomUUID() }), iat: now, exp: now + 300, iss: IDP, ...claims })
        .setProtectedHeader({ alg: 'ES256', kid: 'idp-1' })
        .sign(options.untrustedKey ? other.privateKey : trusted.privateKey);
    },
  };
}

/** resourcesConfig plus: `exchanger` (both grants, a wide policy), `limited` (a narrow one), `stranger` (none), the trusted IdP. */
export function exchangeConfig(trusted: Idp, policy: Record<string, unknown> = {}): Partial<ConfigInput> {
  const base = resourcesConfig();
  return {
    ...base,
    clients: [
      ...(base.clients ?? []),
      {
        id: 'exchanger', name: 'Exchanger', secret: EXCHANGER_SECRET, grantTypes: [EXCHANGE_GRANT, JWT_BEARER],
        tokenExchange: {
          subjectTokenTypes: ['access_token', 'refresh_token', 'id_token', 'jwt'],
          resources: ['https://jwt-api.example/'],
          impersonation: true,
          delegation: true,
          otherClientsTokens: true,
          ...policy,
        },
      },
      { id: 'stranger', name: 'Stranger', secret: EXCHANGER_SECRET, grantTypes: [EXCHANGE_GRANT] },
      // Its own access tokens, impersonation only: everything else is refused.
      { id: 'limited', name: 'Limited', secret: EXCHANGER_SECRET, grantTypes: [EXCHANGE_GRANT], tokenExchange: { subjectTokenTypes: ['access_token'], impersonation: true } },
    ],
    tokenExchange: {
      trustedIssuers: [{ issuer: IDP, jwks: trusted.jwks, userClaim: 'sub', userBy: 'username' }],
    },
  };
}

export { insecure };
