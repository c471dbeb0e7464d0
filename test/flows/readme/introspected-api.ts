import Fastify from 'fastify';
import { createVerifier, requireToken } from '../../../src/index.ts';

export function introspectedOrdersApi(issuer: string, apiSecret: string) {
  // Opaque access tokens, checked by introspection (RFC 7662) as the client my-api.
  const verifier = createVerifier({ issuer, clientId: 'my-api', clientSecret: apiSecret });

  const api = Fastify();
  api.get('/orders', { preHandler: requireToken(verifier, { scope: 'orders.read' }) }, async (req) => {
    return { orders: [], for: req.latchkeyToken?.sub };
  });
  return api;
}
