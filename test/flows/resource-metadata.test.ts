import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, protectedResourceMetadata, requireToken, resourceMetadataUrl, tokenMiddleware, type TokenRequest } from '../../src/index.ts';
import { startJwtIssuer, type JwtIssuer } from '../support/jwt-issuer.ts';

/**
 * RFC 9728: a protected resource publishes its metadata at /.well-known/oauth-protected-resource[/path] and names it
 * in its 401 challenges (§5.1), so a client that knows only the API's URL finds the authorization server. The same
 * few lines work in Fastify (requireToken) and in plain node:http or Express (tokenMiddleware).
 */

const RESOURCE = 'https://api.example/notes';
const METADATA_URL = 'https://api.example/.well-known/oauth-protected-resource/notes';

let issuer: JwtIssuer;
let fastify: FastifyInstance;
let fastifyUrl: string;
let plain: Server;
let plainUrl: string;
let brokenUrl: string;
let broken: Server;

/** Closes a server that was started; a set-up that failed early leaves it undefined, and teardown must not hang. */
const closeServer = (server: Server | undefined) => (server ? new Promise((r) => server.close(r)) : undefined);

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve(typeof a === 'object' && a !== null ? `http://127.0.0.1:${a.port}` : '');
    }),
  );
}

const get = (base: string, path: string, token?: string) => fetch(`${base}${path}`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });

beforeAll(async () => {
  issuer = await startJwtIssuer(['ES256']);
  const verifier = createVerifier({ issuer: issuer.url, resource: RESOURCE, format: 'jwt' });
  const metadata = protectedResourceMetadata(verifier, { resourceName: 'Notes', scopesSupported: ['notes:read', 'notes:write'] });

  fastify = Fastify();
  fastify.get(metadata.path, async () => metadata.document);
  fastify.get('/notes', { preHandler: requireToken(verifier, { scope: 'notes:read' }) }, async (req) => ({ sub: req.latchkeyToken?.sub }));
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  const a = fastify.server.address();
  fastifyUrl = typeof a === 'object' && a !== null ? `http://127.0.0.1:${a.port}` : '';

  // Plain node:http: the metadata handler first, then the middleware in front of the route.
  const guard = tokenMiddleware(verifier, { scope: 'notes:read' });
  plain = createServer((req: TokenRequest, res) => {
    if (metadata.handler(req, res)) return;
    guard(req, res, () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token: req.latchkeyToken, auth: { ...req.auth, token: req.auth?.token === undefined ? undefined : 'present' } }));
    });
  });
  plainUrl = await listen(plain);

  // The JWKS cannot be fetched: the authorization server's fault, not the caller's.
  const unreachable = createVerifier({ issuer: issuer.url, resource: RESOURCE, format: 'jwt', jwksUri: 'http://127.0.0.1:1/jwks', timeoutMs: 2000 });
  const brokenGuard = tokenMiddleware(unreachable);
  const expressStyle = tokenMiddleware(unreachable);
  broken = createServer((req: TokenRequest, res) => {
    if (req.url === '/express') {
      // Express calls next(err) with the error; its error handler answers.
      expressStyle(req, res, (err?: unknown) => {
        res.writeHead(err === undefined ? 200 : 502).end(err === undefined ? 'admitted' : 'next(err)');
      });
      return;
    }
    brokenGuard(req, res, () => res.writeHead(200).end('admitted'));
  });
  brokenUrl = await listen(broken);
});

afterAll(async () => {
  await fastify?.close();
  await closeServer(plain);
  await closeServer(broken);
  await issuer?.close();
});

