import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signingKeyList, signingKeyRetirement, signingKeyRotation } from '../../src/admin/keys.ts';
import { ADMIN_API, AdminApi, adminToken, expectApiError, expectFieldError, startAdminServer } from '../support/admin.ts';
import type { TestServer } from '../support/server.ts';

/** The admin API's signing keys (/admin/api/v1/keys): the same operations as `latchkey keys`, audited. */

describe('admin API: signing keys', () => {
  let server: TestServer;
  let api: AdminApi;

  beforeAll(async () => {
    server = await startAdminServer();
    api = new AdminApi(server, await adminToken(server));
  });

  afterAll(async () => {
    await server.close();
  });

  const publishedKids = async () => ((await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
  const list = async () => signingKeyList.parse((await api.get('/keys')).body).items;

  it('lists every key with its state and ISO times, and no key material', async () => {
    const res = await api.get('/keys');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('no-store');
    const items = signingKeyList.parse(res.body).items;
    expect(items.map((k) => [k.alg, k.state])).toEqual([['RS256', 'active'], ['ES256', 'active'], ['EdDSA', 'active']]);
    expect(res.text).not.toMatch(/"(d|p|q|encryptedPrivateKey|publicJwk)"/);
  });

  it('rotates one algorithm: the next key is published and not signing yet; the rotation is in the audit log', async () => {
    const res = await api.post('/keys/rotate', { alg: 'EdDSA' });
    expect(res.status).toBe(200);
    const { created } = signingKeyRotation.parse(res.body);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ alg: 'EdDSA', state: 'next' });
    expect(await publishedKids()).toContain(created[0]?.kid);
    const audit = await api.get('/audit-events?type=signing_key.rotated');
    expect(JSON.stringify(audit.body)).toContain(created[0]?.kid ?? 'missing');
  });

  it('retires a key: a replacement signs at once and the retired key stays published', async () => {
    const active = (await list()).find((k) => k.alg === 'RS256' && k.state === 'active');
    const res = await api.post(`/keys/${active?.kid}/retire`);
    expect(res.status).toBe(200);
    const body = signingKeyRetirement.parse(res.body);
    expect(body.retired).toMatchObject({ kid: active?.kid, state: 'retired' });
    expect(body.replacement).toMatchObject({ alg: 'RS256', state: 'active' });
    expect(await server.latchkey.deps.keys.keyring.currentKid('RS256')).toBe(body.replacement?.kid);
    expect(await publishedKids()).toContain(active?.kid);
  });

  it('answers 404 not_found for an unknown kid, and 422 naming the field for an unknown algorithm or a stray field', async () => {
    expectApiError(await api.post('/keys/no-such-kid/retire', {}), 404, 'not_found');
    expectFieldError(await api.post('/keys/rotate', { alg: 'HS256' }), 'alg');
    expectFieldError(await api.post('/keys/rotate', { algorithm: 'RS256' }), 'algorithm');
  });

  it('refuses a request without an admin token with 401', async () => {
    const res = await fetch(`${server.url}${ADMIN_API}/keys`);
    expect(res.status).toBe(401);
  });
});
