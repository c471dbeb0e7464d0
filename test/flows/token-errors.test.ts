import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.ts';
import {
  basicAuth,
  bearer,
  codeGrant,
  expectJsonError,
  expectServerStillServes,
  expectTokens,
  introspectActive,
  obtainCode,
  postToken,
  WEB_APP_BASIC,
} from '../support/flow-helpers.ts';
import { startServer, testConfig, TEST_SECRET, type TestServer } from '../support/server.ts';
import { UserAgent } from '../support/user-agent.ts';

/** Every applicable error of RFC 6749 §5.2 at the token endpoint, over real HTTP with plain fetch. */

const OTHER_SECRET = 'other-secret-0123456789abcdef';
const LEGACY_SECRET = 'legacy-secret-0123456789abcdef';
const OTHER_BASIC = basicAuth('other-app', OTHER_SECRET);
const LEGACY_BASIC = basicAuth('legacy-app', LEGACY_SECRET);
const LEGACY_REDIRECT = 'https://legacy.example/cb';

function clients() {
  return [
    ...(testConfig().clients ?? []),
    { id: 'other-app', name: 'Other App', secret: OTHER_SECRET, redirectUris: ['https://other.example/cb'], grantTypes: ['authorization_code' as const] },
    // Without PKCE (a legacy confidential client), to test a code_verifier sent without a code_challenge.
    { id: 'legacy-app', name: 'Legacy App', secret: LEGACY_SECRET, redirectUris: [LEGACY_REDIRECT], requirePkce: false },
  ];
}

let server: TestServer;
let agent: UserAgent;

beforeAll(async () => {
  server = await startServer({ clients: clients() });
  agent = new UserAgent(server.url);
});

afterAll(async () => {
  await server?.close();
});

const webCode = () => obtainCode(agent);

describe('request and grant_type errors (RFC 6749 §5.2)', () => {
  it('refuses a request without grant_type with invalid_request', async () => {
    await expectJsonError(await postToken(server, { scope: 'openid' }, { authorization: WEB_APP_BASIC }), 400, 'invalid_request');
  });

  it('refuses an unknown grant_type with unsupported_grant_type', async () => {
    await expectJsonError(await postToken(server, { grant_type: 'password', username: 'alice', password: 'x' }, { authorization: WEB_APP_BASIC }), 400, 'unsupported_grant_type');
    await expectJsonError(await postToken(server, { grant_type: 'implicit' }, { authorization: WEB_APP_BASIC }), 400, 'unsupported_grant_type');
  });

  it('refuses an authorization_code request without code with invalid_request', async () => {
    await expectJsonError(await postToken(server, { grant_type: 'authorization_code', redirect_uri: 'https://client.example/callback' }, { authorization: WEB_APP_BASIC }), 400, 'invalid_request');
  });

  it('refuses an unknown authorization code with invalid_grant', async () => {
    const res = await postToken(server, { grant_type: 'authorization_code', code: 'lk_ac_not-a-real-code', code_verifier: 'a'.repeat(43) }, { authorization: WEB_APP_BASIC });
    await expectJsonError(res, 400, 'invalid_grant');
  });
});

