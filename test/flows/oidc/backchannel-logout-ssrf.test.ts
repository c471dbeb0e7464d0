import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLogoutReceiver, type LogoutReceiver } from '../../support/logout-receiver.ts';
import { UserAgent, authorizeAsUser } from '../../support/user-agent.ts';
import { startServer, testConfig, TEST_PASSWORD, TEST_SECRET, type TestServer } from '../../support/server.ts';

/**
 * A back-channel logout URI chosen by a client that registered itself (RFC 7591) is a server-side request forgery
 * surface (RFC 9700 §4.x; OWASP SSRF Prevention Cheat Sheet): the POST goes through the SSRF-guarded fetch, which
 * refuses loopback and private addresses. Operator-made clients keep plain delivery (they may use internal hosts).
 * The receiver listens on 127.0.0.1 and the development switch (clientMetadataDocuments.allowLoopbackHttp) is off,
 * so 127.0.0.1 stands for any private address.
 */

const REDIRECT = 'http://127.0.0.1/cb';
let receiver: LogoutReceiver;
let server: TestServer;

beforeAll(async () => {
  receiver = await startLogoutReceiver();
  const rp = (id: string) => ({ id, name: id, secret: TEST_SECRET, redirectUris: [REDIRECT], grantTypes: ['authorization_code' as const], backchannelLogoutUri: `${receiver.url}/${id}` });
  server = await startServer({
    clients: [...(testConfig().clients ?? []), rp('rp-operator'), rp('rp-dynamic')],
    backchannelLogout: { retryBaseMs: 1, retryMaxMs: 5, maxAttempts: 2 },
  });
  // As if it had registered itself: the URI is the client's choice, not the operator's.
  await server.latchkey.storage.repos.clients.update('rp-dynamic', { origin: 'dynamic' }, Math.floor(Date.now() / 1000));
});

afterAll(async () => {
  await server?.close();
  await receiver?.close();
});

async function signIn(rp: string, agent: UserAgent): Promise<{ idToken: string; sid: string }> {
  const config = await client.discovery(new URL(server.url), rp, TEST_SECRET, undefined, { execute: [client.allowInsecureRequests] });
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid', state, code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
  const out = await authorizeAsUser(agent, url, { username: 'alice', password: TEST_PASSWORD, decision: 'allow' });
  if (!out.location) throw new Error(`expected a redirect to ${rp}, got ${out.status}`);
  const tokens = await client.authorizationCodeGrant(config, out.location, { pkceCodeVerifier: verifier, expectedState: state });
  const idToken = tokens.id_token ?? '';
  return { idToken, sid: String(decodeJwt(idToken)['sid']) };
}

async function failedEvents(sid: string) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const items = (await server.latchkey.deps.repos.audit.list({ type: 'backchannel_logout.failed' }, { limit: 100 })).items.filter((e) => e.details['sid'] === sid);
    if (items.length > 0 || Date.now() > deadline) return items;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('back-channel logout URIs chosen by clients go through the SSRF guard', () => {
  it('sends no POST to a dynamically registered client whose back-channel URI is a private address, and audits why; operator clients still get theirs', async () => {
    const agent = new UserAgent(server.url);
    const operator = await signIn('rp-operator', agent);
    const dynamic = await signIn('rp-dynamic', agent);
    expect(dynamic.sid).toBe(operator.sid);
    expect((await agent.start(new URL(`/logout?id_token_hint=${encodeURIComponent(operator.idToken)}`, server.url))).status).toBe(200);
    // The operator's client is told (the work that bounds this test), and the guard's refusal is audited.
    await receiver.waitFor(1, '/rp-operator');
    const [event] = await failedEvents(dynamic.sid);
    expect({ clientId: event?.clientId, reason: event?.details['reason'], refusal: event?.details['refusal'] }).toEqual({ clientId: 'rp-dynamic', reason: 'unsafe_uri', refusal: 'scheme' });
    expect(receiver.received.filter((r) => r.path === '/rp-dynamic')).toEqual([]);
  });
});
