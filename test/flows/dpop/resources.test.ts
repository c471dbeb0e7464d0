import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeGrant, expectJsonError, obtainCode, postToken } from '../../support/flow-helpers.ts';
import { startServer, type TestServer } from '../../support/server.ts';
import { UserAgent } from '../../support/user-agent.ts';
import { proof, proofKey, type ProofKey } from './proofs.ts';

/**
 * DPoP-bound tokens of a public client (RFC 9449 §5) at UserInfo (§7.1): the code flow with a proof, the refresh
 * bound to the same key, and the resource checks: the DPoP scheme with a proof whose ath is the token's hash; a
 * bearer presentation of a bound token, a missing or wrong ath, another key's proof refused with a DPoP challenge.
 */

const insecure = { [oauth.allowInsecureRequests]: true } as const;
const SPA_REDIRECT = 'https://spa.example/cb';
let server: TestServer;
let as: oauth.AuthorizationServer;
let tokenUrl: string;
let userinfoUrl: string;

beforeAll(async () => {
  server = await startServer();
  const issuer = new URL(server.url);
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }));
  tokenUrl = `${server.url}/oauth2/token`;
  userinfoUrl = `${server.url}/userinfo`;
});

afterAll(async () => {
  await server?.close();
});

interface Tokens {
  access_token: string;
  refresh_token: string;
  token_type: string;
}

/** The SPA's code flow as alice, redeemed with a proof of `key`. */
async function boundTokens(key: ProofKey): Promise<Tokens> {
  const code = await obtainCode(new UserAgent(server.url), { clientId: 'spa', redirectUri: SPA_REDIRECT, scope: 'openid profile' });
  const res = await postToken(server, { ...codeGrant(code), client_id: 'spa' }, { headers: { dpop: await proof(key, { htm: 'POST', htu: tokenUrl }) } });
  expect(res.status).toBe(200);
  return (await res.json()) as Tokens;
}

const refresh = async (refreshToken: string, dpop?: string) =>
  postToken(server, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'spa' }, { headers: dpop === undefined ? {} : { dpop } });

const userinfo = (authorization: string, dpop?: string) =>
  fetch(userinfoUrl, { headers: { authorization, ...(dpop === undefined ? {} : { dpop }) } });

function expectDpopChallenge(res: Response, error: string): void {
  expect(res.status).toBe(401);
  const challenge = res.headers.get('www-authenticate') ?? '';
  expect(challenge).toMatch(new RegExp(`DPoP error="${error}"`));
  expect(challenge).toMatch(/algs="[^"]*ES256/);
  // Both schemes are accepted at UserInfo, so both are offered (§7.1); the error belongs to the DPoP one.
  expect(challenge).toMatch(/^Bearer realm="latchkey", DPoP /);
}