describe('client authentication (RFC 6749 §2.3, §5.2 invalid_client)', () => {
  it('answers a wrong secret sent with Basic with 401 invalid_client and WWW-Authenticate: Basic', async () => {
    const res = await postToken(server, { grant_type: 'client_credentials' }, { authorization: basicAuth('web-app', 'wrong-secret-0123456789') });
    expect(res.headers.get('www-authenticate') ?? '').toMatch(/^Basic /);
    await expectJsonError(res, 401, 'invalid_client');
  });

  it('answers a wrong client_secret in the body with 401 invalid_client', async () => {
    const res = await postToken(server, { grant_type: 'client_credentials', client_id: 'web-app', client_secret: 'wrong-secret-0123456789' });
    await expectJsonError(res, 401, 'invalid_client');
  });

  it('answers an unknown client with 401 invalid_client, the same as a wrong secret', async () => {
    const basic = await postToken(server, { grant_type: 'client_credentials' }, { authorization: basicAuth('nobody', TEST_SECRET) });
    expect(basic.headers.get('www-authenticate') ?? '').toMatch(/^Basic /);
    const body = await expectJsonError(basic, 401, 'invalid_client');
    const wrong = await postToken(server, { grant_type: 'client_credentials' }, { authorization: basicAuth('web-app', 'wrong-secret-0123456789') });
    expect(((await wrong.json()) as { error_description: string }).error_description).toBe(body['error_description']);
    await expectJsonError(await postToken(server, { grant_type: 'authorization_code', code: 'x', client_id: 'nobody' }), 401, 'invalid_client');
  });

  it('refuses a public client that presents a secret with 401 invalid_client', async () => {
    const res = await postToken(server, { grant_type: 'refresh_token', refresh_token: 'x' }, { authorization: basicAuth('spa', TEST_SECRET) });
    await expectJsonError(res, 401, 'invalid_client');
  });

  it('refuses a confidential client that sends only its client_id with 401 invalid_client', async () => {
    const c = await webCode();
    await expectJsonError(await postToken(server, { ...codeGrant(c), client_id: 'web-app' }), 401, 'invalid_client');
    // The code was not burnt by the refused request.
    await expectTokens(await postToken(server, codeGrant(c), { authorization: WEB_APP_BASIC }));
  });

  it('refuses a request with no client authentication at all with 401 invalid_client', async () => {
    await expectJsonError(await postToken(server, { grant_type: 'client_credentials' }), 401, 'invalid_client');
  });

  it('refuses two authentication methods in one request with invalid_request (RFC 6749 §2.3)', async () => {
    const res = await postToken(server, { grant_type: 'client_credentials', client_id: 'web-app', client_secret: TEST_SECRET }, { authorization: WEB_APP_BASIC });
    await expectJsonError(res, 400, 'invalid_request');
  });

  it('refuses a grant the client is not registered for with unauthorized_client', async () => {
    // other-app may use only authorization_code.
    await expectJsonError(await postToken(server, { grant_type: 'client_credentials' }, { authorization: OTHER_BASIC }), 400, 'unauthorized_client');
    // A public client may never use client_credentials (RFC 6749 §4.4).
    await expectJsonError(await postToken(server, { grant_type: 'client_credentials', client_id: 'spa' }), 400, 'unauthorized_client');
  });
});

describe('authorization code redemption (RFC 6749 §4.1.3, RFC 7636 §4.6)', () => {
  it('rejects a replayed authorization code with invalid_grant and revokes its tokens (RFC 6749 §4.1.2)', async () => {
    const c = await webCode();
    const first = await expectTokens(await postToken(server, codeGrant(c), { authorization: WEB_APP_BASIC }));
    expect(await introspectActive(server, first.access_token)).toBe(true);

    await expectJsonError(await postToken(server, codeGrant(c), { authorization: WEB_APP_BASIC }), 400, 'invalid_grant');
    expect(await introspectActive(server, first.access_token)).toBe(false);
    expect(await introspectActive(server, first.refresh_token ?? '')).toBe(false);
    expect((await bearer(server, first.access_token)).status).toBe(401);
    const refresh = await postToken(server, { grant_type: 'refresh_token', refresh_token: first.refresh_token ?? '' }, { authorization: WEB_APP_BASIC });
    await expectJsonError(refresh, 400, 'invalid_grant');
  });

  it('rejects a code presented by another client with invalid_grant', async () => {
    const c = await webCode();
    await expectJsonError(await postToken(server, codeGrant(c), { authorization: OTHER_BASIC }), 400, 'invalid_grant');
    await expectJsonError(await postToken(server, { ...codeGrant(c), client_id: 'spa' }), 400, 'invalid_grant');
  });

  it('rejects a missing code_verifier with invalid_grant when a challenge was sent (RFC 7636 §4.6)', async () => {
    const c = await webCode();
    const { code_verifier: _omitted, ...withoutVerifier } = codeGrant(c);
    await expectJsonError(await postToken(server, withoutVerifier, { authorization: WEB_APP_BASIC }), 400, 'invalid_grant');
  });

  it('rejects a wrong code_verifier with invalid_grant (RFC 7636 §4.6)', async () => {
    const c = await webCode();
    const wrong = { ...codeGrant(c), code_verifier: 'W'.repeat(43) };
    await expectJsonError(await postToken(server, wrong, { authorization: WEB_APP_BASIC }), 400, 'invalid_grant');
    const malformed = { ...codeGrant(c), code_verifier: 'short' };
    await expectJsonError(await postToken(server, malformed, { authorization: WEB_APP_BASIC }), 400, 'invalid_grant');
  });

  it('rejects a code_verifier when the authorization request had no code_challenge (RFC 9700 §2.1.1)', async () => {
    const c = await obtainCode(agent, { clientId: 'legacy-app', redirectUri: LEGACY_REDIRECT, pkce: false });
    await expectJsonError(await postToken(server, codeGrant(c), { authorization: LEGACY_BASIC }), 400, 'invalid_grant');
    // Without the downgrade attempt the same code works, so the refusal above was about the verifier.
    const { code_verifier: _omitted, ...plain } = codeGrant(c);
    await expectTokens(await postToken(server, plain, { authorization: LEGACY_BASIC }));
  });

  it('rejects a redirect_uri that differs from the authorization request with invalid_grant (RFC 6749 §4.1.3)', async () => {
    const c = await webCode();
    const other = { ...codeGrant(c), redirect_uri: 'http://127.0.0.1/cb' };
    await expectJsonError(await postToken(server, other, { authorization: WEB_APP_BASIC }), 400, 'invalid_grant');
    const { redirect_uri: _omitted, ...missing } = codeGrant(c);
    await expectJsonError(await postToken(server, missing, { authorization: WEB_APP_BASIC }), 400, 'invalid_grant');
  });

  it('gives exactly one of several racing redemptions of one code a token', async () => {
    const c = await webCode();
    const answers = await Promise.all(Array.from({ length: 5 }, () => postToken(server, codeGrant(c), { authorization: WEB_APP_BASIC })));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 400, 400, 400, 400]);
    for (const r of answers.filter((a) => a.status !== 200)) await expectJsonError(r, 400, 'invalid_grant');
  });
});

