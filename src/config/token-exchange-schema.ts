import { z } from 'zod';

/** RFC 8693 §3 token type identifiers a client's policy may accept as subject (and actor) tokens. */
export const SUBJECT_TOKEN_TYPES = ['access_token', 'refresh_token', 'id_token', 'jwt'] as const;

/**
 * Another issuer whose JWTs Latchkey accepts: as subject or actor tokens of a token exchange (RFC 8693 §2.1) and as
 * JWT bearer assertions (RFC 7523 §2.1). Its keys are given inline (`jwks`) or fetched (`jwksUri`). Written into the
 * database at each start (trusted-issuers-bootstrap.ts), beside those added with the CLI, the admin API or the console.
 */
const trustedIssuerSchema = z
  .strictObject({
    issuer: z.string().min(1).describe('The `iss` the JWTs carry, exactly.'),
    name: z.string().min(1).max(200).optional().describe('What the console and the CLI call it; the issuer when absent.'),
    jwks: z.strictObject({ keys: z.array(z.record(z.string(), z.unknown())).min(1) }).optional().describe('The issuer\'s public keys as a JWK Set.'),
    jwksUri: z.url({ protocol: /^https$/, error: 'an https URL' }).optional().describe('Where to fetch the issuer\'s JWK Set instead (https).'),
    userClaim: z.string().min(1).default('sub').describe('The claim that names the Latchkey user.'),
    userBy: z.enum(['id', 'username']).default('username').describe('What that claim holds: a Latchkey user id or a username.'),
  })
  .refine((t) => (t.jwks === undefined) !== (t.jwksUri === undefined), { message: 'give exactly one of jwks and jwksUri' });

/**
 * What one client may exchange (RFC 8693 §5: the server decides by policy), kept on the client (`clients[].tokenExchange`,
 * the CLI, the admin API, the console); a client without one may not exchange (deny by default).
 */
export const tokenExchangePolicySchema = z.strictObject({
  subjectTokenTypes: z.array(z.enum(SUBJECT_TOKEN_TYPES, { error: `use ${SUBJECT_TOKEN_TYPES.join(', ')}` })).min(1, { error: 'at least one subject token type' })
    .describe('Subject token types it may present (access_token, refresh_token, id_token, jwt); also those of actor tokens.'),
  resources: z.array(z.string({ error: 'each resource must be a string' }), { error: 'a list of resource identifiers' }).max(50, { error: 'at most 50 resources' }).default([]).describe('Registered resources (audiences) it may ask tokens for; empty: only tokens without audience.'),
  scopes: z.array(z.string({ error: 'each scope must be a string' }), { error: 'a list of scopes' }).max(100, { error: 'at most 100 scopes' }).default([]).describe('Scopes the issued tokens may carry at most; empty: any the subject token had.'),
  impersonation: z.boolean({ error: 'true or false' }).default(false).describe('May exchange without an actor token (the new token names the subject alone).'),
  delegation: z.boolean({ error: 'true or false' }).default(false).describe('May exchange with an actor token (the new token carries an `act` claim, RFC 8693 §4.1).'),
  otherClientsTokens: z.boolean({ error: 'true or false' }).default(false).describe('May present access and ID tokens issued to other clients (refresh tokens: never).'),
  refreshTokens: z.boolean({ error: 'true or false' }).default(false).describe('The answer also carries a refresh token (RFC 8693 §2.2.1), when the client has the refresh_token grant type.'),
});

export const tokenExchangeSchema = z
  .strictObject({
    trustedIssuers: z.array(trustedIssuerSchema).default([]).describe('Other issuers whose JWTs are accepted (token exchange subject type jwt, JWT bearer grant).'),
    // Moved onto the client, so the CLI, the admin API and the console can change it: a file that still has it says where.
    policies: z.never({ error: 'moved: give each client its policy as clients[].tokenExchange (see README "Token exchange and JWT bearer")' }).optional(),
  })
  .prefault({})
  .describe('OAuth 2.0 Token Exchange (RFC 8693) and the JWT bearer grant (RFC 7523); see README "Token exchange and JWT bearer".');

export type TrustedIssuer = z.output<typeof trustedIssuerSchema>;
export type TokenExchangePolicy = z.output<typeof tokenExchangePolicySchema>;
export type TokenExchangePolicyInput = z.input<typeof tokenExchangePolicySchema>;
