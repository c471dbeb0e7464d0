import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oauth from 'oauth4webapi';
import { TEST_PASSWORD, type TestServer, startServer, testConfig } from '../support/server.ts';
import { UserAgent } from '../support/user-agent.ts';
import { codeGrant, expectTokens, obtainCode, postToken, WEB_APP_BASIC } from '../support/flow-helpers.ts';

/** UserInfo releases the standard claims per scope as OpenID Connect Core §5.4 maps them, with the built-in scopes. */

const CLAIMS = {
  given_name: 'Ada', family_name: 'Lovelace', middle_name: 'King', nickname: 'ada', profile: 'https://ada.example/about',
  picture: 'https://ada.example/ada.png', website: 'https://ada.example', gender: 'female', birthdate: '0000-12-10',
  zoneinfo: 'Europe/London', locale: 'en-GB', email_verified: true, phone_number: '+442071234567',
  phone_number_verified: true, address: { street_address: '12 St James Square', locality: 'London', country: 'UK' },
};
const PROFILE = ['sub', 'name', 'given_name', 'family_name', 'middle_name', 'nickname', 'preferred_username', 'profile', 'picture', 'website', 'gender', 'birthdate', 'zoneinfo', 'locale', 'updated_at'];

let server: TestServer;
let as: oauth.AuthorizationServer;
const webApp: oauth.Client = { client_id: 'web-app' };
const insecure = { [oauth.allowInsecureRequests]: true };

beforeAll(async () => {
  const base = testConfig();
  server = await startServer({
    users: [...(base.users ?? []), { username: 'ada', password: TEST_PASSWORD, name: 'Ada Lovelace', email: 'ada@example.com', claims: CLAIMS }],
  });
  const issuer = new URL(server.url);
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
});

afterAll(async () => {
  await server?.close();
});

async function userinfoFor(scope: string, username = 'ada'): Promise<oauth.UserInfoResponse> {
  const code = await obtainCode(new UserAgent(server.url), { scope, username });
  const tokens = await expectTokens(await postToken(server, codeGrant(code), { authorization: WEB_APP_BASIC }));
  const res = await oauth.userInfoRequest(as, webApp, tokens.access_token, insecure);
  return oauth.processUserInfoResponse(as, webApp, oauth.skipSubjectCheck, res);
}

describe('UserInfo releases the standard claims by scope (OpenID Connect Core §5.4)', () => {
  it('profile releases the profile claims, updated_at as a number, and nothing of email, address or phone', async () => {
    const info = await userinfoFor('openid profile');
    expect(Object.keys(info).sort()).toEqual([...PROFILE].sort());
    expect(info).toMatchObject({ name: 'Ada Lovelace', given_name: 'Ada', preferred_username: 'ada', birthdate: '0000-12-10', zoneinfo: 'Europe/London' });
    expect(info.updated_at).toBeTypeOf('number');
  });

  it('email releases email and email_verified as a boolean', async () => {
    expect(await userinfoFor('openid email')).toEqual({ sub: expect.any(String), email: 'ada@example.com', email_verified: true });
  });

  it('address releases the address as an object (Core §5.1.1)', async () => {
    expect(await userinfoFor('openid address')).toEqual({ sub: expect.any(String), address: CLAIMS.address });
  });

  it('phone releases phone_number and phone_number_verified', async () => {
    expect(await userinfoFor('openid phone')).toEqual({ sub: expect.any(String), phone_number: '+442071234567', phone_number_verified: true });
  });

  it('omits the claims a user has no value for, and says email_verified false for an unverified address', async () => {
    const info = await userinfoFor('openid profile email address phone', 'alice');
    expect(Object.keys(info).sort()).toEqual(['email', 'email_verified', 'name', 'preferred_username', 'sub', 'updated_at']);
    expect(info.email_verified).toBe(false);
  });
});