describe('refresh tokens (RFC 6749 §6, RFC 9700 §4.14.2)', () => {
  const refresh = (token: string, extra: Record<string, string> = {}) =>
    postToken(server, { grant_type: 'refresh_token', refresh_token: token, ...extra }, { authorization: WEB_APP_BASIC });

  it('revokes the whole grant when a spent refresh token is presented again', async () => {
    const first = await expectTokens(await postToken(server, codeGrant(await webCode()), { authorization: WEB_APP_BASIC }));
    const second = await expectTokens(await refresh(first.refresh_token ?? ''));
    expect((await bearer(server, second.access_token)).status).toBe(200);

    await expectJsonError(await refresh(first.refresh_token ?? ''), 400, 'invalid_grant');
    // The newest pair, issued before the theft was noticed, stops working too.
    expect((await bearer(server, second.access_token)).status).toBe(401);
    expect(await introspectActive(server, second.access_token)).toBe(false);
    await expectJsonError(await refresh(second.refresh_token ?? ''), 400, 'invalid_grant');
  });

  it('refuses a wider scope than originally granted with invalid_scope', async () => {
    const first = await expectTokens(await postToken(server, codeGrant(await webCode()), { authorization: WEB_APP_BASIC }));
    expect(first.scope).toBe('openid profile');
    await expectJsonError(await refresh(first.refresh_token ?? '', { scope: 'openid profile email' }), 400, 'invalid_scope');
  });

  it('refuses a refresh token presented by another client with invalid_grant', async () => {
    const first = await expectTokens(await postToken(server, codeGrant(await webCode()), { authorization: WEB_APP_BASIC }));
    const res = await postToken(server, { grant_type: 'refresh_token', refresh_token: first.refresh_token ?? '' }, { authorization: LEGACY_BASIC });
    await expectJsonError(res, 400, 'invalid_grant');
  });

  it('refuses a refresh_token request without refresh_token with invalid_request', async () => {
    await expectJsonError(await postToken(server, { grant_type: 'refresh_token' }, { authorization: WEB_APP_BASIC }), 400, 'invalid_request');
  });

  it('gives exactly one of several racing uses of one refresh token a new pair', async () => {
    const first = await expectTokens(await postToken(server, codeGrant(await webCode()), { authorization: WEB_APP_BASIC }));
    const answers = await Promise.all(Array.from({ length: 5 }, () => refresh(first.refresh_token ?? '')));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 400, 400, 400, 400]);
    for (const r of answers.filter((a) => a.status !== 200)) await expectJsonError(r, 400, 'invalid_grant');
  });
});

describe('code lifetime (RFC 6749 §4.1.2: short-lived codes)', () => {
  let clocked: TestServer;
  let clock: FakeClock;

  beforeAll(async () => {
    clock = new FakeClock();
    clocked = await startServer({}, { clock });
  });
  afterAll(async () => {
    await clocked?.close();
  });

  it('rejects a code redeemed after its 60 s lifetime with invalid_grant', async () => {
    const browser = new UserAgent(clocked.url);
    const c = await obtainCode(browser);
    clock.advance(61);
    await expectJsonError(await postToken(clocked, codeGrant(c), { authorization: WEB_APP_BASIC }), 400, 'invalid_grant');
    await expectServerStillServes(clocked);
  });

  it('accepts a code redeemed just inside its lifetime', async () => {
    const browser = new UserAgent(clocked.url);
    const c = await obtainCode(browser);
    clock.advance(59);
    await expectTokens(await postToken(clocked, codeGrant(c), { authorization: WEB_APP_BASIC }));
  });
});

describe('the server keeps serving', () => {
  it('answers a good request after all of the above', async () => {
    await expectServerStillServes(server);
  });
});
