import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, requireToken } from '../../../src/index.ts';
import { freePort } from '../../multinode/cluster.ts';
import { postToken, WEB_APP_BASIC } from '../../support/flow-helpers.ts';
import { startServer, TEST_SECRET, type TestServer } from '../../support/server.ts';
import { proof, proofKey, type ProofKey } from './proofs.ts';

/**
 * The operators' verifier (src/resource) with DPoP (RFC 9449 §7): an API protected with `requireToken` accepts a
 * DPoP-bound token only as `Authorization: DPoP` with a proof of its key for the request (htm, htu, ath, single-use
 * jti), refuses it as a bearer token with a DPoP challenge, and may require DPoP altogether (§7.2).
 */

let server: TestServer;
let api: FastifyInstance;
let apiUrl: string;
let key: ProofKey;
let bound: string;
let plain: string;

async function token(dpop?: string): Promise<string> {
  const res = await postToken(server, { grant_type: 'client_credentials' }, { authorization: WEB_APP_BASIC, headers: dpop === undefined ? {} : { dpop } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

beforeAll(async () => {
  server = await startServer();
  const port = await freePort();
  apiUrl = `http://127.0.0.1:${port}`;
  const options = { issuer: server.url, clientId: 'web-app', clientSecret: TEST_SECRET };
  const verifier = createVerifier({ ...options, dpop: { origin: apiUrl } });
  const strict = createVerifier({ ...options, dpop: { origin: apiUrl, required: true } });
  api = Fastify();
  api.get('/orders', { preHandler: requireToken(verifier) }, async (req) => ({ client: req.latchkeyToken?.clientId, jkt: req.latchkeyToken?.cnf?.jkt }));
  api.get('/strict', { preHandler: requireToken(strict) }, async () => ({ ok: true }));
  await api.listen({ port, host: '127.0.0.1' });
  key = await proofKey();
  bound = await token(await proof(key, { htm: 'POST', htu: `${server.url}/oauth2/token` }));
  plain = await token();
});

afterAll(async () => {
  await api?.close();
  await server?.close();
});

const call = (path: string, authorization: string, dpop?: string) =>
  fetch(apiUrl + path, { headers: { authorization, ...(dpop === undefined ? {} : { dpop }) } });

async function expectDpopRefusal(res: Response, error: string): Promise<void> {
  expect(res.status).toBe(401);
  expect(((await res.json()) as { error: string }).error).toBe(error);
  expect(res.headers.get('www-authenticate')).toMatch(new RegExp(`^Bearer realm="api", DPoP error="${error}", error_description="[^"]*", algs="ES256`));
}

describe('the verifier with DPoP (RFC 9449 §7)', () => {
  it('admits a DPoP-bound token with a proof of its key for the request, and exposes cnf.jkt', async () => {
    const res = await call('/orders?page=2', `DPoP ${bound}`, await proof(key, { htm: 'GET', htu: `${apiUrl}/orders`, accessToken: bound }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ client: 'web-app', jkt: key.jkt });
  });

  it('refuses the bound token as a bearer token with invalid_token in a DPoP challenge (§7.1)', async () => {
    await expectDpopRefusal(await call('/orders', `Bearer ${bound}`), 'invalid_token');
  });

  it('refuses a proof without ath, with a wrong ath, a wrong htm or htu, or a stale iat, with invalid_dpop_proof (§4.3)', async () => {
    const htu = `${apiUrl}/orders`;
    const broken = [
      await proof(key, { htm: 'GET', htu }),
      await proof(key, { htm: 'GET', htu, accessToken: plain }),
      await proof(key, { htm: 'POST', htu, accessToken: bound }),
      await proof(key, { htm: 'GET', htu: `${apiUrl}/strict`, accessToken: bound }),
      await proof(key, { htm: 'GET', htu, accessToken: bound, iat: Math.floor(Date.now() / 1000) - 600 }),
      await proof(key, { htm: 'GET', htu, accessToken: bound, signWith: (await proofKey()).privateKey }),
    ];
    for (const p of broken) await expectDpopRefusal(await call('/orders', `DPoP ${bound}`, p), 'invalid_dpop_proof');
  });

  it('refuses a replayed proof with invalid_dpop_proof (§11.1)', async () => {
    const once = await proof(key, { htm: 'GET', htu: `${apiUrl}/orders`, accessToken: bound });
    expect((await call('/orders', `DPoP ${bound}`, once)).status).toBe(200);
    await expectDpopRefusal(await call('/orders', `DPoP ${bound}`, once), 'invalid_dpop_proof');
  });

  it('refuses a proof of another key with invalid_token (§7.1)', async () => {
    const other = await proofKey();
    await expectDpopRefusal(await call('/orders', `DPoP ${bound}`, await proof(other, { htm: 'GET', htu: `${apiUrl}/orders`, accessToken: bound })), 'invalid_token');
  });

  it('keeps admitting bearer tokens as bearer tokens where DPoP is optional, and refuses them where it is required (§7.2)', async () => {
    expect((await call("/orders", `Bearer ${plain}`)).status).toBe(200);
    const strict = await call('/strict', `Bearer ${plain}`);
    expect(strict.status).toBe(401);
    expect(strict.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_token"/);
    const ok = await call('/strict', `DPoP ${bound}`, await proof(key, { htm: 'GET', htu: `${apiUrl}/strict`, accessToken: bound }));
    expect(ok.status).toBe(200);
  });
});
