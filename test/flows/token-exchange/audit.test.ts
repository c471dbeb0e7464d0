import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEventView, pageOf } from '../../../src/admin/schemas.ts';
import { ADMIN_CLI, AdminApi, adminConfig, adminToken } from '../../support/admin.ts';
import { codeGrant, expectJsonError, obtainCode, postToken, WEB_APP_BASIC } from '../../support/flow-helpers.ts';
import { startServer, type TestServer } from '../../support/server.ts';
import { UserAgent } from '../../support/user-agent.ts';
import { JWT_API, OPAQUE_API } from '../resources/fixtures.ts';
import { EXCHANGE_GRANT, EXCHANGER_BASIC, exchangeConfig, IDP, idp, JWT_BEARER, LIMITED_BASIC, STRANGER_BASIC, TT, type Idp } from './fixtures.ts';

/**
 * The audit log of token exchange (RFC 8693) and the JWT bearer grant (RFC 7523), read through the admin API: who
 * obtained what for whom, and the refusals of policy (§2.2.2 unauthorized_client, invalid_target, invalid_scope);
 * never a token, an assertion, or a JWT's claims beyond its issuer.
 */

const auditPage = pageOf(auditEventView);
let server: TestServer;
let api: AdminApi;
let trusted: Idp;
let alice: string;
let aliceId: string;
/** Every token and assertion the tests send or receive: none may appear in the audit log. */
const secrets: string[] = [];

const exchangeRaw = (params: Record<string, string>, authorization = EXCHANGER_BASIC) => postToken(server, { grant_type: EXCHANGE_GRANT, ...params }, { authorization });

async function events(type: string) {
  const res = await api.get(`/audit-events?type=${type}&limit=100`);
  expect(res.status, res.text).toBe(200);
  return auditPage.parse(res.body).items;
}

async function ok(res: Response): Promise<{ access_token: string; refresh_token?: string }> {
  expect(res.status).toBe(200);
  const body = (await res.json()) as { access_token: string; refresh_token?: string };
  secrets.push(body.access_token, ...(body.refresh_token ? [body.refresh_token] : []));
  return body;
}

beforeAll(async () => {
  trusted = await idp();
  const exchange = exchangeConfig(trusted, { refreshTokens: true });
  const admin = adminConfig();
  server = await startServer({
    ...exchange,
    clients: [
      ...(exchange.clients ?? []).map((c) => (c.id === 'exchanger' ? { ...c, grantTypes: [...(c.grantTypes ?? []), 'refresh_token' as const, 'client_credentials' as const] } : c)),
      ...(admin.clients ?? []).filter((c) => c.id === ADMIN_CLI),
    ],
    users: [...(exchange.users ?? []), ...(admin.users ?? []).filter((u) => u.username === 'root')],
  });
  api = new AdminApi(server, await adminToken(server));
  const code = await obtainCode(new UserAgent(server.url), { scope: 'notes.read' });
  alice = (await ok(await postToken(server, codeGrant(code), { authorization: WEB_APP_BASIC }))).access_token;
  aliceId = ((await api.get('/users?q=alice')).body as { items: { id: string }[] }).items[0]?.id ?? '';
});

afterAll(async () => {
  await server?.close();
});

