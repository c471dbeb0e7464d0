import { z } from 'zod';
import { type ApiRoute, type NamedSchemas, route } from './api-route.ts';

/**
 * The trusted issuers of token exchange (RFC 8693) and JWT bearer (RFC 7523) as the admin API shows them; each
 * client's exchange policy is the application's `tokenExchange` (admin/applications.ts). Read-only: it lives in the
 * configuration file (tokenExchange), so each node has the same; there is no secret in it (a JWK Set is public), but the inline keys are only counted, to keep the answer short.
 */

const trustedIssuerView = z.object({
  issuer: z.string(),
  jwksUri: z.string().optional(),
  inlineKeys: z.number().int().describe('Keys given inline in the configuration (0 with jwksUri).'),
  userClaim: z.string(),
  userBy: z.enum(['id', 'username']),
}).strict();

export const tokenExchangeView = z.object({
  source: z.literal('config').describe('Where the settings come from: the configuration file (key tokenExchange).'),
  trustedIssuers: z.array(trustedIssuerView),
}).strict();

export const TOKEN_EXCHANGE_SCHEMAS: NamedSchemas = [['TokenExchangeSettings', tokenExchangeView, 'output']];

export const TOKEN_EXCHANGE_ROUTES: readonly ApiRoute[] = [
  route({
    method: 'GET', path: '/token-exchange', operationId: 'getTokenExchange', tag: 'Token exchange',
    summary: 'Show the trusted issuers of token exchange and JWT bearer',
    description: 'Read-only: set them in the configuration file (tokenExchange). Each application\'s exchange policy is its tokenExchange field. See the README, "Token exchange and JWT bearer".',
    responses: { 200: { description: 'The settings in force', schema: tokenExchangeView } },
    handle: async (ctx) => {
      const { trustedIssuers } = ctx.deps.config.tokenExchange;
      const body: z.output<typeof tokenExchangeView> = {
        source: 'config',
        trustedIssuers: trustedIssuers.map((t) => ({ issuer: t.issuer, ...(t.jwksUri ? { jwksUri: t.jwksUri } : {}), inlineKeys: t.jwks?.keys.length ?? 0, userClaim: t.userClaim, userBy: t.userBy })),
      };
      return { status: 200, body };
    },
  }),
];
