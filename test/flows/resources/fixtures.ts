import * as oauth from 'oauth4webapi';
import type { ConfigInput } from '../../../src/config/schema.ts';
import { testConfig, TEST_PASSWORD, TEST_SECRET } from '../../support/server.ts';

/** The resources (APIs) of the resource-indicator flow tests (RFC 8707, RFC 9068). */

export const JWT_API = 'https://jwt-api.example/';
export const OPAQUE_API = 'https://opaque-api.example/v1';
export const API_SECRET = 'api-secret-0123456789abcdef';
export const insecure = { [oauth.allowInsecureRequests]: true } as const;

/** The base test config plus two resources, their scopes, and the client the opaque API introspects as. */
export function resourcesConfig(overrides: Partial<ConfigInput> = {}): Partial<ConfigInput> {
  const base = testConfig();
  return {
    clients: [
      ...(base.clients ?? []),
      { id: 'opaque-api', name: 'Opaque API (introspection)', secret: API_SECRET, grantTypes: ['client_credentials'] },
      { id: 'jwt-api', name: 'JWT API (introspection)', secret: API_SECRET, grantTypes: ['client_credentials'] },
    ],
    scopes: [
      { name: 'notes.read', description: 'Read your notes' },
      { name: 'notes.write', description: 'Change your notes' },
      { name: 'calendar.read', description: 'Read your calendar' },
    ],
    // Consent is remembered per user and client: the consent-page test signs in as its own user.
    users: [...(base.users ?? []), { username: 'bob', password: TEST_PASSWORD }],
    resources: [
      { id: JWT_API, name: 'Notes API', scopes: ['notes.read', 'notes.write'], accessTokenFormat: 'jwt', introspectionClient: 'jwt-api' },
      { id: OPAQUE_API, name: 'Calendar API', scopes: ['calendar.read'], introspectionClient: 'opaque-api' },
    ],
    ...overrides,
  };
}

export const webApp: oauth.Client = { client_id: 'web-app' };
export const webAuth = oauth.ClientSecretBasic(TEST_SECRET);

export async function discover(url: string): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(url);
  return oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
}

/** An RFC 6750 request carrying `token`, as a resource server receives it. */
export const apiRequest = (token: string, url = JWT_API): Request => new Request(url, { headers: { authorization: `Bearer ${token}` } });

/** The claims of a JWT, unverified (the tests verify with oauth4webapi where it matters). */
export function jwtParts(jwt: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [h = '', p = ''] = jwt.split('.');
  return { header: JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>, payload: JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown> };
}
