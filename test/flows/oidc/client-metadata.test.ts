import { createRemoteJWKSet, decodeJwt, jwtVerify, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationWithSecret } from '../../../src/admin/schemas.ts';
import { FakeClock } from '../../../src/core/clock.ts';
import { AdminApi, adminConfig, adminToken, expectFieldError, startAdminServer } from '../../support/admin.ts';
import { basicAuth, codeGrant, expectTokens, obtainCode, postToken, WEB_APP_BASIC } from '../../support/flow-helpers.ts';
import { startServer, TEST_PASSWORD, TEST_SECRET, type TestServer } from '../../support/server.ts';
import { authorizeUrl, UserAgent } from '../../support/user-agent.ts';

/**
 * OpenID Connect client metadata (Registration 1.0 §2): pairwise subjects (Core §8.1) that agree across the ID token,
 * UserInfo and introspection; signed UserInfo (Core §5.3.2); a client's own ID token algorithm; default_max_age; the
 * admin API refusing metadata that cannot work, each under its field.
 */

const SALT = 'pairwise-salt-0123456789';
const RP_REDIRECT = 'https://rp.example/cb';

const oidcClients = [
  { id: 'pairwise-rp', name: 'Pairwise RP', secret: TEST_SECRET, redirectUris: [RP_REDIRECT, 'https://rp.example/other'], subjectType: 'pairwise' as const },
  { id: 'signed-rp', name: 'Signed RP', secret: TEST_SECRET, redirectUris: [RP_REDIRECT], userinfoSignedResponseAlg: 'ES256' as const, idTokenSignedResponseAlg: 'EdDSA' as const },
];

let server: TestServer;

beforeAll(async () => {
  const base = adminConfig();
  server = await startAdminServer({ oidc: { pairwiseSalt: SALT }, clients: [...(base.clients ?? []), ...oidcClients] });
});

afterAll(async () => {
  await server?.close();
});

async function tokensFor(clientId: string, redirectUri: string, scope = 'openid profile email') {
  const agent = new UserAgent(server.url);
  const code = await obtainCode(agent, { clientId, redirectUri, scope });
  const res = await postToken(server, codeGrant(code), { authorization: basicAuth(clientId, TEST_SECRET) });
  return (await expectTokens(res)) as { access_token: string; id_token?: string };
}

const userinfo = (token: string) => fetch(new URL('/userinfo', server.url), { headers: { authorization: `Bearer ${token}` } });

async function introspectedSub(token: string, authorization: string): Promise<unknown> {
  const res = await fetch(new URL('/oauth2/introspect', server.url), { method: 'POST', headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token }) });
  return ((await res.json()) as { sub?: unknown }).sub;
}

describe('pairwise subject identifiers (OpenID Connect Core §8.1)', () => {
  it('lists pairwise in subject_types_supported once oidc.pairwiseSalt is set (Discovery §3)', async () => {
    const meta = (await (await fetch(new URL('/.well-known/openid-configuration', server.url))).json()) as { subject_types_supported: string[] };
    expect(meta.subject_types_supported).toEqual(['public', 'pairwise']);
  });

  it('gives the same pairwise sub in the ID token, UserInfo and introspection, stable across sign-ins, not the public one', async () => {
    const first = await tokensFor('pairwise-rp', RP_REDIRECT);
    const sub = decodeJwt(first.id_token ?? '').sub;
    expect(sub).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(((await (await userinfo(first.access_token)).json()) as { sub: string }).sub).toBe(sub);
    expect(await introspectedSub(first.access_token, basicAuth('pairwise-rp', TEST_SECRET))).toBe(sub);
    const again = await tokensFor('pairwise-rp', 'https://rp.example/other');
    expect(decodeJwt(again.id_token ?? '').sub).toBe(sub);
    const publicSub = decodeJwt((await tokensFor('web-app', 'https://client.example/callback')).id_token ?? '').sub;
    expect(publicSub).not.toBe(sub);
    // The public sub is the user id: what web-app's introspection says too.
    const web = await tokensFor('web-app', 'https://client.example/callback');
    expect(await introspectedSub(web.access_token, WEB_APP_BASIC)).toBe(publicSub);
  });
});

