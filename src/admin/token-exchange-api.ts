import { z } from 'zod';
import { SUBJECT_TOKEN_TYPES } from '../config/token-exchange-schema.ts';
import { type ApiRoute, type NamedSchemas, route } from './api-route.ts';

/**
 * The token exchange configuration (RFC 8693 policies, trusted issuers for RFC 8693 and RFC 7523) as the admin API
 * shows it. Read-only: it lives in the configuration file (tokenExchange), so each node has the same; there is no
 * secret in it (a JWK Set is public), but the inline keys are only counted, to keep the answer short.
 */

const trustedIssuerView = z.object({
  issuer: z.string(),
  jwksUri: z.string().optional(),
  inlineKeys: z.number().int().describe('Keys given inline in the configuration (0 with jwksUri).'),
  userClaim: z.string(),
  userBy: z.enum(['id', 'username']),
}).strict();

const policyView = z.object({
  client: z.string(),
  subjectTokenTypes: z.array(z.enum(SUBJECT_TOKEN_TYPES)),
  resources: z.array(z.string()),
  scopes: z.array(z.string()),
  impersonation: z.boolean(),
  delegation: z.boolean(),
  otherClientsTokens: z.boolean(),
  refreshTokens: z.boolean(),
}).strict();

export const tokenExchangeView = z.object({
  source: z.literal('config').describe('Where the settings come from: the configuration file (key tokenExchange).'),
  trustedIssuers: z.array(trustedIssuerView),
  policies: z.array(policyView).describe('Per client, what it may exchange; a client without one may not (deny by default).'),
}).strict();

export const TOKEN_EXCHANGE_SCHEMAS: NamedSchemas = [['TokenExchangeSettings', tokenExchangeView, 'output']];

export const TOKEN_EXCHANGE_ROUTES: readonly ApiRoute[] = [
  route({
    method: 'GET', path: '/token-exchange', operationId: 'getTokenExchange', tag: 'Token exchange',
    summary: 'Show the token exchange policies and trusted issuers',
    description: 'Read-only: set them in the configuration file (tokenExchange). See the README, "Token exchange and JWT bearer".',
    responses: { 200: { description: 'The settings in force', schema: tokenExchangeView } },
    handle: async (ctx) => {
      const { trustedIssuers, policies } = ctx.deps.config.tokenExchange;
      const body: z.output<typeof tokenExchangeView> = {
        source: 'config',
        trustedIssuers: trustedIssuers.map((t) => ({ issuer: t.issuer, ...(t.jwksUri ? { jwksUri: t.jwksUri } : {}), inlineKeys: t.jwks?.keys.length ?? 0, userClaim: t.userClaim, userBy: t.userBy })),
        policies: policies.map((p) => ({ ...p })),
      };
      return { status: 200, body };
    },
  }),
];
