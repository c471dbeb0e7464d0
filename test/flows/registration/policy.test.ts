import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInitialAccessToken } from '../../../src/admin/registration-tokens.ts';
import { FakeClock } from '../../../src/core/clock.ts';
import { startServer, type TestServer } from '../../support/server.ts';
import { expectRegistered, expectRegistrationError, NATIVE, register, WEB } from './helpers.ts';

/**
 * The operator's policy (issue 12): registration requiring an initial access token (RFC 7591 §3, §3.2.2 invalid_token
 * as a Bearer error, RFC 6750 §3.1), a per-address rate limit, and the scopes and grant types a registered client may get.
 */

const clock = new FakeClock();
let tokenMode: TestServer;
let limited: TestServer;

beforeAll(async () => {
  [tokenMode, limited] = await Promise.all([
    startServer({ registration: { mode: 'token' } }, { clock }),
    startServer({ registration: { mode: 'open', perHour: 3, scopes: ['openid', 'profile'], grantTypes: ['authorization_code'] } }),
  ]);
});
afterAll(async () => {
  await Promise.all([tokenMode?.close(), limited?.close()]);
});

const iat = (options: { expiresInSeconds?: number; maxUses?: number } = {}) =>
  createInitialAccessToken({ repos: tokenMode.latchkey.deps.repos, clock }, options).then((r) => r.token);

describe('token mode: an initial access token is required (RFC 7591 §3)', () => {
  it('refuses a registration without a token with 401 invalid_token and a Bearer challenge', async () => {
    const res = await register(tokenMode, WEB);
    expect(res.headers.get('www-authenticate') ?? '').toMatch(/^Bearer /);
    await expectRegistrationError(res, 401, 'invalid_token');
  });

  it('refuses an unknown token with 401 invalid_token', async () => {
    await expectRegistrationError(await register(tokenMode, WEB, { token: 'lk_ia_not-a-real-token' }), 401, 'invalid_token');
  });

  it('refuses an expired token with 401 invalid_token', async () => {
    const token = await iat({ expiresInSeconds: 60 });
    clock.advance(61);
    await expectRegistrationError(await register(tokenMode, WEB, { token }), 401, 'invalid_token');
  });

  it('accepts a token until its uses are spent, then refuses it with 401 invalid_token', async () => {
    const token = await iat({ maxUses: 2 });
    await expectRegistered(await register(tokenMode, WEB, { token }));
    await expectRegistered(await register(tokenMode, NATIVE, { token }));
    await expectRegistrationError(await register(tokenMode, WEB, { token }), 401, 'invalid_token');
  });

  it('does not spend a use on a registration refused for its metadata', async () => {
    const token = await iat({ maxUses: 1 });
    await expectRegistrationError(await register(tokenMode, { redirect_uris: ['ftp://x.example/cb'] }, { token }), 400, 'invalid_redirect_uri');
    await expectRegistered(await register(tokenMode, WEB, { token }));
  });

  it('never echoes the initial access token in an error', async () => {
    const token = await iat({ maxUses: 1 });
    const res = await register(tokenMode, { redirect_uris: 'nope' }, { token });
    expect(await res.text()).not.toContain(token);
  });
});

describe('open mode: policy on scopes and grant types (RFC 7591 §3.2.1: the server MAY replace requested values)', () => {
  it('narrows requested scopes to those the policy allows and answers the scope it registered', async () => {
    const body = await expectRegistered(await register(limited, { ...WEB, scope: 'openid profile email admin' }));
    expect(body['scope']).toBe('openid profile');
  });

  it('gives a client that asks for no scope the policy\'s scopes', async () => {
    const body = await expectRegistered(await register(limited, { ...NATIVE, client_name: 'No scope' }));
    expect(body['scope']).toBe('openid profile');
    expect(body['grant_types']).toEqual(['authorization_code']);
  });

  it('refuses a grant type outside the policy with invalid_client_metadata naming grant_types', async () => {
    await expectRegistrationError(await register(limited, { ...WEB, grant_types: ['client_credentials'] }), 400, 'invalid_client_metadata', 'grant_types');
  });
});

describe('rate limit per address (counted in the database)', () => {
  it('answers 429 with Retry-After once the address has used its registrations for the hour', async () => {
    // Three requests were counted by the describe block above; the limit is 3 an hour.
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 2; i++) {
      last = await register(limited, WEB);
      statuses.push(last.status);
    }
    expect(statuses).toEqual([429, 429]);
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
    await expectRegistrationError(await register(limited, WEB), 429, 'temporarily_unavailable');
  });
});
