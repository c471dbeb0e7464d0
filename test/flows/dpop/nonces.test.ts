import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeGrant, expectJsonError, obtainCode, postToken, WEB_APP_BASIC } from '../../support/flow-helpers.ts';
import { startServer, TEST_SECRET, type TestServer } from '../../support/server.ts';
import { UserAgent } from '../../support/user-agent.ts';
import { proof, proofKey } from './proofs.ts';

/**
 * Server-provided DPoP nonces (RFC 9449 §8 at the token endpoint, §9 at resources), switched on with
 * `dpop.requireNonce`: a proof without the current nonce is answered use_dpop_nonce with a DPoP-Nonce header, and the
 * same request with that nonce succeeds.
 */

const insecure = { [oauth.allowInsecureRequests]: true } as const;
let server: TestServer;
let as: oauth.AuthorizationServer;
let tokenUrl: string;

beforeAll(async () => {
  server = await startServer({ dpop: { requireNonce: true } });
  const issuer = new URL(server.url);
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
  tokenUrl = `${server.url}/oauth2/token`;
});

afterAll(async () => {
  await server?.close();
});

describe('DPoP nonces (RFC 9449 §8, §9)', () => {
  it('answers use_dpop_nonce with a DPoP-Nonce header, then issues the token to oauth4webapi retrying with it (§8)', async () => {
    const client: oauth.Client = { client_id: 'web-app' };
    const DPoP = oauth.DPoP(client, await oauth.generateKeyPair('ES256'));
    const grant = async () =>
      oauth.processClientCredentialsResponse(as, client, await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretBasic(TEST_SECRET), new URLSearchParams(), { DPoP, ...insecure }));
    const first = await grant().catch((err: unknown) => err);
    expect(oauth.isDPoPNonceError(first)).toBe(true);
    expect((await grant()).token_type).toBe('dpop');
  });

  it('refuses a proof without a nonce with use_dpop_nonce 400, and one with a made-up nonce the same way (§8)', async () => {
    const key = await proofKey();
    const res = await postToken(server, { grant_type: 'client_credentials' }, { authorization: WEB_APP_BASIC, headers: { dpop: await proof(key, { htm: 'POST', htu: tokenUrl }) } });
    const nonce = res.headers.get('dpop-nonce');
    await expectJsonError(res, 400, 'use_dpop_nonce');
    expect(nonce).toMatch(/^[0-9a-z]+\.[A-Za-z0-9_-]{24}$/);
    const forged = `${nonce?.split('.')[0] ?? ''}.${'A'.repeat(24)}`;
    const again = await postToken(server, { grant_type: 'client_credentials' }, { authorization: WEB_APP_BASIC, headers: { dpop: await proof(key, { htm: 'POST', htu: tokenUrl, nonce: forged }) } });
    await expectJsonError(again, 400, 'use_dpop_nonce');
    const ok = await postToken(server, { grant_type: 'client_credentials' }, { authorization: WEB_APP_BASIC, headers: { dpop: await proof(key, { htm: 'POST', htu: tokenUrl, nonce: nonce ?? '' }) } });
    expect(ok.status).toBe(200);
  });

  it('asks for the nonce at UserInfo with a 401 use_dpop_nonce DPoP challenge, then answers with it (§9)', async () => {
    const key = await proofKey();
    const code = await obtainCode(new UserAgent(server.url), { clientId: 'spa', redirectUri: 'https://spa.example/cb', scope: 'openid profile' });
    const first = await postToken(server, { ...codeGrant(code), client_id: 'spa' }, { headers: { dpop: await proof(key, { htm: 'POST', htu: tokenUrl }) } });
    const nonce = first.headers.get('dpop-nonce') ?? '';
    await expectJsonError(first, 400, 'use_dpop_nonce');
    const tokens = (await (await postToken(server, { ...codeGrant(code), client_id: 'spa' }, { headers: { dpop: await proof(key, { htm: 'POST', htu: tokenUrl, nonce }) } })).json()) as { access_token: string };
    const userinfoUrl = `${server.url}/userinfo`;
    const call = async (n?: string) =>
      fetch(userinfoUrl, { headers: { authorization: `DPoP ${tokens.access_token}`, dpop: await proof(key, { htm: 'GET', htu: userinfoUrl, accessToken: tokens.access_token, ...(n === undefined ? {} : { nonce: n }) }) } });
    const asked = await call();
    expect(asked.status).toBe(401);
    expect(asked.headers.get('www-authenticate')).toMatch(/DPoP error="use_dpop_nonce"/);
    expect((await call(asked.headers.get('dpop-nonce') ?? '')).status).toBe(200);
  });
});
