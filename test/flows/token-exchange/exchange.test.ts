import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeGrant, expectJsonError, obtainCode, post, postToken, WEB_APP_BASIC } from '../../support/flow-helpers.ts';
import { startServer, type TestServer } from '../../support/server.ts';
import { UserAgent } from '../../support/user-agent.ts';
import { apiRequest, discover, JWT_API, jwtParts, OPAQUE_API } from '../resources/fixtures.ts';
import { EXCHANGE_GRANT, EXCHANGER_BASIC, exchangeConfig, exchanger, exchangerAuth, IDP, idp, insecure, LIMITED_BASIC, STRANGER_BASIC, TT, UNTRUSTED, type Idp } from './fixtures.ts';

/** OAuth 2.0 Token Exchange (RFC 8693) over real HTTP, with oauth4webapi's generic grant request. */

let server: TestServer;
let as: oauth.AuthorizationServer;
let trusted: Idp;
/** alice's tokens from an authorization code flow of web-app: scope openid notes.read, no audience. */
let alice: { access_token: string; refresh_token: string; id_token: string };
let aliceId: string;

async function exchange(params: Record<string, string>): Promise<oauth.TokenEndpointResponse> {
  const res = await oauth.genericTokenEndpointRequest(as, exchanger, exchangerAuth, EXCHANGE_GRANT, params, insecure);
  return oauth.processGenericTokenEndpointResponse(as, exchanger, res);
}

const exchangeRaw = (params: Record<string, string>, authorization = EXCHANGER_BASIC) => postToken(server, { grant_type: EXCHANGE_GRANT, ...params }, { authorization });

