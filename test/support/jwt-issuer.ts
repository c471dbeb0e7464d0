import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

/**
 * A stand-in authorization server for resource-server tests: RFC 8414 metadata and a JWKS on a tiny node:http server,
 * and RFC 9068 JWT access tokens minted with jose. It counts the JWKS fetches, so tests bound refetching by work.
 */
export interface JwtIssuer {
  url: string;
  jwksFetches: () => number;
  /** While true, the JWKS endpoint answers 500 (an authorization server in trouble). */
  failJwks(failing: boolean): void;
  /** Signs an at+jwt; `claims` and `header` override the defaults (a valid token for `audience`). */
  mint(audience: string | string[], claims?: JWTPayload, header?: Record<string, unknown>, key?: TestKey): Promise<string>;
  /** Publishes a new key (a rotation) and returns it. */
  addKey(alg: 'RS256' | 'ES256' | 'EdDSA' | 'PS256'): Promise<TestKey>;
  keys: TestKey[];
  close(): Promise<void>;
}

export interface TestKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function newKey(alg: string, kid: string = randomUUID()): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

export async function startJwtIssuer(algs: readonly ('RS256' | 'ES256' | 'EdDSA' | 'PS256')[] = ['ES256']): Promise<JwtIssuer> {
  const keys: TestKey[] = [];
  for (const alg of algs) keys.push(await newKey(alg));
  let fetches = 0;
  let failing = false;
  let url = '';
  const server: Server = createServer((req, res) => {
    if (req.url === '/.well-known/oauth-authorization-server') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          issuer: url,
          jwks_uri: `${url}/jwks`,
          introspection_endpoint: `${url}/introspect`,
          // Enough RFC 8414 for an OAuth client (the MCP SDK) to start an authorization; nothing behind them.
          authorization_endpoint: `${url}/authorize`,
          token_endpoint: `${url}/token`,
          response_types_supported: ['code'],
          code_challenge_methods_supported: ['S256'],
        }),
      );
    } else if (req.url === '/jwks') {
      fetches++;
      if (failing) {
        res.writeHead(500).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: keys.map((k) => k.publicJwk) }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  url = `http://127.0.0.1:${address.port}`;
  return {
    url,
    keys,
    jwksFetches: () => fetches,
    failJwks: (f) => {
      failing = f;
    },
    async mint(audience, claims = {}, header = {}, key = keys[0]) {
      if (!key) throw new Error('no key');
      const now = Math.floor(Date.now() / 1000);
      // A claim given as undefined is left out (to test tokens that lack it).
      const jwt = new SignJWT({ client_id: 'mcp-client', scope: 'notes:read', jti: randomUUID(), sub: 'user-1', ...claims })
        .setProtectedHeader({ alg: key.alg, typ: 'at+jwt', kid: key.kid, ...header })
        .setIssuer(typeof claims.iss === 'string' ? claims.iss : url)
        .setAudience(audience)
        .setIssuedAt(typeof claims.iat === 'number' ? claims.iat : now)
        .setExpirationTime(typeof claims.exp === 'number' ? claims.exp : now + 300);
      return jwt.sign(key.privateKey);
    },
    async addKey(alg) {
      const key = await newKey(alg);
      keys.push(key);
      return key;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