describe('audit log: token exchange and JWT bearer', () => {
  it('records token.exchanged for an impersonation: grant, subject token type, audience, scope, mode', async () => {
    await ok(await exchangeRaw({ subject_token: alice, subject_token_type: TT.access, resource: JWT_API }));
    const [e] = await events('token.exchanged');
    expect(e).toMatchObject({ actorClientId: 'exchanger', clientId: 'exchanger', userId: aliceId, ip: '127.0.0.1' });
    expect(e?.details).toMatchObject({ mode: 'impersonation', subjectTokenType: 'access_token', audience: JWT_API, scope: ['notes.read'], refreshToken: true });
    expect(typeof e?.details['grantId']).toBe('string');
    expect(e?.details['actor']).toBeUndefined();
  });

  it('records token.exchanged for a delegation with the actor token type and the actor', async () => {
    const actor = await ok(await postToken(server, { grant_type: 'client_credentials', scope: 'notes.read' }, { authorization: EXCHANGER_BASIC }));
    await ok(await exchangeRaw({ subject_token: alice, subject_token_type: TT.access, actor_token: actor.access_token, actor_token_type: TT.access }));
    const delegated = (await events('token.exchanged')).find((e) => e.details['mode'] === 'delegation');
    expect(delegated).toMatchObject({ userId: aliceId, details: { subjectTokenType: 'access_token', actorTokenType: 'access_token', actor: 'exchanger', audience: null } });
  });

  it('records jwt_bearer.accepted with the issuer, the user, the grant and the scope (RFC 7523 §2.1)', async () => {
    const assertion = await trusted.sign({ sub: 'alice', aud: server.url, scope: 'notes.read' });
    secrets.push(assertion);
    await ok(await postToken(server, { grant_type: JWT_BEARER, assertion, scope: 'notes.read' }, { authorization: EXCHANGER_BASIC }));
    const [e] = await events('jwt_bearer.accepted');
    expect(e).toMatchObject({ actorClientId: 'exchanger', clientId: 'exchanger', userId: aliceId, ip: '127.0.0.1', details: { issuer: IDP, scope: ['notes.read'] } });
    expect(typeof e?.details['grantId']).toBe('string');
  });

  it('records token_exchange.refused with the reason for refusals of policy: unauthorized_client, invalid_target, invalid_scope (§2.2.2)', async () => {
    const jwt = await trusted.sign({ sub: 'alice' });
    secrets.push(jwt);
    await expectJsonError(await exchangeRaw({ subject_token: alice, subject_token_type: TT.access }, STRANGER_BASIC), 400, 'unauthorized_client');
    await expectJsonError(await exchangeRaw({ subject_token: jwt, subject_token_type: TT.jwt }, LIMITED_BASIC), 400, 'unauthorized_client');
    await expectJsonError(await exchangeRaw({ subject_token: alice, subject_token_type: TT.access, resource: OPAQUE_API }), 400, 'invalid_target');
    await expectJsonError(await exchangeRaw({ subject_token: alice, subject_token_type: TT.access, scope: 'notes.read notes.write' }), 400, 'invalid_scope');
    const refused = await events('token_exchange.refused');
    const of = (client: string, reason: string) => refused.filter((e) => e.clientId === client && e.details['reason'] === reason);
    expect(of('stranger', 'unauthorized_client')[0]).toMatchObject({ actorClientId: 'stranger', ip: '127.0.0.1', details: { subjectTokenType: 'access_token', mode: 'impersonation' } });
    // A trusted issuer's JWT: its issuer is named, none of its other claims.
    expect(of('limited', 'unauthorized_client')[0]?.details).toMatchObject({ subjectTokenType: 'jwt', issuer: IDP });
    expect(of('exchanger', 'invalid_target')).toHaveLength(1);
    expect(of('exchanger', 'invalid_scope')).toHaveLength(1);
  });

  it('does not record a bad token as a policy refusal (invalid_grant is the token\'s fault, not the client\'s)', async () => {
    const before = (await events('token_exchange.refused')).length;
    await expectJsonError(await exchangeRaw({ subject_token: 'not-a-token', subject_token_type: TT.access }), 400, 'invalid_grant');
    expect(await events('token_exchange.refused')).toHaveLength(before);
  });

  it('never holds a token or an assertion, nor a trusted JWT\'s subject, in any of these events', async () => {
    const texts: string[] = [];
    for (const type of ['token.exchanged', 'jwt_bearer.accepted', 'token_exchange.refused']) {
      const res = await api.get(`/audit-events?type=${type}&limit=100`);
      expect(auditPage.parse(res.body).items.length, type).toBeGreaterThan(0);
      texts.push(res.text);
    }
    expect(secrets.length).toBeGreaterThanOrEqual(8);
    for (const secret of secrets) for (const text of texts) expect(text).not.toContain(secret);
    for (const text of texts) expect(text).not.toContain('"sub"');
  });
});
