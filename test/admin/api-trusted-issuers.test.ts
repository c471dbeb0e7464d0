import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trustedIssuerList, trustedIssuerView } from '../../src/admin/trusted-issuers.ts';
import { expectJsonError, postToken } from '../support/flow-helpers.ts';
import { AdminApi, adminToken, expectApiError, expectFieldError } from '../support/admin.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { EXCHANGE_GRANT, EXCHANGER_BASIC, IDP, idp, TT, type Idp } from '../flows/token-exchange/fixtures.ts';
import { exchangeAdminConfig, PARTNER, partnerBearer } from '../flows/token-exchange/trusted-issuer-fixtures.ts';

/** The admin API's trusted issuers (/admin/api/v1/trusted-issuers; RFC 8693 jwt tokens, RFC 7523 assertions), audited. */

const path = (issuer: string) => `/trusted-issuers/${encodeURIComponent(issuer)}`;

let server: TestServer;
let api: AdminApi;
let trusted: Idp;
let partner: Idp;

beforeAll(async () => {
  trusted = await idp();
  partner = await idp();
  server = await startServer(exchangeAdminConfig(trusted));
  api = new AdminApi(server, await adminToken(server));
});

afterAll(async () => {
  await server?.close();
});

describe('admin API: trusted issuers', () => {
  it('lists the issuer the config file declares, marked as declared there', async () => {
    const res = await api.get('/trusted-issuers');
    expect(res.status).toBe(200);
    expect(trustedIssuerList.parse(res.body).items).toEqual([
      expect.objectContaining({ issuer: IDP, name: IDP, jwks: trusted.jwks, jwksUri: null, userClaim: 'sub', userBy: 'username', declaredInConfig: true }),
    ]);
  });

  it('trusts an issuer added with POST: its JWT bearer assertion then gets a token (RFC 7523 §2.1); after DELETE it is invalid_grant (§3.1)', async () => {
    await expectJsonError(await partnerBearer(server, partner), 400, 'invalid_grant');
    const res = await api.post('/trusted-issuers', { issuer: PARTNER, name: 'Partner', jwks: partner.jwks });
    expect(res.status).toBe(201);
    expect(trustedIssuerView.parse(res.body)).toMatchObject({ issuer: PARTNER, name: 'Partner', jwksUri: null, userClaim: 'sub', userBy: 'username', declaredInConfig: false });
    expect(trustedIssuerView.parse((await api.get(path(PARTNER))).body).name).toBe('Partner');
    expect((await partnerBearer(server, partner)).status).toBe(200);
    expect(JSON.stringify((await api.get('/audit-events?type=trusted_issuer.created')).body)).toContain(PARTNER);

    expect((await api.delete(path(PARTNER))).status).toBe(204);
    await expectJsonError(await partnerBearer(server, partner), 400, 'invalid_grant');
    expect(JSON.stringify((await api.get('/audit-events?type=trusted_issuer.deleted')).body)).toContain(PARTNER);
    expectApiError(await api.get(path(PARTNER)), 404, 'not_found');
    expectApiError(await api.delete(path(PARTNER)), 404, 'not_found');
  });

  it('takes the JWT of an issuer added with POST as a token exchange subject (RFC 8693 §3 jwt); after DELETE it is invalid_grant (§2.2.2)', async () => {
    const exchangeJwt = async () =>
      postToken(server, { grant_type: EXCHANGE_GRANT, subject_token: await partner.sign({ iss: PARTNER, sub: 'alice' }), subject_token_type: TT.jwt }, { authorization: EXCHANGER_BASIC });
    await expectJsonError(await exchangeJwt(), 400, 'invalid_grant');
    expect((await api.post('/trusted-issuers', { issuer: PARTNER, jwks: partner.jwks })).status).toBe(201);
    const res = await exchangeJwt();
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ issued_token_type: TT.access });
    expect((await api.delete(path(PARTNER))).status).toBe(204);
    await expectJsonError(await exchangeJwt(), 400, 'invalid_grant');
  });

  it('PUT replaces the keys, and the new key is used from the next JWT on; PUT of an unknown issuer creates it (201)', async () => {
    const rotated = await idp();
    expect((await api.put(path(PARTNER), { jwks: partner.jwks })).status).toBe(201);
    expect((await partnerBearer(server, partner)).status).toBe(200);
    const res = await api.put(path(PARTNER), { name: 'Partner (rotated)', jwks: rotated.jwks, userClaim: 'sub' });
    expect(res.status).toBe(200);
    expect(trustedIssuerView.parse(res.body)).toMatchObject({ name: 'Partner (rotated)', jwks: rotated.jwks });
    await expectJsonError(await partnerBearer(server, partner), 400, 'invalid_grant');
    expect((await partnerBearer(server, rotated)).status).toBe(200);
    expect(JSON.stringify((await api.get('/audit-events?type=trusted_issuer.updated')).body)).toContain(PARTNER);
    expect((await api.delete(path(PARTNER))).status).toBe(204);
  });

  it('refuses a private key or a symmetric key in jwks with 422 naming jwks, and stores nothing', async () => {
    const [key] = partner.jwks.keys;
    const privateKey = { ...key, d: 'jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI' };
    expect(expectFieldError(await api.post('/trusted-issuers', { issuer: PARTNER, jwks: { keys: [privateKey] } }), 'jwks')).toMatch(/private or secret key/);
    expect(expectFieldError(await api.post('/trusted-issuers', { issuer: PARTNER, jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0LXNlY3JldA' }] } }), 'jwks')).toMatch(/private or secret key/);
    expect(expectFieldError(await api.put(path(PARTNER), { jwks: { keys: [{ kty: 'RSA', n: 'AQAB', e: 'AQAB', p: 'x', q: 'y' }] } }), 'jwks')).toMatch(/private or secret key/);
    expectApiError(await api.get(path(PARTNER)), 404, 'not_found');
  });

  it('answers 422 for neither or both of jwks and jwksUri, an http jwksUri, an empty issuer; 409 for an issuer already trusted', async () => {
    expect(expectFieldError(await api.post('/trusted-issuers', { issuer: PARTNER }), 'jwks')).toMatch(/exactly one of jwks and jwksUri/);
    expectFieldError(await api.post('/trusted-issuers', { issuer: PARTNER, jwks: partner.jwks, jwksUri: `${PARTNER}/jwks` }), 'jwks');
    expect(expectFieldError(await api.post('/trusted-issuers', { issuer: PARTNER, jwksUri: 'http://partner.example/jwks' }), 'jwksUri')).toMatch(/https/);
    expectFieldError(await api.post('/trusted-issuers', { issuer: '', jwks: partner.jwks }), 'issuer');
    expectFieldError(await api.post('/trusted-issuers', { issuer: PARTNER, jwks: partner.jwks, userBy: 'email' }), 'userBy');
    expectApiError(await api.post('/trusted-issuers', { issuer: IDP, jwks: partner.jwks }), 409, 'conflict');
  });

  it('is described in the OpenAPI document, and the read-only GET /token-exchange is gone', async () => {
    const doc = (await api.get('/openapi.json')).body as { paths: Record<string, Record<string, { tags: string[] }>> };
    expect(Object.keys(doc.paths['/trusted-issuers/{issuer}'] ?? {}).sort()).toEqual(['delete', 'get', 'put']);
    expect(doc.paths['/trusted-issuers']?.['post']?.tags).toEqual(['Trusted issuers']);
    expect(doc.paths['/token-exchange']).toBeUndefined();
    expectApiError(await api.get('/token-exchange'), 404, 'not_found');
  });
});
