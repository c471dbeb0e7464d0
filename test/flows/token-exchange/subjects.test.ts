import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjectFor } from '../../../src/core/oidc/subject.ts';
import { basicAuth, codeGrant, expectJsonError, obtainCode, post, postToken } from '../../support/flow-helpers.ts';
import { startServer, type TestServer } from '../../support/server.ts';
import { UserAgent } from '../../support/user-agent.ts';
import { JWT_API, jwtParts } from '../resources/fixtures.ts';
import { EXCHANGE_GRANT, EXCHANGER_BASIC, exchangeConfig, idp, TT } from './fixtures.ts';

/**
 * Whom a subject token stands for. An ID token with a pairwise subject (OpenID Connect Core §8.1) as the subject token of an exchange (RFC 8693 §3
 * id_token). Its `sub` cannot be turned back into a user; the SSO session it was issued in (`sid`) can, for the
 * client it was issued to, and the pairwise value must then be that user's. And a token of an application an
 * administrator disabled is inactive here as everywhere.
 */

const SALT = 'pairwise-id-token-salt-0123456789';
const REDIRECT = 'https://pairwise-rp.example/cb';
const RP_SECRET = 'pairwise-rp-secret-0123456789abcd';
const RP_BASIC = basicAuth('pairwise-rp', RP_SECRET);
let server: TestServer;

async function idTokenOf(username: string): Promise<string> {
  const code = await obtainCode(new UserAgent(server.url), { clientId: 'pairwise-rp', redirectUri: REDIRECT, scope: 'openid', username });
  const res = await postToken(server, { ...codeGrant(code), redirect_uri: REDIRECT }, { authorization: RP_BASIC });
  expect(res.status).toBe(200);
  return ((await res.json()) as { id_token: string }).id_token;
}

beforeAll(async () => {
  const config = exchangeConfig(await idp());
  config.clients = [
    ...(config.clients ?? []),
    { id: 'pairwise-rp', name: 'Pairwise RP', secret: RP_SECRET, redirectUris: [REDIRECT], scopes: ['openid', 'notes.read'], subjectType: 'pairwise', grantTypes: ['authorization_code'] },
  ];
  config.oidc = { pairwiseSalt: SALT };
  server = await startServer(config);
});

afterAll(async () => {
  await server?.close();
});

const exchange = (subjectToken: string) =>
  postToken(server, { grant_type: EXCHANGE_GRANT, subject_token: subjectToken, subject_token_type: TT.id, resource: JWT_API, scope: 'notes.read' }, { authorization: EXCHANGER_BASIC });

describe('token exchange of an ID token with a pairwise subject (OpenID Connect Core §8.1, RFC 8693 §3)', () => {
  it('finds the user through the session the ID token was issued in, and the new token names that user', async () => {
    const idToken = await idTokenOf('alice');
    const { sub, sid } = jwtParts(idToken).payload as { sub: string; sid?: string };
    expect(typeof sid).toBe('string');
    const res = await exchange(idToken);
    expect(res.status).toBe(200);
    const token = ((await res.json()) as { access_token: string }).access_token;
    const aliceId = (await (await post(server, '/oauth2/introspect', { token }, { authorization: EXCHANGER_BASIC })).json() as { sub: string }).sub;
    expect(subjectFor({ redirectUris: [REDIRECT], oidc: { subjectType: 'pairwise' } }, aliceId, SALT)).toBe(sub);
    expect(sub).not.toBe(aliceId);
  });

  it('refuses with invalid_grant an ID token whose pairwise sub is not that of the session\'s user (RFC 8693 §2.2.2)', async () => {
    // bob's session, with alice's pairwise sub: only a holder of our signing key could make it, so it is built here
    // by signing through the server's own keyring, as a tampered token would have to be.
    const bobToken = jwtParts(await idTokenOf('bob')).payload;
    const alicesSub = (jwtParts(await idTokenOf('alice')).payload as { sub: string }).sub;
    const forged = await server.latchkey.deps.keys.keyring.sign({ ...bobToken, sub: alicesSub }, { alg: 'RS256', typ: 'JWT' });
    await expectJsonError(await exchange(forged), 400, 'invalid_grant');
  });
});

describe('token exchange of a disabled application\'s token', () => {
  it('refuses with invalid_grant an access token of an application an administrator disabled, as introspection calls it inactive; enabling restores it', async () => {
    const code = await obtainCode(new UserAgent(server.url), { clientId: 'pairwise-rp', redirectUri: REDIRECT, scope: 'openid notes.read' });
    const res = await postToken(server, { ...codeGrant(code), redirect_uri: REDIRECT }, { authorization: RP_BASIC });
    const accessToken = ((await res.json()) as { access_token: string }).access_token;
    const asAccessToken = () =>
      postToken(server, { grant_type: EXCHANGE_GRANT, subject_token: accessToken, subject_token_type: TT.access, resource: JWT_API, scope: 'notes.read' }, { authorization: EXCHANGER_BASIC });
    expect((await asAccessToken()).status).toBe(200);
    const clients = server.latchkey.deps.repos.clients;
    await clients.update('pairwise-rp', { disabledAt: Math.floor(Date.now() / 1000) }, Math.floor(Date.now() / 1000));
    await expectJsonError(await asAccessToken(), 400, 'invalid_grant');
    await clients.update('pairwise-rp', { disabledAt: null }, Math.floor(Date.now() / 1000));
    expect((await asAccessToken()).status).toBe(200);
  });
});
