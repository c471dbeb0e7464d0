import Fastify from 'fastify';
import { createVerifier, protectedResourceMetadata, requireToken } from '../../../src/index.ts';

export function ordersApi(issuer: string) {
  // JWT access tokens for https://api.example.com, checked locally with the keys at Latchkey's jwks_uri.
  const verifier = createVerifier({ issuer, resource: 'https://api.example.com', format: 'jwt' });
  const metadata = protectedResourceMetadata(verifier, { resourceName: 'Example API', scopesSupported: ['read'] });

  const api = Fastify();
  api.get(metadata.path, async () => metadata.document); // RFC 9728: /.well-known/oauth-protected-resource
  api.get('/orders', { preHandler: requireToken(verifier, { scope: 'read' }) }, async (req) => {
    return { orders: [], for: req.latchkeyToken?.sub };
  });
  return api;
}