describe('DPoP-bound tokens of a public client (RFC 9449 §5, §7.1)', () => {
  it('binds the code flow tokens to the key: token_type DPoP', async () => {
    const tokens = await boundTokens(await proofKey());
    expect(tokens.token_type).toBe('DPoP');
    expect(tokens.refresh_token).toBeTruthy();
  });

  it('refreshes with a proof of the same key, and refuses another key or none with invalid_grant, leaving the token unspent (§5)', async () => {
    const key = await proofKey();
    const tokens = await boundTokens(key);
    await expectJsonError(await refresh(tokens.refresh_token, await proof(await proofKey(), { htm: 'POST', htu: tokenUrl })), 400, 'invalid_grant');
    await expectJsonError(await refresh(tokens.refresh_token), 400, 'invalid_grant');
    const res = await refresh(tokens.refresh_token, await proof(key, { htm: 'POST', htu: tokenUrl }));
    expect(res.status).toBe(200);
    expect(((await res.json()) as Tokens).token_type).toBe('DPoP');
  });

  it('answers UserInfo to oauth4webapi presenting the token with its DPoP handle (§7.1)', async () => {
    const keyPair = await oauth.generateKeyPair('ES256', { extractable: true });
    const { exportJWK } = await import('jose');
    const key: ProofKey = { ...keyPair, jwk: await exportJWK(keyPair.publicKey), jkt: '' };
    const tokens = await boundTokens(key);
    const client: oauth.Client = { client_id: 'spa' };
    const res = await oauth.userInfoRequest(as, client, tokens.access_token, { DPoP: oauth.DPoP(client, keyPair), ...insecure });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { sub: string }).sub).toBeTruthy();
  });

  it('refuses a bearer presentation of a DPoP-bound token with invalid_token in a DPoP challenge (§7.1)', async () => {
    const tokens = await boundTokens(await proofKey());
    expectDpopChallenge(await userinfo(`Bearer ${tokens.access_token}`), 'invalid_token');
  });

  it('refuses a proof without ath with invalid_dpop_proof (§4.3 point 12)', async () => {
    const key = await proofKey();
    const tokens = await boundTokens(key);
    expectDpopChallenge(await userinfo(`DPoP ${tokens.access_token}`, await proof(key, { htm: 'GET', htu: userinfoUrl })), 'invalid_dpop_proof');
  });

  it('refuses a proof whose ath is the hash of another token with invalid_dpop_proof (§4.3 point 12)', async () => {
    const key = await proofKey();
    const tokens = await boundTokens(key);
    expectDpopChallenge(await userinfo(`DPoP ${tokens.access_token}`, await proof(key, { htm: 'GET', htu: userinfoUrl, accessToken: 'lk_at_another' })), 'invalid_dpop_proof');
  });

  it('refuses a valid proof of another key than the token is bound to with invalid_token (§7.1)', async () => {
    const tokens = await boundTokens(await proofKey());
    const other = await proofKey();
    expectDpopChallenge(await userinfo(`DPoP ${tokens.access_token}`, await proof(other, { htm: 'GET', htu: userinfoUrl, accessToken: tokens.access_token })), 'invalid_token');
  });

  it('refuses the DPoP scheme without a proof, and a proof for the token endpoint, with invalid_dpop_proof', async () => {
    const key = await proofKey();
    const tokens = await boundTokens(key);
    expectDpopChallenge(await userinfo(`DPoP ${tokens.access_token}`), 'invalid_dpop_proof');
    expectDpopChallenge(await userinfo(`DPoP ${tokens.access_token}`, await proof(key, { htm: 'GET', htu: tokenUrl, accessToken: tokens.access_token })), 'invalid_dpop_proof');
  });

  it('refuses a replayed resource proof with invalid_dpop_proof (§11.1)', async () => {
    const key = await proofKey();
    const tokens = await boundTokens(key);
    const once = await proof(key, { htm: 'GET', htu: userinfoUrl, accessToken: tokens.access_token });
    expect((await userinfo(`DPoP ${tokens.access_token}`, once)).status).toBe(200);
    expectDpopChallenge(await userinfo(`DPoP ${tokens.access_token}`, once), 'invalid_dpop_proof');
  });

  it('refuses an unbound token presented with the DPoP scheme with invalid_token (§7.1)', async () => {
    const code = await obtainCode(new UserAgent(server.url), { clientId: 'spa', redirectUri: SPA_REDIRECT, scope: 'openid profile' });
    const bearer = (await (await postToken(server, { ...codeGrant(code), client_id: 'spa' })).json()) as Tokens;
    expect(bearer.token_type).toBe('Bearer');
    const key = await proofKey();
    expectDpopChallenge(await userinfo(`DPoP ${bearer.access_token}`, await proof(key, { htm: 'GET', htu: userinfoUrl, accessToken: bearer.access_token })), 'invalid_token');
    // The unbound token keeps working as a bearer token, and its challenge offers both schemes.
    expect((await userinfo(`Bearer ${bearer.access_token}`)).status).toBe(200);
    const missing = await fetch(userinfoUrl);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer realm="latchkey", DPoP algs="/);
  });
});
