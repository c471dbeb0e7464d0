import { calculateJwkThumbprint, exportJWK } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjectFor } from '../../../src/core/oidc/subject.ts';
import { basicAuth, codeGrant, expectJsonError, obtainCode, post, postToken, WEB_APP_BASIC } from '../../support/flow-helpers.ts';
import { startServer, type TestServer } from '../../support/server.ts';
import { UserAgent } from '../../support/user-agent.ts';
import { apiRequest, discover, JWT_API, jwtParts } from '../resources/fixtures.ts';
import { EXCHANGE_GRANT, EXCHANGER_BASIC, EXCHANGER_SECRET, exchangeConfig, exchanger, exchangerAuth, idp, insecure, LIMITED_BASIC, TT, type Idp } from './fixtures.ts';

/**
 * Refresh tokens from a token exchange (RFC 8693 §2.2.1 refresh_token OPTIONAL), and what a refresh of an exchanged
 * grant keeps: the `act` of a delegated exchange (§4.1), the DPoP binding (RFC 9449 §5). Over real HTTP with
 * oauth4webapi. `exchanger`'s policy allows refresh tokens (refreshTokens) and it has the refresh_token grant;
 * `limited`'s allows them too, but it lacks the grant; `pairwise-exchanger` sees users through pairwise subjects.
 */

const PAIRWISE_SALT = 'exchange-pairwise-salt-0123456789';
const PAIRWISE_REDIRECT = 'https://pairwise.example/cb';
const pairwiseExchanger: oauth.Client = { client_id: 'pairwise-exchanger' };

let server: TestServer;
let as: oauth.AuthorizationServer;
let trusted: Idp;
/** Access tokens of alice and bob from an authorization code flow of web-app, scope notes.read. */
let alice: string;
let bob: string;
let aliceId: string;
let bobId: string;

async function exchange(params: Record<string, string>, options: oauth.TokenEndpointRequestOptions = {}, client = exchanger): Promise<oauth.TokenEndpointResponse> {
  const res = await oauth.genericTokenEndpointRequest(as, client, exchangerAuth, EXCHANGE_GRANT, params, { ...insecure, ...options });
  return oauth.processGenericTokenEndpointResponse(as, client, res);
}

async function refresh(refreshToken: string, options: oauth.TokenEndpointRequestOptions = {}, client = exchanger): Promise<oauth.TokenEndpointResponse> {
  const res = await oauth.refreshTokenGrantRequest(as, client, exchangerAuth, refreshToken, { ...insecure, ...options });
  return oauth.processRefreshTokenResponse(as, client, res);
}

const introspect = async (token: string, authorization = EXCHANGER_BASIC): Promise<Record<string, unknown>> =>
  (await (await post(server, '/oauth2/introspect', { token }, { authorization })).json()) as Record<string, unknown>;

