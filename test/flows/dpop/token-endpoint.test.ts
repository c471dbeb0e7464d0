import type { JWK } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectJsonError, postToken, WEB_APP_BASIC } from '../../support/flow-helpers.ts';
import { startServer, TEST_SECRET, type TestServer } from '../../support/server.ts';
import { proof, proofKey, type ProofKey } from './proofs.ts';

/**
 * DPoP at the token endpoint (RFC 9449 §5): a valid proof binds the access token (token_type DPoP, cnf.jkt in
 * introspection, §6.2); every check of §4.3 refuses a broken proof with invalid_dpop_proof (400). oauth4webapi is the
 * real client for the positive case; hand-made proofs break one property at a time.
 */

const insecure = { [oauth.allowInsecureRequests]: true } as const;
let server: TestServer;
let as: oauth.AuthorizationServer;
let key: ProofKey;
let tokenUrl: string;

beforeAll(async () => {
  server = await startServer();
  const issuer = new URL(server.url);
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
  key = await proofKey();
  tokenUrl = `${server.url}/oauth2/token`;
});

afterAll(async () => {
  await server?.close();
});

const now = () => Math.floor(Date.now() / 1000);
const clientCredentials = (dpop: string | undefined) =>
  postToken(server, { grant_type: 'client_credentials' }, { authorization: WEB_APP_BASIC, headers: dpop === undefined ? {} : { dpop } });

async function introspect(token: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${server.url}/oauth2/introspect`, { method: 'POST', headers: { authorization: WEB_APP_BASIC }, body: new URLSearchParams({ token }) });
  return (await res.json()) as Record<string, unknown>;
}

describe('DPoP at the token endpoint (RFC 9449 §5)', () => {
  it('issues a DPoP-bound access token to client_credentials with oauth4webapi, and introspection shows cnf.jkt (§5, §6.2)', async () => {
    const client: oauth.Client = { client_id: 'web-app' };
    const keyPair = await oauth.generateKeyPair('ES256', { extractable: true });
    const DPoP = oauth.DPoP(client, keyPair);
    const res = await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretBasic(TEST_SECRET), new URLSearchParams(), { DPoP, ...insecure });
    const tokens = await oauth.processClientCredentialsResponse(as, client, res);
    expect(tokens.token_type).toBe('dpop');
    const info = await introspect(tokens.access_token);
    expect(info).toMatchObject({ active: true, token_type: 'DPoP' });
    const { calculateJwkThumbprint, exportJWK } = await import('jose');
    expect(info['cnf']).toEqual({ jkt: await calculateJwkThumbprint(await exportJWK(keyPair.publicKey), 'sha256') });
  });

  it('issues a Bearer token without cnf when no DPoP header is sent', async () => {
    const res = await clientCredentials(undefined);
    const body = (await res.json()) as { token_type: string; access_token: string };
    expect(body.token_type).toBe('Bearer');
    expect((await introspect(body.access_token))['cnf']).toBeUndefined();
  });

  it('accepts a hand-made proof and binds the token to its key thumbprint', async () => {
    const res = await clientCredentials(await proof(key, { htm: 'POST', htu: tokenUrl }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token_type: string; access_token: string };
    expect(body.token_type).toBe('DPoP');
    expect((await introspect(body.access_token))['cnf']).toEqual({ jkt: key.jkt });
  });

  it('accepts an htu that differs only by case of scheme and host, default port or a query (§4.3 point 9)', async () => {
    const url = new URL(tokenUrl);
    const htu = `HTTP://${url.hostname.toUpperCase()}:${url.port}/oauth2/token?x=1#f`;
    expect((await clientCredentials(await proof(key, { htm: 'POST', htu }))).status).toBe(200);
  });

  const refused: [string, () => Promise<string>][] = [
    ['a signature made by another key than the jwk header names (§4.3 point 6)', async () => proof(key, { htm: 'POST', htu: tokenUrl, signWith: (await proofKey()).privateKey })],
    ['a wrong htm (§4.3 point 8)', () => proof(key, { htm: 'GET', htu: tokenUrl })],
    ['a wrong htu (§4.3 point 9)', () => proof(key, { htm: 'POST', htu: `${server.url}/oauth2/revoke` })],
    ['an htu on another host (§4.3 point 9)', () => proof(key, { htm: 'POST', htu: 'https://evil.example/oauth2/token' })],
    ['a stale iat (§4.3 point 11)', () => proof(key, { htm: 'POST', htu: tokenUrl, iat: now() - 600 })],
    ['an iat in the future (§4.3 point 11)', () => proof(key, { htm: 'POST', htu: tokenUrl, iat: now() + 600 })],
    ['typ JWT instead of dpop+jwt (§4.3 point 4)', () => proof(key, { htm: 'POST', htu: tokenUrl, typ: 'JWT' })],
    ['a private key in the jwk header (§4.3 point 7)', async () => {
      const { exportJWK } = await import('jose');
      return proof(key, { htm: 'POST', htu: tokenUrl, jwk: await exportJWK(key.privateKey) });
    }],
    ['a symmetric algorithm (§4.3 point 5)', async () => {
      const { SignJWT } = await import('jose');
      const secret = new Uint8Array(32).fill(1);
      const oct: JWK = { kty: 'oct', k: 'AQEB' };
      return new SignJWT({ jti: 'x', htm: 'POST', htu: tokenUrl, iat: now() }).setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: oct }).sign(secret);
    }],
    ['a value that is not a JWT (§4.3 point 2)', async () => 'not-a-jwt'],
  ];
  for (const [what, make] of refused) {
    it(`refuses ${what} with invalid_dpop_proof 400 (§5)`, async () => {
      const body = await expectJsonError(await clientCredentials(await make()), 400, 'invalid_dpop_proof');
      expect(JSON.stringify(body)).not.toContain('eyJ');
    });
  }

  it('refuses a replayed jti with invalid_dpop_proof: a proof is single-use (§11.1)', async () => {
    const once = await proof(key, { htm: 'POST', htu: tokenUrl });
    expect((await clientCredentials(once)).status).toBe(200);
    await expectJsonError(await clientCredentials(once), 400, 'invalid_dpop_proof');
  });

  it('refuses two DPoP headers with invalid_dpop_proof (§4.3 point 1)', async () => {
    const headers = new Headers({ authorization: WEB_APP_BASIC });
    headers.append('dpop', await proof(key, { htm: 'POST', htu: tokenUrl }));
    headers.append('dpop', await proof(key, { htm: 'POST', htu: tokenUrl }));
    const res = await fetch(tokenUrl, { method: 'POST', headers, body: new URLSearchParams({ grant_type: 'client_credentials' }) });
    await expectJsonError(res, 400, 'invalid_dpop_proof');
  });

  it('advertises dpop_signing_alg_values_supported in both metadata documents (§5.1)', async () => {
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      const doc = (await (await fetch(server.url + path)).json()) as Record<string, unknown>;
      expect(doc['dpop_signing_alg_values_supported']).toEqual(['ES256', 'EdDSA', 'Ed25519', 'PS256', 'RS256']);
    }
  });
});
