import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { postToken } from '../../support/flow-helpers.ts';

/** RFC 7523 §2.2: the client_assertion_type of a JWT client assertion. */
export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface ClientKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function clientKey(alg: 'RS256' | 'PS256' | 'ES256' | 'EdDSA', kid = randomUUID()): Promise<ClientKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

export interface AssertionClaims {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  /** Absolute Unix seconds; `null` leaves the claim out. */
  exp?: number | null;
  iat?: number | null;
  nbf?: number;
  jti?: string | null;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A client assertion (RFC 7523 §3) for `clientId`, signed with `key`; `claims` overrides or removes any claim. */
export async function assertion(key: { privateKey: CryptoKey | Uint8Array; kid?: string; alg: string }, clientId: string, aud: string, claims: AssertionClaims = {}): Promise<string> {
  const now = nowSeconds();
  const body: Record<string, unknown> = { iss: clientId, sub: clientId, aud, exp: now + 60, iat: now, jti: randomUUID(), ...claims };
  for (const [k, v] of Object.entries(body)) if (v === null) delete body[k];
  return new SignJWT(body).setProtectedHeader({ alg: key.alg, ...(key.kid ? { kid: key.kid } : {}) }).sign(key.privateKey);
}

/** An unsigned JWT (alg none, RFC 7519 §6). */
export function unsecured(clientId: string, aud: string): string {
  const now = nowSeconds();
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none' })}.${part({ iss: clientId, sub: clientId, aud, exp: now + 60, iat: now, jti: randomUUID() })}.`;
}

export const withAssertion = (jwt: string, extra: Record<string, string> = {}): Record<string, string> => ({
  client_assertion_type: JWT_BEARER,
  client_assertion: jwt,
  ...extra,
});

export const clientCredentials = (server: { url: string }, jwt: string, extra: Record<string, string> = {}) =>
  postToken(server, { grant_type: 'client_credentials', ...withAssertion(jwt, extra) });

/** A JWKS served over loopback http that the test can change, counting the fetches. */
export interface JwksHost {
  url: string;
  keys: JWK[];
  fetches: number;
  close(): Promise<void>;
}

export async function serveJwks(keys: JWK[]): Promise<JwksHost> {
  const host: JwksHost = { url: '', keys, fetches: 0, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    host.fetches++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: host.keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  host.url = `http://127.0.0.1:${port}/jwks.json`;
  host.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return host;
}
