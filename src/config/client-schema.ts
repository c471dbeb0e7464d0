import { z } from 'zod';
import { tokenExchangePolicySchema } from './token-exchange-schema.ts';

const seconds = z.number().int().positive();

/** A client (application) declared in the configuration file; bootstrap.ts clientFromConfig makes the stored client. */
export const clientSchema = z.strictObject({
  id: z.string().min(1).max(200),
  name: z.string().min(1),
  /** Plain-text secret in the config file; stored hashed. Omit for a public client. */
  secret: z.string().min(16, 'client secrets need at least 16 characters').optional(),
  type: z.enum(['confidential', 'public']).default('confidential'),
  redirectUris: z.array(z.string()).default([]),
  grantTypes: z.array(z.enum(['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code', 'urn:ietf:params:oauth:grant-type:token-exchange', 'urn:ietf:params:oauth:grant-type:jwt-bearer'])).default(['authorization_code', 'refresh_token']),
  responseTypes: z
    .array(z.enum(['code', 'token', 'id_token', 'id_token token', 'code id_token', 'code token', 'code id_token token']))
    .optional()
    .describe('Default: ["code"] with the authorization_code grant type, else none (RFC 7591 §2.1).'),
  scopes: z.array(z.string()).default([]),
  /** 'never': access tokens from the token endpoint do not expire (redCORE code flow); implicit ones still do. */
  accessTokenTtl: z.union([seconds, z.literal('never')]).optional(),
  refreshTokenTtl: z.union([seconds, z.literal('never')]).optional(),
  codeTtl: seconds.optional(),
  requirePkce: z.boolean().optional(),
  introspectAny: z.boolean().default(false).describe('A resource server that may introspect tokens issued to any client.'),
  dpopBoundAccessTokens: z.boolean().default(false).describe('The client must send a DPoP proof to the token endpoint (RFC 9449 §5.2); its tokens are always DPoP-bound.'),
  // OpenID Connect client metadata (Registration 1.0 §2; the logout specs), camelCase like the keys above.
  idTokenSignedResponseAlg: z.enum(['RS256', 'ES256', 'EdDSA']).optional().describe('ID token algorithm; default oidc.defaultIdTokenAlg.'),
  userinfoSignedResponseAlg: z.enum(['RS256', 'ES256', 'EdDSA']).optional().describe('Set: UserInfo answers a signed JWT (application/jwt).'),
  subjectType: z.enum(['public', 'pairwise']).default('public').describe('pairwise: a sub per redirect URI host (OpenID Connect Core §8.1).'),
  defaultMaxAge: seconds.optional().describe('max_age for requests that send none.'),
  requireAuthTime: z.boolean().default(false),
  postLogoutRedirectUris: z.array(z.string()).default([]),
  backchannelLogoutUri: z.string().optional(),
  tokenExchange: tokenExchangePolicySchema.optional()
    .describe('What this client may exchange (RFC 8693); needs the token-exchange grant type. Absent: it may not (deny by default).'),
  requirePushedAuthorizationRequests: z.boolean().optional()
    .describe('Accept this client\'s authorization requests only through the pushed authorization request endpoint (RFC 9126 §6); default pushedAuthorizationRequests.required.'),
  requireSignedRequestObject: z.boolean().optional()
    .describe('Accept this client\'s authorization requests only as signed request objects (RFC 9101 §10.5); default requestObjects.requireSigned.'),
  // Client authentication (RFC 7591 §2, OpenID Connect Registration 1.0 §2): private_key_jwt with inline jwks or a
  // jwks_uri. client_secret_jwt is refused at load (load.ts): secrets are stored hashed, and HMAC needs the secret.
  tokenEndpointAuthMethod: z.enum(['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none']).optional()
    .describe('private_key_jwt: the client signs assertions with a key of jwks or jwksUri (RFC 7523 §2.2); no secret.'),
  tokenEndpointAuthSigningAlg: z.string().optional().describe('The one algorithm its assertions may use (e.g. ES256); default any of RS*, PS*, ES*, EdDSA.'),
  jwks: z.strictObject({ keys: z.array(z.record(z.string(), z.unknown())).min(1).max(20) }).optional().describe('The public keys of a private_key_jwt client (a JWK Set).'),
  jwksUri: z.string().optional().describe('https URL of the public keys of a private_key_jwt client; fetched and cached.'),
  backchannelLogoutSessionRequired: z.boolean().default(false).describe('Back-Channel Logout 1.0 §2.2; sid is always sent.'),
  sectorIdentifierUri: z.never({ error: 'sector_identifier_uri is not supported yet: use redirect URIs on one host for pairwise' }).optional(),
});

