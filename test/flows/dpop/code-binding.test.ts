import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectJsonError, pkcePair, postToken } from '../../support/flow-helpers.ts';
import { startServer, TEST_PASSWORD, type TestServer } from '../../support/server.ts';
import { authorizeAsUser, authorizeUrl } from '../../support/user-agent.ts';
import { proof, proofKey, type ProofKey } from './proofs.ts';

/**
 * RFC 9449 §10: `dpop_jkt` at the authorization endpoint binds the code to a key; the code is redeemed only with a
 * proof of that key (invalid_grant otherwise, and the code survives for its owner).
 */

const REDIRECT = 'https://spa.example/cb';
let server: TestServer;
let tokenUrl: string;

beforeAll(async () => {
  server = await startServer();
  tokenUrl = `${server.url}/oauth2/token`;
});

afterAll(async () => {
  await server?.close();
});

async function codeFor(dpopJkt: string): Promise<{ code: string | null; error: string | null; verifier: string }> {
  const { verifier, challenge } = pkcePair();
  const url = authorizeUrl(server, {
    response_type: 'code',
    client_id: 'spa',
    redirect_uri: REDIRECT,
    scope: 'openid profile',
    state: 'st',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    dpop_jkt: dpopJkt,
  });
  const out = await authorizeAsUser(server, url, { username: 'alice', password: TEST_PASSWORD, decision: 'allow' });
  return { code: out.location?.searchParams.get('code') ?? null, error: out.location?.searchParams.get('error') ?? null, verifier };
}

const redeem = async (c: { code: string | null; verifier: string }, key?: ProofKey) =>
  postToken(
    server,
    { grant_type: 'authorization_code', code: c.code ?? '', code_verifier: c.verifier, redirect_uri: REDIRECT, client_id: 'spa' },
    { headers: key === undefined ? {} : { dpop: await proof(key, { htm: 'POST', htu: tokenUrl }) } },
  );

describe('dpop_jkt at the authorization endpoint (RFC 9449 §10)', () => {
  it('redeems the code only with a proof of the named key: another key or none is invalid_grant, and the code still works after', async () => {
    const key = await proofKey();
    const c = await codeFor(key.jkt);
    expect(c.code).toBeTruthy();
    await expectJsonError(await redeem(c, await proofKey()), 400, 'invalid_grant');
    await expectJsonError(await redeem(c), 400, 'invalid_grant');
    const res = await redeem(c, key);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { token_type: string }).token_type).toBe('DPoP');
  });

  it('refuses a malformed dpop_jkt with invalid_request at the redirect URI', async () => {
    const c = await codeFor('not-a-thumbprint');
    expect(c.error).toBe('invalid_request');
  });
});
