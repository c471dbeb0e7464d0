import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registrationTokenCreated, registrationTokenList } from '../../src/admin/registration-tokens.ts';
import { AdminApi, adminToken, expectApiError, expectFieldError, startAdminServer } from '../support/admin.ts';
import type { TestServer } from '../support/server.ts';

/** The admin API's initial access tokens (RFC 7591 §3), for registration.mode token: shown once, listed, revoked. */

let server: TestServer;
let api: AdminApi;

beforeAll(async () => {
  server = await startAdminServer({ registration: { mode: 'token', perHour: 0 } });
  api = new AdminApi(server, await adminToken(server));
});
afterAll(async () => {
  await server?.close();
});

const registerWith = (token: string) =>
  fetch(new URL('/register', server.url), { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ redirect_uris: ['https://app.example/cb'] }) });

describe('admin API: registration tokens', () => {
  it('creates a token shown in that response only, which registers a client until revoked', async () => {
    const res = await api.post('/registration-tokens', { maxUses: 5, expiresInSeconds: 3600 });
    expect(res.status).toBe(201);
    const created = registrationTokenCreated.parse(res.body);
    expect(created.registrationToken).toMatchObject({ state: 'active', maxUses: 5, uses: 0 });
    expect((await registerWith(created.token)).status).toBe(201);

    const list = registrationTokenList.parse((await api.get('/registration-tokens')).body);
    expect(list.items.find((t) => t.id === created.registrationToken.id)).toMatchObject({ uses: 1, state: 'active' });
    expect(api.occurrences(created.token)).toBe(1);

    expect((await api.post(`/registration-tokens/${created.registrationToken.id}/revoke`)).status).toBe(204);
    expect((await registerWith(created.token)).status).toBe(401);
    expectApiError(await api.post(`/registration-tokens/${created.registrationToken.id}/revoke`), 404, 'not_found');
  });

  it('refuses a lifetime under a minute or zero uses, naming the field', async () => {
    expectFieldError(await api.post('/registration-tokens', { expiresInSeconds: 5 }), 'expiresInSeconds');
    expectFieldError(await api.post('/registration-tokens', { maxUses: 0 }), 'maxUses');
  });

  it('refuses a caller without an admin token', async () => {
    const anonymous = new AdminApi(server, undefined);
    expectApiError(await anonymous.post('/registration-tokens', {}), 401, 'invalid_token');
  });
});
