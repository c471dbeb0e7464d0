import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationView, applicationWithSecret, pageOf } from '../../src/admin/schemas.ts';
import { basicAuth, bearer, codeGrant, expectJsonError, expectTokens, obtainCode, postToken } from '../support/flow-helpers.ts';
import { AdminApi, adminToken, expectApiError, expectFieldError, startAdminServer } from '../support/admin.ts';
import type { TestServer } from '../support/server.ts';
import { UserAgent } from '../support/user-agent.ts';

/** Applications through the admin API: create, list, search, read, update, delete, rotate; the secret shown once. */

const applicationPage = pageOf(applicationView);

describe('admin API: applications', () => {
  let server: TestServer;
  let api: AdminApi;

  beforeAll(async () => {
    server = await startAdminServer();
    api = new AdminApi(server, await adminToken(server));
  });

  afterAll(async () => {
    await server.close();
  });

  const create = async (body: Record<string, unknown>) => {
    const res = await api.post('/applications', body);
    expect(res.status, res.text).toBe(201);
    return applicationWithSecret.parse(res.body);
  };

  it('shows a confidential application its secret in exactly one response, the one that created it', async () => {
    const created = await create({ name: 'Billing', id: 'billing', redirectUris: ['https://billing.example/cb'], grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'] });
    const secret = created.clientSecret ?? '';
    expect(secret).toMatch(/^lk_cs_[A-Za-z0-9_-]{43}$/);
    expect(created.application).toMatchObject({ id: 'billing', type: 'confidential', hasSecret: true, builtIn: false });
    // Every other way of looking at the application leaves the secret out.
    expect((await api.get('/applications/billing')).status).toBe(200);
    expect((await api.get('/applications?q=billing')).status).toBe(200);
    expect((await api.patch('/applications/billing', { name: 'Billing service' })).status).toBe(200);
    expect((await api.get('/audit-events?client=billing')).status).toBe(200);
    expect(api.occurrences(secret)).toBe(1);
    // And it works at the token endpoint.
    await expectTokens(await postToken(server, { grant_type: 'client_credentials' }, { authorization: basicAuth('billing', secret) }));
  });

  it('gives an application without the authorization_code grant no response type when it names none, and code to one with it (RFC 7591 §2.1)', async () => {
    expect((await create({ name: 'Machine', grantTypes: ['client_credentials'] })).application.responseTypes).toEqual([]);
    expect((await create({ name: 'Web', redirectUris: ['https://web.example/cb'] })).application.responseTypes).toEqual(['code']);
  });

  it('a public application gets no secret at all', async () => {
    const created = await create({ name: 'Phone app', type: 'public', redirectUris: ['com.example.app:/cb'] });
    expect(created.clientSecret).toBeUndefined();
    expect(created.application).toMatchObject({ type: 'public', hasSecret: false });
    expect(created.application.id).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });

  it('rotating the secret returns the new one once, and the old one is refused with invalid_client at once (RFC 6749 §5.2)', async () => {
    const { clientSecret: old = '' } = await create({ name: 'Rotator', id: 'rotator', grantTypes: ['client_credentials'], responseTypes: [] });
    const rotated = await api.post('/applications/rotator/rotate-secret');
    expect(rotated.status).toBe(200);
    const fresh = applicationWithSecret.parse(rotated.body).clientSecret ?? '';
    expect(fresh).toMatch(/^lk_cs_/);
    expect(fresh).not.toBe(old);
    await expectJsonError(await postToken(server, { grant_type: 'client_credentials' }, { authorization: basicAuth('rotator', old) }), 401, 'invalid_client');
    await expectTokens(await postToken(server, { grant_type: 'client_credentials' }, { authorization: basicAuth('rotator', fresh) }));
    expect((await api.get('/applications/rotator')).status).toBe(200);
    expect(api.occurrences(fresh)).toBe(1);
    expect(api.occurrences(old)).toBe(1);
  });

  it('refuses to rotate the secret of a public application (409 conflict)', async () => {
    await create({ name: 'SPA two', id: 'spa-two', type: 'public', redirectUris: ['https://spa2.example/cb'] });
    expectApiError(await api.post('/applications/spa-two/rotate-secret'), 409, 'conflict');
  });

  it('deleting an application revokes the tokens it holds and then it is gone (404)', async () => {
    await create({ name: 'Doomed', id: 'doomed', redirectUris: ['https://doomed.example/cb'] });
    const agent = new UserAgent(server.url);
    await api.patch('/applications/doomed', { scopes: ['openid', 'profile'] });
    const code = await obtainCode(agent, { clientId: 'doomed', redirectUri: 'https://doomed.example/cb' });
    // The secret is not needed to delete; use a fresh one to redeem this code.
    const secret = applicationWithSecret.parse((await api.post('/applications/doomed/rotate-secret')).body).clientSecret ?? '';
    const tokens = await expectTokens(await postToken(server, codeGrant(code), { authorization: basicAuth('doomed', secret) }));
    expect((await bearer(server, tokens.access_token)).status).toBe(200);
    const res = await api.delete('/applications/doomed');
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect((await bearer(server, tokens.access_token)).status).toBe(401);
    expectApiError(await api.get('/applications/doomed'), 404, 'not_found');
    expectApiError(await api.delete('/applications/doomed'), 404, 'not_found');
  });

  it('updates only the fields sent and keeps the rest', async () => {
    await create({ name: 'Patchy', id: 'patchy', redirectUris: ['https://patchy.example/cb'], accessTokenTtl: 600 });
    const res = await api.patch('/applications/patchy', { redirectUris: ['https://patchy.example/cb', 'http://127.0.0.1/cb'], refreshTokenTtl: 'never' });
    expect(res.status).toBe(200);
    expect(applicationView.parse(res.body)).toMatchObject({
      name: 'Patchy',
      redirectUris: ['https://patchy.example/cb', 'http://127.0.0.1/cb'],
      accessTokenTtl: 600,
      refreshTokenTtl: 'never',
    });
    const reset = await api.patch('/applications/patchy', { accessTokenTtl: null });
    expect(applicationView.parse(reset.body).accessTokenTtl).toBeNull();
  });

  it('sets, reads and resets require_pushed_authorization_requests and require_signed_request_object (RFC 9126 §6, RFC 9101 §10.5)', async () => {
    const created = await create({ name: 'Strict', id: 'strict', redirectUris: ['https://strict.example/cb'], requirePushedAuthorizationRequests: true });
    expect(created.application).toMatchObject({ requirePushedAuthorizationRequests: true, requireSignedRequestObject: null });
    const patched = await api.patch('/applications/strict', { requirePushedAuthorizationRequests: null, requireSignedRequestObject: true });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ requirePushedAuthorizationRequests: null, requireSignedRequestObject: true });
    expectFieldError(await api.patch('/applications/strict', { requireSignedRequestObject: 'yes' }), 'requireSignedRequestObject');
  });

  it('will not change, rotate or delete the built-in console application (409)', async () => {
    const read = await api.get('/applications/latchkey-console');
    expect(applicationView.parse(read.body)).toMatchObject({ builtIn: true, type: 'public', scopes: ['admin'] });
    expectApiError(await api.patch('/applications/latchkey-console', { name: 'Mine now' }), 409, 'conflict');
    expectApiError(await api.delete('/applications/latchkey-console'), 409, 'conflict');
    expectApiError(await api.delete('/applications/latchkey-account'), 409, 'conflict');
  });

  it('refuses a taken client id with 409 naming the id field', async () => {
    const res = await api.post('/applications', { name: 'Again', id: 'web-app', redirectUris: ['https://x.example/cb'] });
    expectApiError(res, 409, 'conflict');
    expect((res.body as { fields: Record<string, string> }).fields['id']).toMatch(/already exists/);
  });

  describe('validation: 422 naming each field', () => {
    it('a redirect URI with a fragment (RFC 6749 §3.1.2)', async () => {
      const message = expectFieldError(await api.post('/applications', { name: 'X', redirectUris: ['https://x.example/cb#top'] }), 'redirectUris');
      expect(message).toBe('https://x.example/cb#top: must not contain a fragment');
    });

    it('plain http to a non-loopback host, and a relative URI, both named', async () => {
      const message = expectFieldError(await api.post('/applications', { name: 'X', redirectUris: ['http://x.example/cb', '/cb'] }), 'redirectUris');
      expect(message).toContain('http://x.example/cb: http is allowed only for loopback addresses');
      expect(message).toContain('/cb: must be an absolute URI');
    });

    it.each([
      ['a file: URI', 'uri-file', 'file:///etc/passwd', 'file:///etc/passwd: the file: scheme is not allowed'],
      ['a javascript: URI', 'uri-js', 'javascript:alert(1)', 'javascript:alert(1): the javascript: scheme is not allowed'],
      ['http://localhost (RFC 8252 §8.3)', 'uri-localhost', 'http://localhost:8080/cb', 'http://localhost:8080/cb: use http://127.0.0.1 or http://[::1]'],
      ['user information', 'uri-userinfo', 'https://user@x.example/cb', 'https://user@x.example/cb: must not contain user information'],
    ])('%s, on create and on update', async (_what, id, uri, reason) => {
      expect(expectFieldError(await api.post('/applications', { name: 'X', redirectUris: [uri] }), 'redirectUris')).toContain(reason);
      await create({ name: 'Fine', id, redirectUris: ['https://x.example/cb'] });
      expect(expectFieldError(await api.patch(`/applications/${id}`, { redirectUris: [uri] }), 'redirectUris')).toContain(reason);
    });

    it('an unknown field named like an Object.prototype member (toString, constructor, hasOwnProperty): 422, never a 500 (found by the fuzz, issue 10)', async () => {
      for (const name of ['toString', 'constructor', 'hasOwnProperty', 'valueOf']) {
        expect(expectFieldError(await api.patch('/applications/web-app', { [name]: 'x' }), name)).toBe('is not a known field');
        expect(expectFieldError(await api.post('/applications', { name: 'X', redirectUris: ['https://x.example/cb'], [name]: 'x' }), name)).toBe('is not a known field');
      }
    });

    it('a duplicated redirect URI', async () => {
      expect(expectFieldError(await api.post('/applications', { name: 'X', redirectUris: ['https://x.example/cb', 'https://x.example/cb'] }), 'redirectUris')).toMatch(/listed twice/);
    });

    it('the authorization code grant without any redirect URI', async () => {
      expect(expectFieldError(await api.post('/applications', { name: 'X' }), 'redirectUris')).toMatch(/at least one redirect URI/);
    });

    it('an empty name, and a name of spaces', async () => {
      expectFieldError(await api.post('/applications', { name: '', redirectUris: ['https://x.example/cb'] }), 'name');
      expectFieldError(await api.post('/applications', { name: '   ', redirectUris: ['https://x.example/cb'] }), 'name');
    });

    it('a missing name', async () => {
      expectFieldError(await api.post('/applications', { redirectUris: ['https://x.example/cb'] }), 'name');
    });

    it('an unknown grant type, named by its position', async () => {
      expect(expectFieldError(await api.post('/applications', { name: 'X', redirectUris: ['https://x.example/cb'], grantTypes: ['authorization_code', 'password'] }), 'grantTypes')).toMatch(/^item 2:/);
    });

    it('client_credentials on a public application (RFC 6749 §4.4)', async () => {
      expect(expectFieldError(await api.post('/applications', { name: 'X', type: 'public', grantTypes: ['client_credentials'], responseTypes: [] }), 'grantTypes')).toMatch(/confidential/);
    });

    it('PKCE switched off for a public application (RFC 9700 §2.1.1)', async () => {
      expectFieldError(await api.post('/applications', { name: 'X', type: 'public', redirectUris: ['https://x.example/cb'], requirePkce: false }), 'requirePkce');
    });

    it('an unknown scope', async () => {
      expect(expectFieldError(await api.post('/applications', { name: 'X', redirectUris: ['https://x.example/cb'], scopes: ['openid', 'calendar'] }), 'scopes')).toBe('unknown scope: calendar');
    });

    it('a lifetime that is not a positive whole number or never', async () => {
      expectFieldError(await api.post('/applications', { name: 'X', redirectUris: ['https://x.example/cb'], accessTokenTtl: 'forever' }), 'accessTokenTtl');
      expectFieldError(await api.post('/applications', { name: 'X', redirectUris: ['https://x.example/cb'], refreshTokenTtl: 0 }), 'refreshTokenTtl');
      expectFieldError(await api.post('/applications', { name: 'X', redirectUris: ['https://x.example/cb'], codeTtl: 601 }), 'codeTtl');
      expectFieldError(await api.post('/applications', { name: 'X', redirectUris: ['https://x.example/cb'], codeTtl: 1.5 }), 'codeTtl');
    });

    it('a client id with characters outside the unreserved set', async () => {
      expectFieldError(await api.post('/applications', { name: 'X', id: 'my app', redirectUris: ['https://x.example/cb'] }), 'id');
    });

    it('an unknown field, and a field the update may not change (type)', async () => {
      expect(expectFieldError(await api.post('/applications', { name: 'X', redirectUris: ['https://x.example/cb'], secret: 'mine' }), 'secret')).toBe('is not a known field');
      expectFieldError(await api.patch('/applications/web-app', { type: 'public' }), 'type');
    });

    it('an update that would break the whole (no grant types left)', async () => {
      expectFieldError(await api.patch('/applications/web-app', { grantTypes: [] }), 'grantTypes');
    });

    it('a body that is not a JSON object, or not JSON at all', async () => {
      expectFieldError(await api.post('/applications', ['name']), 'body');
      expectApiError(await api.call('POST', '/applications', '{"name":', { 'content-type': 'application/json' }), 400, 'invalid_request');
      expectApiError(await api.call('POST', '/applications', 'name=X', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'invalid_request');
    });

    it('refuses prototype poisoning in the JSON body', async () => {
      expectApiError(await api.call('POST', '/applications', '{"name":"X","__proto__":{"admin":true}}', { 'content-type': 'application/json' }), 400, 'invalid_request');
    });
  });

  describe('listing: keyset paging and search', () => {
    beforeAll(async () => {
      for (const n of ['Alpha', 'Beta', 'Gamma', 'Delta', '100% Pure']) await create({ name: `Paged ${n}`, redirectUris: ['https://paged.example/cb'] });
    });

    it('walks every page exactly once with limit and cursor', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await api.get(`/applications?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        expect(res.status).toBe(200);
        const page = applicationPage.parse(res.body);
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((a) => a.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor !== null && pages < 50);
      const all = applicationPage.parse((await api.get('/applications?limit=100')).body).items.map((a) => a.id);
      expect(seen).toEqual(all);
      expect(new Set(seen).size).toBe(seen.length);
      expect(pages).toBe(Math.ceil(all.length / 2));
    });

    it('searches names and ids case-insensitively, with LIKE wildcards taken literally', async () => {
      const names = async (q: string) => applicationPage.parse((await api.get(`/applications?q=${encodeURIComponent(q)}`)).body).items.map((a) => a.name);
      expect(await names('PAGED GAMMA')).toEqual(['Paged Gamma']);
      expect(await names('%')).toEqual(['Paged 100% Pure']);
      expect(await names('a_p')).toEqual([]);
      expect(await names('a%p')).toEqual([]);
      expect(await names('web-')).toEqual(['Web App']);
    });

    it('refuses a cursor it did not hand out, and a limit outside 1 to 100, naming the parameter', async () => {
      expectFieldError(await api.get('/applications?cursor=bm90LWEtY3Vyc29y'), 'cursor');
      expectFieldError(await api.get('/applications?limit=0'), 'limit');
      expectFieldError(await api.get('/applications?limit=101'), 'limit');
      expectFieldError(await api.get('/applications?limit=ten'), 'limit');
      expect(expectFieldError(await api.get('/applications?page=2'), 'page')).toBe('is not a known field');
    });

    it('refuses a repeated query parameter', async () => {
      expectFieldError(await api.get('/applications?q=a&q=b'), 'q');
    });
  });
});

describe("admin API: redirect URIs on the server's own http issuer (a fresh `npm start`)", () => {
  let server: TestServer;
  let api: AdminApi;

  beforeAll(async () => {
    // The issuer of a fresh `npm start`; requests still go to the test server's own address.
    server = await startAdminServer({ issuer: 'http://localhost:3000' });
    api = new AdminApi(server, await adminToken(server));
  });

  afterAll(async () => {
    await server.close();
  });

  it("accepts Latchkey's own page on the issuer origin, as the demo application registers it", async () => {
    const res = await api.post('/applications', { name: 'Like the demo', id: 'like-demo', redirectUris: ['http://localhost:3000/demo/callback'] });
    expect(res.status, res.text).toBe(201);
    const patched = await api.patch('/applications/like-demo', { name: 'Renamed', redirectUris: ['http://localhost:3000/demo/callback'] });
    expect(patched.status, patched.text).toBe(200);
  });

  it('still refuses localhost on another port (RFC 8252 §8.3)', async () => {
    const message = expectFieldError(await api.post('/applications', { name: 'X', redirectUris: ['http://localhost:3001/cb'] }), 'redirectUris');
    expect(message).toContain('http://localhost:3001/cb: use http://127.0.0.1 or http://[::1] instead of localhost');
  });
});