describe('signed UserInfo and a client\'s own ID token algorithm', () => {
  it('answers UserInfo as a JWT (application/jwt) signed with the registered algorithm, with iss and aud (Core §5.3.2)', async () => {
    const tokens = await tokensFor('signed-rp', RP_REDIRECT);
    const res = await userinfo(tokens.access_token);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/jwt/);
    const jwt = await res.text();
    expect(decodeProtectedHeader(jwt).alg).toBe('ES256');
    const { payload } = await jwtVerify(jwt, createRemoteJWKSet(new URL('/.well-known/jwks.json', server.url)), { issuer: server.url, audience: 'signed-rp' });
    expect(payload.sub).toBe(decodeJwt(tokens.id_token ?? '').sub);
    expect(payload['email']).toBe('alice@example.com');
  });

  it('signs the ID token with the client\'s id_token_signed_response_alg over the server default', async () => {
    const tokens = await tokensFor('signed-rp', RP_REDIRECT);
    expect(decodeProtectedHeader(tokens.id_token ?? '').alg).toBe('EdDSA');
    await jwtVerify(tokens.id_token ?? '', createRemoteJWKSet(new URL('/.well-known/jwks.json', server.url)), { issuer: server.url, audience: 'signed-rp' });
  });
});

describe('default_max_age (Registration 1.0 §2)', () => {
  it('asks a person whose sign-in is older than the client\'s default_max_age to sign in again', async () => {
    const clock = new FakeClock(Math.floor(Date.now() / 1000));
    const s = await startServer({ clients: [{ id: 'strict-rp', name: 'Strict', secret: TEST_SECRET, redirectUris: [RP_REDIRECT], defaultMaxAge: 60 }] }, { clock });
    try {
      const agent = new UserAgent(s.url);
      const url = () => authorizeUrl(s, { response_type: 'code', client_id: 'strict-rp', redirect_uri: RP_REDIRECT, scope: 'openid', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' });
      let out = await agent.start(url());
      out = await agent.login(out, 'alice', TEST_PASSWORD);
      out = await agent.consent(out, 'allow');
      expect(out.location?.searchParams.get('code')).toBeTruthy();
      // Within the age: no page.
      clock.advance(30);
      expect((await agent.start(url())).location?.searchParams.get('code')).toBeTruthy();
      // Past it: the login page again.
      clock.advance(60);
      expect((await agent.start(url())).page).toBe('login');
    } finally {
      await s.close();
    }
  });
});

describe('the admin API checks OpenID Connect metadata as a whole (422 under the field)', () => {
  let api: AdminApi;
  beforeAll(async () => {
    api = new AdminApi(server, await adminToken(server));
  });

  it('round-trips every member', async () => {
    const res = await api.post('/applications', {
      name: 'Full RP',
      redirectUris: ['https://full.example/cb'],
      idTokenSignedResponseAlg: 'ES256',
      userinfoSignedResponseAlg: 'RS256',
      subjectType: 'pairwise',
      defaultMaxAge: 3600,
      requireAuthTime: true,
      postLogoutRedirectUris: ['https://full.example/bye'],
      backchannelLogoutUri: 'https://full.example/backchannel',
      backchannelLogoutSessionRequired: true,
    });
    expect(res.status, res.text).toBe(201);
    expect(applicationWithSecret.parse(res.body).application).toMatchObject({
      idTokenSignedResponseAlg: 'ES256',
      userinfoSignedResponseAlg: 'RS256',
      subjectType: 'pairwise',
      defaultMaxAge: 3600,
      requireAuthTime: true,
      postLogoutRedirectUris: ['https://full.example/bye'],
      backchannelLogoutUri: 'https://full.example/backchannel',
      backchannelLogoutSessionRequired: true,
    });
  });

  it('refuses pairwise over several redirect URI hosts (no sector_identifier_uri yet)', async () => {
    const res = await api.post('/applications', { name: 'Two hosts', redirectUris: ['https://a.example/cb', 'https://b.example/cb'], subjectType: 'pairwise' });
    expect(expectFieldError(res, 'subjectType')).toMatch(/one host/);
  });

  it('refuses a post-logout redirect URI with a fragment and a back-channel URI over plain http', async () => {
    expectFieldError(await api.post('/applications', { name: 'Bad logout', redirectUris: ['https://c.example/cb'], postLogoutRedirectUris: ['https://c.example/bye#x'] }), 'postLogoutRedirectUris');
    expectFieldError(await api.post('/applications', { name: 'Bad bc', redirectUris: ['https://c.example/cb'], backchannelLogoutUri: 'http://c.example/bc' }), 'backchannelLogoutUri');
  });

  it('refuses an unknown signing algorithm under its field', async () => {
    const res = await api.post('/applications', { name: 'Bad alg', redirectUris: ['https://d.example/cb'], idTokenSignedResponseAlg: 'none' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('idTokenSignedResponseAlg');
  });
});

describe('pairwise needs the server salt', () => {
  it('refuses to start with a pairwise client and no oidc.pairwiseSalt, naming the key', async () => {
    await expect(startServer({ clients: [{ id: 'p', name: 'P', secret: TEST_SECRET, redirectUris: [RP_REDIRECT], subjectType: 'pairwise' }] })).rejects.toThrow(
      /clients\.0\.subjectType: .*oidc\.pairwiseSalt/,
    );
  });
});