async function userToken(username: string): Promise<string> {
  const code = await obtainCode(new UserAgent(server.url), { scope: 'notes.read', username });
  const res = await postToken(server, codeGrant(code), { authorization: WEB_APP_BASIC });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

beforeAll(async () => {
  trusted = await idp();
  const config = exchangeConfig(trusted, { refreshTokens: true });
  config.clients = [
    ...(config.clients ?? []).map((c) => {
      if (c.id === 'exchanger') return { ...c, grantTypes: [...(c.grantTypes ?? []), 'refresh_token' as const, 'client_credentials' as const] };
      return c.id === 'limited' && c.tokenExchange ? { ...c, tokenExchange: { ...c.tokenExchange, refreshTokens: true } } : c;
    }),
    {
      id: 'pairwise-exchanger', name: 'Pairwise exchanger', secret: EXCHANGER_SECRET, redirectUris: [PAIRWISE_REDIRECT], subjectType: 'pairwise', grantTypes: [EXCHANGE_GRANT, 'refresh_token'],
      tokenExchange: { subjectTokenTypes: ['access_token', 'refresh_token'], resources: [JWT_API], impersonation: true, delegation: true, otherClientsTokens: true, refreshTokens: true },
    },
  ];
  config.oidc = { pairwiseSalt: PAIRWISE_SALT };
  server = await startServer(config);
  as = await discover(server.url);
  alice = await userToken('alice');
  bob = await userToken('bob');
  aliceId = (await introspect(alice, WEB_APP_BASIC))['sub'] as string;
  bobId = (await introspect(bob, WEB_APP_BASIC))['sub'] as string;
});

afterAll(async () => {
  await server?.close();
});

describe('token exchange: refresh tokens (RFC 8693 §2.2.1)', () => {
  it('answers with a refresh token too when the policy allows it, and the refresh token refreshes for the same user and audience (RFC 6749 §6)', async () => {
    const tokens = await exchange({ subject_token: alice, subject_token_type: TT.access, resource: JWT_API });
    expect(tokens).toMatchObject({ issued_token_type: TT.access, token_type: 'bearer', scope: 'notes.read' });
    expect(typeof tokens.refresh_token).toBe('string');
    const refreshed = await refresh(tokens.refresh_token ?? '');
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    const claims = await oauth.validateJwtAccessToken(as, apiRequest(refreshed.access_token), JWT_API, insecure);
    expect(claims).toMatchObject({ sub: aliceId, client_id: 'exchanger', aud: JWT_API, scope: 'notes.read' });
    expect(claims['act']).toBeUndefined();
  });

  it('answers requested_token_type refresh_token with an access token and a refresh token, issued_token_type refresh_token (§2.1, §2.2.1)', async () => {
    const tokens = await exchange({ subject_token: alice, subject_token_type: TT.access, resource: JWT_API, requested_token_type: TT.refresh });
    expect(tokens).toMatchObject({ issued_token_type: TT.refresh, token_type: 'bearer' });
    expect(jwtParts(tokens.access_token).payload).toMatchObject({ sub: aliceId, aud: JWT_API });
    expect(typeof (await refresh(tokens.refresh_token ?? '')).access_token).toBe('string');
  });

  it('gives a refresh token for a trusted issuer\'s JWT subject only because the policy says so (refreshTokens)', async () => {
    const tokens = await exchange({ subject_token: await trusted.sign({ sub: 'alice', scope: 'notes.read' }), subject_token_type: TT.jwt, resource: JWT_API });
    expect(typeof tokens.refresh_token).toBe('string');
  });

  it('refuses requested_token_type refresh_token with invalid_request for a client without the refresh_token grant, whatever its policy (§2.2.2)', async () => {
    await expectJsonError(await postToken(server, { grant_type: EXCHANGE_GRANT, subject_token: alice, subject_token_type: TT.access, requested_token_type: TT.refresh }, { authorization: LIMITED_BASIC }), 400, 'invalid_request');
  });

  it('gives no refresh token for a client\'s own token (no user: as client_credentials, RFC 6749 §4.4.3), and refuses to with invalid_request when asked', async () => {
    const own = await postToken(server, { grant_type: 'client_credentials', scope: 'notes.read' }, { authorization: EXCHANGER_BASIC });
    const { access_token: clientToken } = (await own.json()) as { access_token: string };
    const tokens = await exchange({ subject_token: clientToken, subject_token_type: TT.access, resource: JWT_API });
    expect(jwtParts(tokens.access_token).payload['sub']).toBe('exchanger');
    expect(tokens.refresh_token).toBeUndefined();
    await expectJsonError(await postToken(server, { grant_type: EXCHANGE_GRANT, subject_token: clientToken, subject_token_type: TT.access, requested_token_type: TT.refresh }, { authorization: EXCHANGER_BASIC }), 400, 'invalid_request');
  });

  it('refuses a refresh token of the exchange presented by another client with invalid_grant (RFC 6749 §6)', async () => {
    const tokens = await exchange({ subject_token: alice, subject_token_type: TT.access });
    await expectJsonError(await postToken(server, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token ?? '' }, { authorization: WEB_APP_BASIC }), 400, 'invalid_grant');
  });
});

