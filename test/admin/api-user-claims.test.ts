import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userView, userWithPassword } from '../../src/admin/schemas.ts';
import { FakeClock, isoTime } from '../../src/core/clock.ts';
import { AdminApi, adminToken, expectFieldError, startAdminServer } from '../support/admin.ts';
import type { TestServer } from '../support/server.ts';

/** The standard claims of OpenID Connect Core §5.1 through the admin API (and so the console's operations). */

describe('admin API: user claims (OpenID Connect Core §5.1)', () => {
  const clock = new FakeClock();
  let server: TestServer;
  let api: AdminApi;

  beforeAll(async () => {
    server = await startAdminServer({}, { clock });
    api = new AdminApi(server, await adminToken(server));
  });

  afterAll(async () => {
    await server.close();
  });

  async function create(username: string, claims: Record<string, unknown>, email = `${username}@example.com`) {
    const res = await api.post('/users', { username, email, claims });
    expect(res.status, res.text).toBe(201);
    return userWithPassword.parse(res.body).user;
  }

  it('creates a user with claims and reads them back, with updated_at as the creation time', async () => {
    const user = await create('grace', { given_name: 'Grace', zoneinfo: 'America/New_York', address: { locality: 'Arlington', country: 'US' }, email_verified: true });
    expect(user.claims).toEqual({ given_name: 'Grace', zoneinfo: 'America/New_York', address: { locality: 'Arlington', country: 'US' }, email_verified: true });
    expect(user.updatedAt).toBe(isoTime(clock.now()));
    expect(userView.parse((await api.get(`/users/${user.id}`)).body).claims).toEqual(user.claims);
  });

  it('merges a PATCH of claims, removes those set to null or empty, and moves updated_at', async () => {
    const user = await create('hedy', { nickname: 'hedy', gender: 'female', website: 'https://hedy.example' });
    clock.advance(60);
    const res = await api.patch(`/users/${user.id}`, { claims: { nickname: 'H', gender: null, website: '', birthdate: '1914-11-09' } });
    expect(res.status, res.text).toBe(200);
    expect(userView.parse(res.body)).toMatchObject({ claims: { nickname: 'H', birthdate: '1914-11-09' }, updatedAt: isoTime(clock.now()) });
  });

  it('keeps updated_at when a PATCH changes no claim', async () => {
    const user = await create('ida', { nickname: 'ida' });
    clock.advance(60);
    const res = await api.patch(`/users/${user.id}`, { claims: { nickname: 'ida' }, isAdmin: false });
    expect(userView.parse(res.body).updatedAt).toBe(user.updatedAt);
  });

  it('drops email_verified when the email changes, unless the same PATCH sets it', async () => {
    const user = await create('joan', { email_verified: true });
    const changed = userView.parse((await api.patch(`/users/${user.id}`, { email: 'joan@elsewhere.example' })).body);
    expect(changed.claims).toEqual({});
    const verified = userView.parse((await api.patch(`/users/${user.id}`, { email: 'joan@example.org', claims: { email_verified: true } })).body);
    expect(verified.claims).toEqual({ email_verified: true });
  });

  it('refuses with 422 naming the field a picture that is not an http(s) URL, an unknown zoneinfo, a bad birthdate', async () => {
    const user = await create('kay', {});
    expect(expectFieldError(await api.patch(`/users/${user.id}`, { claims: { picture: 'javascript:alert(1)' } }), 'claims.picture')).toMatch(/http/);
    expect(expectFieldError(await api.patch(`/users/${user.id}`, { claims: { zoneinfo: 'Mars/Olympus' } }), 'claims.zoneinfo')).toMatch(/time zone/);
    expect(expectFieldError(await api.patch(`/users/${user.id}`, { claims: { birthdate: '1990-02-30' } }), 'claims.birthdate')).toMatch(/YYYY-MM-DD/);
    expectFieldError(await api.post('/users', { username: 'lin', claims: { locale: 'en_US' } }), 'claims.locale');
    expectFieldError(await api.post('/users', { username: 'lin', claims: { phone_number: '555-1234' } }), 'claims.phone_number');
    expect((await api.get(`/users/${user.id}`)).body).toMatchObject({ claims: {} });
  });

  it('refuses an unknown claim and an unknown address member with 422', async () => {
    const user = await create('mae', {});
    const res = await api.patch(`/users/${user.id}`, { claims: { shoe_size: 9 } });
    expect(res.status, res.text).toBe(422);
    expect((await api.patch(`/users/${user.id}`, { claims: { address: { city: 'x' } } })).status).toBe(422);
  });

  it('describes the claims in the OpenAPI document', async () => {
    const doc = (await api.get('/openapi.json')).text;
    for (const name of ['given_name', 'zoneinfo', 'phone_number_verified', 'postal_code']) expect(doc).toContain(name);
  });
});
