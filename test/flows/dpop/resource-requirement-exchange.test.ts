import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeGrant, expectJsonError, obtainCode, postToken, WEB_APP_BASIC } from '../../support/flow-helpers.ts';
import { startServer, type TestServer } from '../../support/server.ts';
import { UserAgent } from '../../support/user-agent.ts';
import { discover, JWT_API, jwtParts } from '../resources/fixtures.ts';
import { EXCHANGE_GRANT, EXCHANGER_BASIC, exchangeConfig, exchanger, exchangerAuth, idp, insecure, JWT_BEARER, TT, type Idp } from '../token-exchange/fixtures.ts';
import { proofKey, type ProofKey } from './proofs.ts';

/**
 * A resource that requires DPoP (RFC 9449 §7.2) holds for the grants that trade one token for another too: token
 * exchange (RFC 8693) and the JWT bearer grant (RFC 7523) issue no bearer token for it, and a DPoP-bound one with a
 * proof. The same check as every grant's (core/token/issue.ts), seen over HTTP.
 */

let server: TestServer;
let as: oauth.AuthorizationServer;
let trusted: Idp;
let aliceToken: string;

beforeAll(async () => {
  trusted = await idp();
  const config = exchangeConfig(trusted);
  config.resources = (config.resources ?? []).map((r) => (r.id === JWT_API ? { ...r, dpopBoundAccessTokensRequired: true } : r));
  server = await startServer(config);
  as = await discover(server.url);
  // alice's access token without audience (openid notes.read), the subject of the exchanges.
  const code = await obtainCode(new UserAgent(server.url), { scope: 'openid notes.read' });
  const res = await postToken(server, codeGrant(code), { authorization: WEB_APP_BASIC });
  expect(res.status).toBe(200);
  aliceToken = ((await res.json()) as { access_token: string }).access_token;
});

afterAll(async () => {
  await server?.close();
});

const withKey = (key: ProofKey) => ({ DPoP: oauth.DPoP(exchanger, { privateKey: key.privateKey, publicKey: key.publicKey }) });

async function grant(grantType: string, params: Record<string, string>, key: ProofKey): Promise<oauth.TokenEndpointResponse> {
  const res = await oauth.genericTokenEndpointRequest(as, exchanger, exchangerAuth, grantType, params, { ...insecure, ...withKey(key) });
  return oauth.processGenericTokenEndpointResponse(as, exchanger, res);
}

describe('token exchange and JWT bearer for a resource that requires DPoP (RFC 9449 §7.2)', () => {
  it('token exchange: refused without a proof with invalid_dpop_proof 400; with one, a JWT bound to the key (RFC 8693 §2.2)', async () => {
    const params = { subject_token: aliceToken, subject_token_type: TT.access, resource: JWT_API };
    const body = await expectJsonError(await postToken(server, { grant_type: EXCHANGE_GRANT, ...params }, { authorization: EXCHANGER_BASIC }), 400, 'invalid_dpop_proof');
    expect(body['error_description']).toMatch(/accepts only DPoP-bound access tokens/);
    const key = await proofKey();
    const tokens = await grant(EXCHANGE_GRANT, params, key);
    expect(tokens.token_type).toBe('dpop');
    expect(jwtParts(tokens.access_token).payload).toMatchObject({ aud: JWT_API, cnf: { jkt: key.jkt } });
  });

  it('JWT bearer: refused without a proof with invalid_dpop_proof 400, the assertion not spent (RFC 7523 §3 item 7 records a use); with a proof, a JWT bound to the key', async () => {
    const assertion = await trusted.sign({ sub: 'alice', aud: server.url, client_id: 'exchanger' });
    const res = await postToken(server, { grant_type: JWT_BEARER, assertion, resource: JWT_API, scope: 'notes.read' }, { authorization: EXCHANGER_BASIC });
    expect((await expectJsonError(res, 400, 'invalid_dpop_proof'))['error_description']).toMatch(/accepts only DPoP-bound access tokens/);
    const key = await proofKey();
    const tokens = await grant(JWT_BEARER, { assertion, resource: JWT_API, scope: 'notes.read' }, key);
    expect(tokens.token_type).toBe('dpop');
    expect(jwtParts(tokens.access_token).payload).toMatchObject({ aud: JWT_API, cnf: { jkt: key.jkt } });
  });
});