describe('token exchange: a refresh keeps the delegation (RFC 8693 §4.1)', () => {
  it('a refreshed delegated JWT access token still carries the same act; it does not turn into impersonation', async () => {
    const actor = await postToken(server, { grant_type: 'client_credentials', scope: 'notes.read' }, { authorization: EXCHANGER_BASIC });
    const { access_token: actorToken } = (await actor.json()) as { access_token: string };
    const tokens = await exchange({ subject_token: alice, subject_token_type: TT.access, actor_token: actorToken, actor_token_type: TT.access, resource: JWT_API });
    expect(jwtParts(tokens.access_token).payload['act']).toEqual({ sub: 'exchanger' });
    const refreshed = await refresh(tokens.refresh_token ?? '');
    const claims = await oauth.validateJwtAccessToken(as, apiRequest(refreshed.access_token), JWT_API, insecure);
    expect(claims).toMatchObject({ sub: aliceId, act: { sub: 'exchanger' } });
    expect(await introspect(refreshed.access_token)).toMatchObject({ active: true, sub: aliceId, act: { sub: 'exchanger' } });
    // And again: the rotated refresh token keeps it too.
    const again = await refresh(refreshed.refresh_token ?? '');
    expect(jwtParts(again.access_token).payload['act']).toEqual({ sub: 'exchanger' });
  });

  it('a refreshed delegated opaque access token shows the same act in introspection, nested acts included', async () => {
    const first = await exchange({ subject_token: alice, subject_token_type: TT.access, actor_token: bob, actor_token_type: TT.access });
    const second = await exchange({ subject_token: first.access_token, subject_token_type: TT.access, actor_token: alice, actor_token_type: TT.access });
    expect((await introspect(second.access_token))['act']).toEqual({ sub: aliceId, act: { sub: bobId } });
    const refreshed = await refresh(second.refresh_token ?? '');
    expect(await introspect(refreshed.access_token)).toMatchObject({ active: true, sub: aliceId, act: { sub: aliceId, act: { sub: bobId } } });
  });
});

describe('token exchange: act.sub of a user actor for a pairwise client (RFC 8693 §4.1, RFC 9068 §2.2)', () => {
  it('names the actor as the client sees users, like sub: both pairwise, in the JWT, introspection and after a refresh', async () => {
    const client = { redirectUris: [PAIRWISE_REDIRECT], oidc: { subjectType: 'pairwise' as const } };
    const aliceSub = subjectFor(client, aliceId, PAIRWISE_SALT);
    const bobSub = subjectFor(client, bobId, PAIRWISE_SALT);
    expect(aliceSub).not.toBe(aliceId);
    const tokens = await exchange({ subject_token: alice, subject_token_type: TT.access, actor_token: bob, actor_token_type: TT.access, resource: JWT_API }, {}, pairwiseExchanger);
    expect(jwtParts(tokens.access_token).payload).toMatchObject({ sub: aliceSub, act: { sub: bobSub } });
    expect(await introspect(tokens.access_token, basicAuth('pairwise-exchanger', EXCHANGER_SECRET))).toMatchObject({ sub: aliceSub, act: { sub: bobSub } });
    const refreshed = await refresh(tokens.refresh_token ?? '', {}, pairwiseExchanger);
    expect(jwtParts(refreshed.access_token).payload).toMatchObject({ sub: aliceSub, act: { sub: bobSub } });
  });
});

describe('token exchange with DPoP (RFC 9449 §5)', () => {
  it('binds the exchanged access token to the proof key, and its refresh with a proof of the same key binds the new one', async () => {
    const keyPair = await oauth.generateKeyPair('ES256', { extractable: true });
    const DPoP = oauth.DPoP(exchanger, keyPair);
    const jkt = await calculateJwkThumbprint(await exportJWK(keyPair.publicKey), 'sha256');
    const tokens = await exchange({ subject_token: alice, subject_token_type: TT.access, resource: JWT_API }, { DPoP });
    expect(tokens.token_type).toBe('dpop');
    expect(jwtParts(tokens.access_token).payload['cnf']).toEqual({ jkt });
    const refreshed = await refresh(tokens.refresh_token ?? '', { DPoP });
    expect(refreshed.token_type).toBe('dpop');
    expect(jwtParts(refreshed.access_token).payload).toMatchObject({ sub: aliceId, cnf: { jkt } });
  });
});
