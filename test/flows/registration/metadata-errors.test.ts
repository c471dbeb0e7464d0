import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../../support/server.ts';
import { expectRegistered, expectRegistrationError, register } from './helpers.ts';

/**
 * Bad client metadata (RFC 7591 §2, §3.2.2): each refused with 400 and the right code, its description naming the
 * field; the web and native redirect URI rules of OpenID Connect Registration §2 (application_type) and RFC 8252.
 */

let server: TestServer;
let restricted: TestServer;

beforeAll(async () => {
  [server, restricted] = await Promise.all([
    startServer({ registration: { mode: 'open', perHour: 0 } }),
    startServer({ registration: { mode: 'open', perHour: 0, redirectUriHosts: ['*.trusted.example'], redirectUriSchemes: ['https', 'http', 'com.trusted.*'] } }),
  ]);
});
afterAll(async () => {
  await Promise.all([server?.close(), restricted?.close()]);
});

const WEB = { redirect_uris: ['https://app.example/cb'] };

const badMetadata: ReadonlyArray<readonly [string, Record<string, unknown>, string, string]> = [
  ['redirect_uris missing for the code grant', {}, 'invalid_redirect_uri', 'redirect_uris'],
  ['redirect_uris not a list', { redirect_uris: 'https://app.example/cb' }, 'invalid_redirect_uri', 'redirect_uris'],
  ['a redirect URI with a fragment', { redirect_uris: ['https://app.example/cb#x'] }, 'invalid_redirect_uri', 'redirect_uris'],
  ['a relative redirect URI', { redirect_uris: ['/cb'] }, 'invalid_redirect_uri', 'redirect_uris'],
  ['a javascript: redirect URI', { redirect_uris: ['javascript:alert(1)'] }, 'invalid_redirect_uri', 'redirect_uris'],
  ['an unknown token_endpoint_auth_method', { ...WEB, token_endpoint_auth_method: 'tls_client_auth' }, 'invalid_client_metadata', 'token_endpoint_auth_method'],
  ['an unknown grant type', { ...WEB, grant_types: ['password'] }, 'invalid_client_metadata', 'grant_types'],
  // Deny by default: the registration policy's grant types (registration.grantTypes) leave these two out.
  ['the token exchange grant (RFC 8693)', { ...WEB, grant_types: ['authorization_code', 'urn:ietf:params:oauth:grant-type:token-exchange'] }, 'invalid_client_metadata', 'grant_types'],
  ['the JWT bearer grant (RFC 7523)', { ...WEB, grant_types: ['authorization_code', 'urn:ietf:params:oauth:grant-type:jwt-bearer'] }, 'invalid_client_metadata', 'grant_types'],
  ['grant_types not a list', { ...WEB, grant_types: 'authorization_code' }, 'invalid_client_metadata', 'grant_types'],
  ['an unknown response type', { ...WEB, response_types: ['code token'] }, 'invalid_client_metadata', 'response_types'],
  // RFC 7591 §2.1: response_type code needs grant_type authorization_code.
  ['response_types inconsistent with grant_types', { ...WEB, grant_types: ['refresh_token'], response_types: ['code'] }, 'invalid_client_metadata', 'grant_types'],
  ['client_credentials for a public client', { ...WEB, grant_types: ['client_credentials'], token_endpoint_auth_method: 'none' }, 'invalid_client_metadata', 'grant_types'],
  ['a client_name that is not a string', { ...WEB, client_name: 42 }, 'invalid_client_metadata', 'client_name'],
  ['a client_uri that is not a URL', { ...WEB, client_uri: 'not a url' }, 'invalid_client_metadata', 'client_uri'],
  ['a logo_uri over http', { ...WEB, logo_uri: 'http://app.example/logo.png' }, 'invalid_client_metadata', 'logo_uri'],
  ['contacts not a list of strings', { ...WEB, contacts: 'me@example.com' }, 'invalid_client_metadata', 'contacts'],
  ['an unknown application_type', { ...WEB, application_type: 'desktop' }, 'invalid_client_metadata', 'application_type'],
  ['an unknown signing algorithm', { ...WEB, id_token_signed_response_alg: 'none' }, 'invalid_client_metadata', 'id_token_signed_response_alg'],
  ['a subject_type it cannot give', { ...WEB, subject_type: 'pairwise' }, 'invalid_client_metadata', 'subject_type'],
  ['a negative default_max_age', { ...WEB, default_max_age: -1 }, 'invalid_client_metadata', 'default_max_age'],
  ['a post_logout_redirect_uri over http', { ...WEB, post_logout_redirect_uris: ['http://app.example/bye'] }, 'invalid_client_metadata', 'post_logout_redirect_uris'],
  ['a backchannel_logout_uri with a fragment', { ...WEB, backchannel_logout_uri: 'https://app.example/bc#x' }, 'invalid_client_metadata', 'backchannel_logout_uri'],
  ['a client_secret chosen by the client', { ...WEB, client_secret: 'my-own-secret-0123456789' }, 'invalid_client_metadata', 'client_secret'],
  ['a scope with a character RFC 6749 §3.3 forbids', { ...WEB, scope: 'openid "x"' }, 'invalid_client_metadata', 'scope'],
];

