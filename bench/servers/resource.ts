import Fastify from 'fastify';
import { createVerifier, requireToken, type VerifierOptions } from '../../src/resource/verify.ts';
import { announce, BENCH, onStop } from '../common.ts';
import { freePort } from './free-port.ts';

/**
 * An operator's API protected by Latchkey's verifier (src/resource), for `npm run bench:verifier`: one Fastify route
 * behind `requireToken`. BENCH_RESOURCE_MODE picks how tokens are checked: `jwt` validates RFC 9068 JWT access
 * tokens locally (JWKS fetched once), `introspection` asks the authorization server on every request (cache off),
 * `introspection-cached` reuses answers for 5 s (the verifier's default), `jwt-dpop` validates DPoP-bound JWT access
 * tokens locally and each request's proof (RFC 9449 §7: signature, htm, htu, iat, ath, jti through the verifier's
 * in-memory replay cache).
 */
const mode = process.env['BENCH_RESOURCE_MODE'] ?? 'jwt';
const issuer = process.env['BENCH_ISSUER'] ?? '';
const resource = process.env['BENCH_RESOURCE'] ?? 'https://api.bench.example';
const port = await freePort();
const jwt = { issuer, resource, format: 'jwt', ...(process.env['BENCH_JWKS_URI'] ? { jwksUri: process.env['BENCH_JWKS_URI'] } : {}) } as const;
const options: VerifierOptions =
  mode === 'jwt'
    ? jwt
    : mode === 'jwt-dpop'
      ? // htu is this loopback origin, not the resource identifier's (RFC 9449 §4.3 point 9).
        { ...jwt, dpop: { required: true, origin: `http://127.0.0.1:${port}` } }
      : { issuer, clientId: BENCH.clientId, clientSecret: BENCH.clientSecret, cacheTtlSeconds: mode === 'introspection-cached' ? 5 : 0 };
const verifier = createVerifier(options);
const app = Fastify({ logger: false });
app.get('/api/orders', { preHandler: requireToken(verifier, { scope: BENCH.clientScope }) }, async (req) => ({ orders: [], client: req.latchkeyToken?.clientId }));
await app.listen({ port, host: '127.0.0.1' });
announce({ port, version: '0', endpoints: { resource: '/api/orders' }, notes: [`resource ${mode}`] });
onStop(() => app.close());
