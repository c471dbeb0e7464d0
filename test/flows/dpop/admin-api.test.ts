import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_API, ADMIN_CLI, ADMIN_CLI_REDIRECT, startAdminServer } from '../../support/admin.ts';
import { codeGrant, obtainCode, postToken } from '../../support/flow-helpers.ts';
import type { TestServer } from '../../support/server.ts';
import { UserAgent } from '../../support/user-agent.ts';
import { proof, proofKey, type ProofKey } from './proofs.ts';

/** The admin API is a protected resource too (RFC 9449 §7.1): DPoP-bound administrator tokens with proofs. */

let server: TestServer;
let key: ProofKey;
let token: string;
let usersUrl: string;

beforeAll(async () => {
  server = await startAdminServer();
  key = await proofKey();
  const code = await obtainCode(new UserAgent(server.url), { clientId: ADMIN_CLI, redirectUri: ADMIN_CLI_REDIRECT, scope: 'admin', username: 'root' });
  const res = await postToken(server, { ...codeGrant(code), client_id: ADMIN_CLI }, { headers: { dpop: await proof(key, { htm: 'POST', htu: `${server.url}/oauth2/token` }) } });
  const body = (await res.json()) as { access_token: string; token_type: string };
  expect(body.token_type).toBe('DPoP');
  token = body.access_token;
  usersUrl = `${server.url}${ADMIN_API}/users`;
});

afterAll(async () => {
  await server?.close();
});

describe('DPoP at the admin API (RFC 9449 §7.1)', () => {
  it('answers a DPoP-bound administrator token presented with the DPoP scheme and a proof for the route (query ignored in htu)', async () => {
    const res = await fetch(`${usersUrl}?q=root`, { headers: { authorization: `DPoP ${token}`, dpop: await proof(key, { htm: 'GET', htu: usersUrl, accessToken: token }) } });
    expect(res.status).toBe(200);
  });

  it('refuses the bound token as a bearer token with invalid_token in a DPoP challenge', async () => {
    const res = await fetch(usersUrl, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="latchkey-admin", DPoP error="invalid_token"/);
  });

  it('refuses a proof for another route (htu) with invalid_dpop_proof 401', async () => {
    const res = await fetch(usersUrl, { headers: { authorization: `DPoP ${token}`, dpop: await proof(key, { htm: 'GET', htu: `${server.url}${ADMIN_API}/clients`, accessToken: token }) } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_dpop_proof');
    expect(res.headers.get('www-authenticate')).toMatch(/DPoP error="invalid_dpop_proof"/);
  });
});
