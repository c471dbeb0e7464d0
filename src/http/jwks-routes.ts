import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app-deps.ts';

/**
 * `jwks_uri` (RFC 8414 §2, OpenID Connect Discovery §3): the published public keys. Relying parties cache it for
 * `keys.jwksMaxAgeSeconds`; rotation publishes a key longer than that before it signs (core/keys/rotation.ts).
 */
export function registerJwksRoutes(app: FastifyInstance, deps: AppDeps): void {
  const cacheControl = `public, max-age=${deps.config.keys.jwksMaxAgeSeconds}`;
  app.get(deps.config.paths.jwks, { config: { errorStyle: 'json' } }, async (_req, reply) =>
    // RFC 7517 §8.5: application/jwk-set+json is the registered type; clients accept it as JSON.
    reply.header('cache-control', cacheControl).type('application/jwk-set+json').send(await deps.keys.keyring.jwks()),
  );
}
