import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectJsonError, expectServerStillServes, expectTokens, post, postToken, WEB_APP_BASIC } from '../support/flow-helpers.ts';
import { startServer, TEST_SECRET, type TestServer } from '../support/server.ts';

/**
 * Token endpoint bodies (RFC 6749 §3.2, §4.1.3): form, JSON and multipart are accepted because the seed clients send
 * each; anything malformed is a 4xx with a JSON error, and the server keeps serving.
 */

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.close();
});

const ccForm = 'grant_type=client_credentials&client_id=web-app&client_secret=' + encodeURIComponent(TEST_SECRET);

it('serves the migration profiles’ paths exactly when the "core with all profiles on" project switches them on', async () => {
  const res = await fetch(new URL('/kraken/oauth2/token', server.url), { method: 'POST' });
  expect(res.status === 404).toBe(process.env['LATCHKEY_TEST_ALL_PROFILES'] !== '1');
});

describe('accepted bodies', () => {
  it('accepts application/x-www-form-urlencoded', async () => {
    await expectTokens(await postToken(server, ccForm, { headers: { 'content-type': 'application/x-www-form-urlencoded' } }));
  });

  it('accepts a JSON body', async () => {
    const body = JSON.stringify({ grant_type: 'client_credentials', client_id: 'web-app', client_secret: TEST_SECRET });
    const tokens = await expectTokens(await postToken(server, body, { headers: { 'content-type': 'application/json' } }));
    expect(tokens.token_type).toBe('Bearer');
  });

  it('accepts a multipart/form-data body', async () => {
    const form = new FormData();
    form.set('grant_type', 'client_credentials');
    form.set('client_id', 'web-app');
    form.set('client_secret', TEST_SECRET);
    const tokens = await expectTokens(await postToken(server, form));
    expect(tokens.token_type).toBe('Bearer');
  });

  it('accepts a form content type with a charset parameter', async () => {
    await expectTokens(await postToken(server, ccForm, { headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' } }));
  });
});

describe('malformed bodies get a 4xx, and the server keeps serving', () => {
  it('refuses invalid JSON with 400 invalid_request', async () => {
    const res = await postToken(server, '{"grant_type": "client_credentials",', { authorization: WEB_APP_BASIC, headers: { 'content-type': 'application/json' } });
    await expectJsonError(res, 400, 'invalid_request');
    await expectServerStillServes(server);
  });

  it('refuses a JSON body that is not an object with 400 invalid_request', async () => {
    const res = await postToken(server, '["grant_type", "client_credentials"]', { authorization: WEB_APP_BASIC, headers: { 'content-type': 'application/json' } });
    await expectJsonError(res, 400, 'invalid_request');
    await expectServerStillServes(server);
  });

  it('refuses JSON with a non-string parameter value with 400 invalid_request', async () => {
    const body = JSON.stringify({ grant_type: ['client_credentials'] });
    await expectJsonError(await postToken(server, body, { authorization: WEB_APP_BASIC, headers: { 'content-type': 'application/json' } }), 400, 'invalid_request');
    await expectServerStillServes(server);
  });

  it('refuses JSON prototype poisoning with a 4xx', async () => {
    const body = '{"grant_type":"client_credentials","__proto__":{"admin":true}}';
    const res = await postToken(server, body, { authorization: WEB_APP_BASIC, headers: { 'content-type': 'application/json' } });
    await expectJsonError(res, 400, 'invalid_request');
    await expectServerStillServes(server);
  });

  it('refuses a 10 MB body with 413', async () => {
    const huge = `grant_type=client_credentials&pad=${'a'.repeat(10 * 1024 * 1024)}`;
    let res: Response | undefined;
    try {
      res = await postToken(server, huge, { authorization: WEB_APP_BASIC, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    } catch (err) {
      // The server may close the connection while the client is still sending; that is a refusal too, but we want
      // to see the status, so fail with the reason.
      throw new Error(`the 10 MB request failed without a response: ${String(err)}`);
    }
    await expectJsonError(res, 413, 'invalid_request');
    await expectServerStillServes(server);
  });

  it('refuses a body that is not valid UTF-8 with 400 invalid_request', async () => {
    const bytes = Buffer.concat([Buffer.from('grant_type=client_credentials&scope='), Buffer.from([0xff, 0xfe, 0xc3])]);
    const res = await postToken(server, bytes, { authorization: WEB_APP_BASIC, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    await expectJsonError(res, 400, 'invalid_request');
    await expectServerStillServes(server);
  });

  it('refuses percent-encoded bytes that are not UTF-8 with 400 invalid_request', async () => {
    const res = await postToken(server, 'grant_type=client_credentials&scope=%FF%FE', { authorization: WEB_APP_BASIC, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    await expectJsonError(res, 400, 'invalid_request');
    await expectServerStillServes(server);
  });

  it('refuses invalid UTF-8 in a JSON body with 400 invalid_request', async () => {
    const bytes = Buffer.concat([Buffer.from('{"grant_type":"client_credentials","scope":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]);
    const res = await postToken(server, bytes, { authorization: WEB_APP_BASIC, headers: { 'content-type': 'application/json' } });
    await expectJsonError(res, 400, 'invalid_request');
    await expectServerStillServes(server);
  });

  it('refuses a duplicated parameter with 400 invalid_request (RFC 6749 §3.2)', async () => {
    const res = await postToken(server, 'grant_type=client_credentials&grant_type=client_credentials', { authorization: WEB_APP_BASIC, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    await expectJsonError(res, 400, 'invalid_request');
    const multipart = new FormData();
    multipart.append('grant_type', 'client_credentials');
    multipart.append('scope', 'openid');
    multipart.append('scope', 'profile');
    await expectJsonError(await postToken(server, multipart, { authorization: WEB_APP_BASIC }), 400, 'invalid_request');
    await expectServerStillServes(server);
  });

  it('refuses text/plain with 415', async () => {
    const res = await postToken(server, ccForm, { headers: { 'content-type': 'text/plain' } });
    await expectJsonError(res, 415, 'invalid_request');
    await expectServerStillServes(server);
  });

  it('refuses a multipart body carrying a file with a 4xx', async () => {
    const form = new FormData();
    form.set('grant_type', 'client_credentials');
    form.set('upload', new Blob(['hello']), 'hello.txt');
    const res = await postToken(server, form, { authorization: WEB_APP_BASIC });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
    await expectServerStillServes(server);
  });

  it('refuses a token request with no body with a 4xx JSON error', async () => {
    const res = await fetch(new URL('/oauth2/token', server.url), { method: 'POST', headers: { authorization: WEB_APP_BASIC } });
    await expectJsonError(res, 400, 'invalid_request');
    await expectServerStillServes(server);
  });

  it('refuses a GET on the token endpoint with a 4xx (RFC 6749 §3.2: POST)', async () => {
    const res = await fetch(new URL('/oauth2/token?grant_type=client_credentials', server.url), { headers: { authorization: WEB_APP_BASIC } });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    await expectServerStillServes(server);
  });

  it('does not read token parameters from the query string (RFC 6749 §3.2)', async () => {
    const res = await post(server, '/oauth2/token?grant_type=client_credentials', {}, { authorization: WEB_APP_BASIC });
    await expectJsonError(res, 400, 'invalid_request');
  });
});