describe('RFC 9728 protected resource metadata', () => {
  it('places the well-known segment between the host and the path (RFC 9728 §3.1)', () => {
    expect(resourceMetadataUrl('https://api.example')).toBe('https://api.example/.well-known/oauth-protected-resource');
    expect(resourceMetadataUrl('https://api.example/')).toBe('https://api.example/.well-known/oauth-protected-resource');
    expect(resourceMetadataUrl('https://api.example/notes/')).toBe(METADATA_URL);
    expect(resourceMetadataUrl('https://api.example:8443/a/b')).toBe('https://api.example:8443/.well-known/oauth-protected-resource/a/b');
  });

  it('serves the document whose resource is exactly the identifier, naming the issuer (RFC 9728 §2, §3.3)', async () => {
    for (const base of [fastifyUrl, plainUrl]) {
      const res = await get(base, '/.well-known/oauth-protected-resource/notes');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toEqual({
        resource: RESOURCE,
        authorization_servers: [issuer.url],
        bearer_methods_supported: ['header'],
        scopes_supported: ['notes:read', 'notes:write'],
        resource_name: 'Notes',
      });
    }
  });

  it('advertises the DPoP algorithms of a verifier that accepts DPoP, and no requirement when it also takes Bearer (RFC 9728 §2)', () => {
    const verifier = createVerifier({ issuer: issuer.url, resource: RESOURCE, format: 'jwt', dpop: { algorithms: ['ES256', 'EdDSA'] } });
    const { document } = protectedResourceMetadata(verifier);
    expect(document['dpop_signing_alg_values_supported']).toEqual(['ES256', 'EdDSA']);
    expect(document).not.toHaveProperty('dpop_bound_access_tokens_required');
  });

  it('leaves the DPoP members out for a verifier without DPoP (RFC 9728 §2)', () => {
    const { document } = protectedResourceMetadata(createVerifier({ issuer: issuer.url, resource: RESOURCE, format: 'jwt' }));
    expect(document).not.toHaveProperty('dpop_signing_alg_values_supported');
    expect(document).not.toHaveProperty('dpop_bound_access_tokens_required');
  });

  it('says dpop_bound_access_tokens_required when the verifier refuses Bearer, and oauth4webapi reads it (RFC 9728 §2, RFC 9449 §7.2)', async () => {
    // The identifier must be where the document is served: oauth4webapi fetches it from the identifier (§3.1) and
    // checks its `resource` is exactly that identifier (§3.3).
    let handler: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined;
    const server = createServer((req, res) => {
      if (!handler?.(req, res)) res.writeHead(404).end();
    });
    try {
      const resource = `${await listen(server)}/notes`;
      const verifier = createVerifier({ issuer: issuer.url, resource, format: 'jwt', dpop: { required: true } });
      handler = protectedResourceMetadata(verifier, { extra: { dpop_bound_access_tokens_required: false } }).handler;
      const rs = await oauth.processResourceDiscoveryResponse(
        new URL(resource),
        await oauth.resourceDiscoveryRequest(new URL(resource), { [oauth.allowInsecureRequests]: true }),
      );
      expect(rs.resource).toBe(resource);
      // `extra` cannot contradict the verifier: what it enforces is what it says.
      expect(rs.dpop_bound_access_tokens_required).toBe(true);
      expect(rs.dpop_signing_alg_values_supported).toEqual(['ES256', 'EdDSA', 'Ed25519', 'PS256', 'RS256']);
    } finally {
      await closeServer(server);
    }
  });

  it('refuses to build metadata for a verifier without a resource identifier', () => {
    const noResource = createVerifier({ issuer: issuer.url, clientId: 'c', clientSecret: 's' });
    expect(() => protectedResourceMetadata(noResource)).toThrow(/resource identifier/);
  });
});

describe('WWW-Authenticate challenges naming the metadata (RFC 9728 §5.1, RFC 6750 §3)', () => {
  for (const [label, base] of [
    ['Fastify requireToken', () => fastifyUrl],
    ['node:http tokenMiddleware', () => plainUrl],
  ] as const) {
    it(`${label}: a request without a token gets 401 with resource_metadata and the scope to ask for`, async () => {
      const res = await get(base(), '/notes');
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe(`Bearer realm="api", resource_metadata="${METADATA_URL}", scope="notes:read"`);
    });

    it(`${label}: a token for another resource gets 401 invalid_token with resource_metadata`, async () => {
      const res = await get(base(), '/notes', await issuer.mint('https://other.example/'));
      expect(res.status).toBe(401);
      const header = res.headers.get('www-authenticate') ?? '';
      expect(header).toContain(`resource_metadata="${METADATA_URL}"`);
      expect(header).toContain('error="invalid_token"');
      expect(res.headers.get('cache-control')).toBe('no-store');
    });

    it(`${label}: a token without the scope gets 403 insufficient_scope naming it`, async () => {
      const res = await get(base(), '/notes', await issuer.mint(RESOURCE, { scope: 'notes:write' }));
      expect(res.status).toBe(403);
      const header = res.headers.get('www-authenticate') ?? '';
      expect(header).toContain('error="insufficient_scope"');
      expect(header).toContain('scope="notes:read"');
      expect(((await res.json()) as { error: string }).error).toBe('insufficient_scope');
    });

    it(`${label}: a malformed Bearer header gets 400 invalid_request (RFC 6750 §3.1)`, async () => {
      const res = await fetch(`${base()}/notes`, { headers: { authorization: 'Bearer a b' } });
      expect(res.status).toBe(400);
      expect(res.headers.get('www-authenticate')).toContain('error="invalid_request"');
    });
  }

  it('node:http: admits a good token and sets req.latchkeyToken and the MCP SDK’s req.auth', async () => {
    const res = await get(plainUrl, '/notes', await issuer.mint(RESOURCE, { scope: 'notes:read' }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token: Record<string, unknown>; auth: Record<string, unknown> };
    expect(body.token).toMatchObject({ sub: 'user-1', clientId: 'mcp-client', format: 'jwt' });
    expect(body.auth).toMatchObject({ token: 'present', clientId: 'mcp-client', scopes: ['notes:read'], resource: RESOURCE, extra: { sub: 'user-1' } });
    expect(typeof body.auth['expiresAt']).toBe('number');
  });

  it('node:http: answers 503 itself when the keys cannot be fetched and next takes no error, never admitting the request', async () => {
    const res = await get(brokenUrl, '/notes', await issuer.mint(RESOURCE));
    expect(res.status).toBe(503);
    expect(await res.text()).not.toContain('admitted');
  });

  it('Express style: hands the authorization server failure to next(err)', async () => {
    const res = await get(brokenUrl, '/express', await issuer.mint(RESOURCE));
    expect({ status: res.status, body: await res.text() }).toEqual({ status: 502, body: 'next(err)' });
  });
});