async function clientCredentials(authorization: string): Promise<string> {
  const res = await postToken(server, { grant_type: 'client_credentials', scope: 'notes.read' }, { authorization });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

beforeAll(async () => {
  trusted = await idp();
  const config = exchangeConfig(trusted);
  // exchanger also gets client_credentials, for an actor token of its own.
  config.clients = (config.clients ?? []).map((c) => (c.id === 'exchanger' ? { ...c, grantTypes: [...(c.grantTypes ?? []), 'client_credentials'] } : c));
  server = await startServer(config);
  as = await discover(server.url);
  const code = await obtainCode(new UserAgent(server.url), { scope: 'openid notes.read' });
  const res = await postToken(server, codeGrant(code), { authorization: WEB_APP_BASIC });
  expect(res.status).toBe(200);
  alice = (await res.json()) as typeof alice;
  aliceId = jwtParts(alice.id_token).payload['sub'] as string;
});

afterAll(async () => {
  await server?.close();
});

describe('token exchange (RFC 8693 §2)', () => {
  it('impersonation: trades alice\'s access token for a JWT access token for a resource, no act claim (§2.1, §2.2.1)', async () => {
    const tokens = await exchange({ subject_token: alice.access_token, subject_token_type: TT.access, resource: JWT_API });
    expect(tokens).toMatchObject({ issued_token_type: TT.access, token_type: 'bearer', scope: 'notes.read' });
    expect(tokens.refresh_token).toBeUndefined();
    expect(typeof tokens.expires_in).toBe('number');
    const claims = await oauth.validateJwtAccessToken(as, apiRequest(tokens.access_token), JWT_API, insecure);
    expect(claims).toMatchObject({ sub: aliceId, client_id: 'exchanger', aud: JWT_API, scope: 'notes.read' });
    expect(claims['act']).toBeUndefined();
  });

  it('names the target with audience as well as resource (§2.1)', async () => {
    const tokens = await exchange({ subject_token: alice.access_token, subject_token_type: TT.access, audience: JWT_API });
    expect(jwtParts(tokens.access_token).payload['aud']).toBe(JWT_API);
  });

  it('delegation: an actor token puts the actor in the act claim, nested when the subject was already delegated (§4.1)', async () => {
    const actor = await clientCredentials(EXCHANGER_BASIC);
    const first = await exchange({ subject_token: alice.access_token, subject_token_type: TT.access, actor_token: actor, actor_token_type: TT.access, resource: JWT_API });
    const claims = await oauth.validateJwtAccessToken(as, apiRequest(first.access_token), JWT_API, insecure);
    expect(claims).toMatchObject({ sub: aliceId, act: { sub: 'exchanger' } });
    const second = await exchange({ subject_token: first.access_token, subject_token_type: TT.access, actor_token: await clientCredentials(WEB_APP_BASIC), actor_token_type: TT.access, resource: JWT_API });
    expect(jwtParts(second.access_token).payload).toMatchObject({ sub: aliceId, act: { sub: 'web-app', act: { sub: 'exchanger' } } });
  });

  it('introspection shows the act claim of a delegated token, opaque or JWT, and an opaque one nests on a second exchange (§4.1)', async () => {
    const actor = await clientCredentials(EXCHANGER_BASIC);
    const opaque = await exchange({ subject_token: alice.access_token, subject_token_type: TT.access, actor_token: actor, actor_token_type: TT.access });
    const seen = (await (await post(server, '/oauth2/introspect', { token: opaque.access_token }, { authorization: EXCHANGER_BASIC })).json()) as Record<string, unknown>;
    expect(seen).toMatchObject({ active: true, sub: aliceId, client_id: 'exchanger', act: { sub: 'exchanger' } });
    const again = await exchange({ subject_token: opaque.access_token, subject_token_type: TT.access, actor_token: await clientCredentials(WEB_APP_BASIC), actor_token_type: TT.access, resource: JWT_API });
    expect(jwtParts(again.access_token).payload['act']).toEqual({ sub: 'web-app', act: { sub: 'exchanger' } });
    const jwtSeen = (await (await post(server, '/oauth2/introspect', { token: again.access_token }, { authorization: EXCHANGER_BASIC })).json()) as Record<string, unknown>;
    expect(jwtSeen['act']).toEqual({ sub: 'web-app', act: { sub: 'exchanger' } });
  });

  it('takes alice\'s ID token as the subject token (§3 id_token)', async () => {
    const tokens = await exchange({ subject_token: alice.id_token, subject_token_type: TT.id, resource: JWT_API, scope: 'notes.read' });
    expect(jwtParts(tokens.access_token).payload).toMatchObject({ sub: aliceId, scope: 'notes.read' });
  });

  it('takes a JWT of a trusted issuer, mapping its sub to the Latchkey user (§3 jwt)', async () => {
    const jwt = await trusted.sign({ sub: 'alice', scope: 'notes.read notes.write' });
    const tokens = await exchange({ subject_token: jwt, subject_token_type: TT.jwt, resource: JWT_API, scope: 'notes.write' });
    expect(jwtParts(tokens.access_token).payload).toMatchObject({ sub: aliceId, scope: 'notes.write' });
  });

  it('refuses a client without a policy with unauthorized_client (§2.2.2; deny by default)', async () => {
    await expectJsonError(await exchangeRaw({ subject_token: alice.access_token, subject_token_type: TT.access }, STRANGER_BASIC), 400, 'unauthorized_client');
  });

  it('refuses what the client\'s policy does not allow with unauthorized_client: a subject token type, delegation, other clients\' tokens (§2.2.2)', async () => {
    const jwt = await trusted.sign({ sub: 'alice' });
    await expectJsonError(await exchangeRaw({ subject_token: jwt, subject_token_type: TT.jwt }, LIMITED_BASIC), 400, 'unauthorized_client');
    await expectJsonError(await exchangeRaw({ subject_token: alice.access_token, subject_token_type: TT.access, actor_token: jwt, actor_token_type: TT.jwt }, LIMITED_BASIC), 400, 'unauthorized_client');
    // alice's access token was issued to web-app, and `limited` may exchange its own tokens only.
    await expectJsonError(await exchangeRaw({ subject_token: alice.access_token, subject_token_type: TT.access }, LIMITED_BASIC), 400, 'unauthorized_client');
  });

  it('refuses another client\'s refresh token with unauthorized_client (a refresh token is its client\'s credential)', async () => {
    await expectJsonError(await exchangeRaw({ subject_token: alice.refresh_token, subject_token_type: TT.refresh }), 400, 'unauthorized_client');
  });

  it('refuses a revoked subject token with invalid_grant (§2.2.2)', async () => {
    const code = await obtainCode(new UserAgent(server.url), { scope: 'notes.read' });
    const { access_token } = (await (await postToken(server, codeGrant(code), { authorization: WEB_APP_BASIC })).json()) as { access_token: string };
    expect((await post(server, '/oauth2/revoke', { token: access_token }, { authorization: WEB_APP_BASIC })).status).toBe(200);
    await expectJsonError(await exchangeRaw({ subject_token: access_token, subject_token_type: TT.access }), 400, 'invalid_grant');
  });

  it('refuses an expired trusted JWT, an untrusted issuer\'s, and one signed with a key the issuer does not publish, with invalid_grant', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const jwt of [await trusted.sign({ sub: 'alice', iat: now - 7200, exp: now - 3600 }), await trusted.sign({ sub: 'alice', iss: UNTRUSTED }), await trusted.sign({ sub: 'alice' }, { untrustedKey: true })]) {
      await expectJsonError(await exchangeRaw({ subject_token: jwt, subject_token_type: TT.jwt }), 400, 'invalid_grant');
    }
    expect(IDP).not.toBe(UNTRUSTED);
  });

  it('refuses a wider scope than the subject token had with invalid_scope (§2.1 scope)', async () => {
    await expectJsonError(await exchangeRaw({ subject_token: alice.access_token, subject_token_type: TT.access, resource: JWT_API, scope: 'notes.read notes.write' }), 400, 'invalid_scope');
  });

  it('refuses an unknown audience and one the policy does not list with invalid_target (§2.2.2)', async () => {
    await expectJsonError(await exchangeRaw({ subject_token: alice.access_token, subject_token_type: TT.access, audience: 'https://unknown.example/' }), 400, 'invalid_target');
    await expectJsonError(await exchangeRaw({ subject_token: alice.access_token, subject_token_type: TT.access, resource: OPAQUE_API }), 400, 'invalid_target');
  });

  it('refuses requested_token_type refresh_token with invalid_request when the policy does not allow refresh tokens (§2.1, §2.2.2)', async () => {
    await expectJsonError(await exchangeRaw({ subject_token: alice.access_token, subject_token_type: TT.access, requested_token_type: TT.refresh }), 400, 'invalid_request');
    const jwt = await exchange({ subject_token: await trusted.sign({ sub: 'alice' }), subject_token_type: TT.jwt });
    expect(jwt.refresh_token).toBeUndefined();
  });

  it('refuses an actor_token without actor_token_type and an unknown subject_token_type with invalid_request (§2.1)', async () => {
    await expectJsonError(await exchangeRaw({ subject_token: alice.access_token, subject_token_type: TT.access, actor_token: alice.access_token }), 400, 'invalid_request');
    await expectJsonError(await exchangeRaw({ subject_token: alice.access_token, subject_token_type: 'urn:example:nope' }), 400, 'invalid_request');
  });

  it('advertises the grant in both metadata documents (RFC 8414 §2 grant_types_supported)', async () => {
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      const doc = (await (await fetch(new URL(path, server.url))).json()) as { grant_types_supported: string[] };
      expect(doc.grant_types_supported).toEqual(expect.arrayContaining([EXCHANGE_GRANT, 'urn:ietf:params:oauth:grant-type:jwt-bearer']));
    }
  });
});