describe('bad metadata: 400 with the RFC 7591 §3.2.2 code, naming the field', () => {
  it.each(badMetadata)('refuses %s', async (_what, metadata, error, field) => {
    await expectRegistrationError(await register(server, metadata), 400, error, field);
  });

  it('refuses a body that is not a JSON object with invalid_client_metadata', async () => {
    for (const body of ['[]', '"x"', 'null']) await expectRegistrationError(await register(server, body), 400, 'invalid_client_metadata');
  });

  it('refuses a form body with 415 invalid_request (RFC 7591 §3.1: JSON)', async () => {
    const res = await fetch(new URL('/register', server.url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'redirect_uris=https://a.example/cb' });
    await expectRegistrationError(res, 415, 'invalid_request');
  });

  it('refuses prototype poisoning and malformed JSON with 400 invalid_request, an oversized body with 413, never a 5xx', async () => {
    await expectRegistrationError(await register(server, '{"redirect_uris":["https://a.example/cb"],"__proto__":{"admin":true}}'), 400, 'invalid_request');
    await expectRegistrationError(await register(server, '{"redirect_uris":'), 400, 'invalid_request');
    const huge = JSON.stringify({ redirect_uris: ['https://a.example/cb'], client_name: 'x'.repeat(70_000) });
    const res = await register(server, huge);
    expect(res.status).toBe(413);
  });

  it('ignores metadata it does not know (RFC 7591 §2: extensions) instead of refusing it', async () => {
    const body = await expectRegistered(await register(server, { ...WEB, some_extension: 'x' }));
    expect(body).not.toHaveProperty('some_extension');
  });
});

describe('web and native redirect URIs (OpenID Connect Registration §2 application_type, RFC 8252)', () => {
  const web = (uri: string) => ({ application_type: 'web', redirect_uris: [uri] });
  const native = (uri: string) => ({ application_type: 'native', redirect_uris: [uri] });

  it.each([
    ['a web client on http loopback', web('http://127.0.0.1/cb')],
    ['a web client on a custom scheme', web('com.example.app:/cb')],
    ['a web client on http', web('http://app.example/cb')],
    ['a native client on localhost (RFC 8252 §8.3)', native('http://localhost/cb')],
    ['a native client on a custom scheme without a dot (RFC 8252 §7.1)', native('myapp:/cb')],
    ['a native client on plain http to a host', native('http://app.example/cb')],
  ])('refuses %s with invalid_redirect_uri', async (_what, metadata) => {
    await expectRegistrationError(await register(server, metadata), 400, 'invalid_redirect_uri', 'redirect_uris');
  });

  it.each([
    ['a web client on https', web('https://app.example/cb'), 'client_secret_basic'],
    ['a native client on a reverse-domain scheme', native('com.example.app:/cb'), 'none'],
    ['a native client on loopback http with a port', native('http://127.0.0.1:8080/cb'), 'none'],
    ['a native client on [::1]', native('http://[::1]/cb'), 'none'],
    ['a native client on a claimed https URI', native('https://app.example/cb'), 'none'],
  ])('accepts %s, with the default auth method', async (_what, metadata, method) => {
    const body = await expectRegistered(await register(server, metadata));
    expect(body['token_endpoint_auth_method']).toBe(method);
    expect(body['application_type']).toBe((metadata as { application_type?: string }).application_type ?? 'web');
  });

  it('takes a client without application_type whose redirect URIs are all loopback or private-use for native (RFC 7591 clients, e.g. MCP ones, do not send it)', async () => {
    for (const uris of [['http://127.0.0.1:3333/callback'], ['com.example.app:/cb', 'http://[::1]/cb']]) {
      const body = await expectRegistered(await register(server, { redirect_uris: uris, token_endpoint_auth_method: 'none' }));
      expect(body).toMatchObject({ application_type: 'native', token_endpoint_auth_method: 'none' });
    }
    // One https redirect URI among them: a web client, whose rules then refuse the loopback one.
    await expectRegistrationError(await register(server, { redirect_uris: ['https://app.example/cb', 'http://127.0.0.1/cb'] }), 400, 'invalid_redirect_uri', '127.0.0.1');
  });

  it('refuses hosts and schemes outside the operator\'s patterns, and accepts those inside', async () => {
    await expectRegistrationError(await register(restricted, web('https://evil.example/cb')), 400, 'invalid_redirect_uri', 'evil.example');
    await expectRegistrationError(await register(restricted, native('com.other.app:/cb')), 400, 'invalid_redirect_uri', 'com.other.app');
    await expectRegistered(await register(restricted, web('https://app.trusted.example/cb')));
    await expectRegistered(await register(restricted, native('com.trusted.app:/cb')));
    await expectRegistered(await register(restricted, native('http://127.0.0.1/cb')));
  });
});
