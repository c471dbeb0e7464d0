import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientConfig } from '../../../src/config/schema.ts';
import { ADMIN_API, adminConfig, adminToken } from '../../support/admin.ts';
import { startLogoutReceiver, validateLogoutToken, type LogoutReceiver } from '../../support/logout-receiver.ts';
import { parseForms, UserAgent, authorizeAsUser } from '../../support/user-agent.ts';
import { startServer, TEST_PASSWORD, TEST_SECRET, type TestServer } from '../../support/server.ts';

/**
 * Back-Channel Logout 1.0 over real HTTP: relying parties sign people in with openid-client, a session ends (logout,
 * /account, an administrator), and a receiver on 127.0.0.1 validates each logout token with jose against jwks_uri.
 * Retries are bounded by attempt counts: the test backoff is a millisecond.
 */

const REDIRECT = 'http://127.0.0.1/cb';
const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan'] as const;
let receiver: LogoutReceiver;
let server: TestServer;

type Rp = 'web-app' | 'rp-two' | 'rp-idle' | 'rp-flaky' | 'rp-refuses' | 'rp-needs-sid' | 'rp-down';
const rpClient = (id: string, receiverUrl: string): Partial<ClientConfig> & { id: string; name: string } => ({
  id,
  name: id,
  secret: TEST_SECRET,
  redirectUris: [REDIRECT],
  grantTypes: ['authorization_code', 'refresh_token'],
  backchannelLogoutUri: `${receiverUrl}/${id}`,
});

function configFor(receiverUrl: string) {
  const base = adminConfig();
  return adminConfig({
    clients: [
      ...(base.clients ?? []).filter((c) => c.id !== 'web-app'),
      ...(['web-app', 'rp-two', 'rp-idle', 'rp-flaky', 'rp-refuses', 'rp-down'] as const).map((id) => rpClient(id, receiverUrl)),
      // §2.2: this one requires sid in its logout tokens (every client gets it anyway).
      { ...rpClient('rp-needs-sid', receiverUrl), backchannelLogoutSessionRequired: true },
    ],
    users: [...(base.users ?? []).filter((u) => u.username !== 'alice'), ...USERS.map((username) => ({ username, password: TEST_PASSWORD }))],
    // Retries a millisecond apart: the tests count attempts, they do not wait for time to pass.
    backchannelLogout: { retryBaseMs: 1, retryMaxMs: 5, maxAttempts: 4 },
  });
}

beforeAll(async () => {
  receiver = await startLogoutReceiver();
  server = await startServer(configFor(receiver.url));
});

afterAll(async () => {
  await server?.close();
  await receiver?.close();
});

/** Signs `username` in to the relying party `rp` in `agent` (one SSO session per browser); returns the ID token's claims. */
async function signIn(s: TestServer, rp: Rp, username: string, agent: UserAgent): Promise<{ idToken: string; sid: string; sub: string }> {
  const config = await client.discovery(new URL(s.url), rp, TEST_SECRET, undefined, { execute: [client.allowInsecureRequests] });
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT, scope: 'openid', state,
    code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  const out = await authorizeAsUser(agent, url, { username, password: TEST_PASSWORD, decision: 'allow' });
  if (!out.location) throw new Error(`expected a redirect to ${rp}, got ${out.status}`);
  const tokens = await client.authorizationCodeGrant(config, out.location, { pkceCodeVerifier: verifier, expectedState: state });
  const idToken = tokens.id_token ?? '';
  const claims = decodeJwt(idToken);
  return { idToken, sid: String(claims['sid']), sub: String(claims.sub) };
}

/** RP-Initiated Logout with the ID token as hint: the session ends at once. */
async function logout(s: TestServer, agent: UserAgent, idToken: string): Promise<void> {
  const out = await agent.start(new URL(`/logout?id_token_hint=${encodeURIComponent(idToken)}`, s.url));
  expect(out.status).toBe(200);
}

/** The outbox rows of a session, once every one of them is finished (bounded by a wide timeout, not asserted on). */
async function finishedRows(s: TestServer, sid: string, count: number) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const rows = await s.latchkey.storage.db.selectFrom('backchannel_logouts').selectAll().where('sid', '=', sid).execute();
    if (rows.length >= count && rows.every((r) => r.finished_at_ms !== null)) return rows;
    if (Date.now() > deadline) throw new Error(`outbox rows of the session not finished: ${JSON.stringify(rows)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The audit events of `type` about the session `sid`, once there are `count` (the log is written asynchronously). */
async function auditEvents(s: TestServer, type: string, sid: string, count = 1) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const items = (await s.latchkey.deps.repos.audit.list({ type }, { limit: 100 })).items.filter((e) => e.details['sid'] === sid);
    if (items.length >= count || Date.now() > deadline) return items;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const userId = async (s: TestServer, username: string) => (await s.latchkey.deps.repos.users.findByUsername(username))?.id ?? '';

describe('Back-Channel Logout 1.0', () => {
  it('says so in both metadata documents (§4)', async () => {
    for (const doc of ['openid-configuration', 'oauth-authorization-server']) {
      const meta = (await (await fetch(`${server.url}/.well-known/${doc}`)).json()) as Record<string, unknown>;
      expect(meta).toMatchObject({ backchannel_logout_supported: true, backchannel_logout_session_supported: true });
    }
  });

  it('RP-initiated logout sends one valid logout token to each client that got tokens in the session, none to others (§2.4-2.7)', async () => {
    const agent = new UserAgent(server.url);
    const web = await signIn(server, 'web-app', 'alice', agent);
    const two = await signIn(server, 'rp-two', 'alice', agent);
    expect(two.sid).toBe(web.sid);
    await logout(server, agent, web.idToken);
    const [toWeb] = await receiver.waitFor(1, '/web-app');
    const [toTwo] = await receiver.waitFor(1, '/rp-two');
    for (const [got, rp, expected] of [[toWeb, 'web-app', web], [toTwo, 'rp-two', two]] as const) {
      // §2.5: a form POST with the token as logout_token.
      expect(got?.contentType).toBe('application/x-www-form-urlencoded');
      const claims = await validateLogoutToken(got?.token ?? '', server.url, rp);
      expect({ sid: claims.sid, sub: claims.sub }).toEqual({ sid: expected.sid, sub: expected.sub });
    }
    const rows = await finishedRows(server, web.sid, 2);
    expect(rows.map((r) => [r.client_id, r.outcome]).sort()).toEqual([['rp-two', 'delivered'], ['web-app', 'delivered']]);
    expect(receiver.received.filter((r) => r.path === '/rp-idle')).toEqual([]);
    // Each token is its own (jti), so an RP can refuse a replay.
    expect(new Set([toWeb, toTwo].map((r) => decodeJwt(r?.token ?? '').jti)).size).toBe(2);
    const delivered = await auditEvents(server, 'backchannel_logout.delivered', web.sid, 2);
    expect(delivered.map((e) => e.clientId).sort()).toEqual(['rp-two', 'web-app']);
  });

  it('a client registered with backchannel_logout_session_required (config file) gets sid (§2.2, §2.4)', async () => {
    expect((await server.latchkey.deps.repos.clients.findById('rp-needs-sid'))?.oidc?.backchannelLogoutSessionRequired).toBe(true);
    const agent = new UserAgent(server.url);
    const { idToken, sid } = await signIn(server, 'rp-needs-sid', 'alice', agent);
    await logout(server, agent, idToken);
    const [got] = await receiver.waitFor(1, '/rp-needs-sid');
    expect((await validateLogoutToken(got?.token ?? '', server.url, 'rp-needs-sid')).sid).toBe(sid);
  });

  it('/account "sign out everywhere" sends a logout for every session of the person', async () => {
    const first = await signIn(server, 'web-app', 'bob', new UserAgent(server.url));
    const agent = new UserAgent(server.url);
    const second = await signIn(server, 'web-app', 'bob', agent);
    const account = await agent.start(new URL('/account', server.url));
    const form = parseForms(account.html ?? '').find((f) => f.action.endsWith('/account/sign-out-everywhere'));
    expect(form).toBeDefined();
    const res = await agent.request(new URL('/account/sign-out-everywhere', server.url), { method: 'POST', body: new URLSearchParams(form?.fields ?? {}) });
    expect(res.status).toBe(200);
    const rows = [...(await finishedRows(server, first.sid, 1)), ...(await finishedRows(server, second.sid, 1))];
    expect(rows.map((r) => r.outcome)).toEqual(['delivered', 'delivered']);
    const sids = await Promise.all(receiver.received.filter((r) => r.path === '/web-app').map(async (r) => (await validateLogoutToken(r.token, server.url, 'web-app')).sid));
    expect(sids).toEqual(expect.arrayContaining([first.sid, second.sid]));
  });

  it('an administrator ending a user\'s sessions (admin API) sends their logouts', async () => {
    const { sid } = await signIn(server, 'rp-two', 'carol', new UserAgent(server.url));
    const res = await fetch(`${server.url}${ADMIN_API}/users/${await userId(server, 'carol')}/sessions`, { method: 'DELETE', headers: { authorization: `Bearer ${await adminToken(server)}` } });
    expect(res.status).toBeLessThan(300);
    expect((await finishedRows(server, sid, 1)).map((r) => [r.client_id, r.outcome])).toEqual([['rp-two', 'delivered']]);
    const tokens = await Promise.all(receiver.received.filter((r) => r.path === '/rp-two').map((r) => validateLogoutToken(r.token, server.url, 'rp-two')));
    expect(tokens.map((t) => t.sid)).toContain(sid);
  });

  it('disabling a user sends the logouts of their sessions', async () => {
    const { sid } = await signIn(server, 'web-app', 'dave', new UserAgent(server.url));
    const res = await fetch(`${server.url}${ADMIN_API}/users/${await userId(server, 'dave')}/disable`, { method: 'POST', headers: { authorization: `Bearer ${await adminToken(server)}` } });
    expect(res.status).toBe(200);
    expect((await finishedRows(server, sid, 1)).map((r) => r.outcome)).toEqual(['delivered']);
  });

  it('deleting a user sends the logouts of their sessions', async () => {
    const { sid, sub } = await signIn(server, 'rp-two', 'ivan', new UserAgent(server.url));
    const res = await fetch(`${server.url}${ADMIN_API}/users/${await userId(server, 'ivan')}`, { method: 'DELETE', headers: { authorization: `Bearer ${await adminToken(server)}` } });
    expect(res.status).toBe(204);
    expect((await finishedRows(server, sid, 1)).map((r) => [r.client_id, r.outcome])).toEqual([['rp-two', 'delivered']]);
    const got = receiver.received.filter((r) => r.path === '/rp-two' && decodeJwt(r.token)['sid'] === sid);
    expect((await validateLogoutToken(got[0]?.token ?? '', server.url, 'rp-two')).sub).toBe(sub);
  });

  it('retries a receiver that answers 500 twice, and delivers on the third attempt (§2.8, with backoff)', async () => {
    receiver.script('/rp-flaky', [500, 500]);
    const agent = new UserAgent(server.url);
    const { idToken, sid } = await signIn(server, 'rp-flaky', 'erin', agent);
    await logout(server, agent, idToken);
    const got = await receiver.waitFor(3, '/rp-flaky');
    expect(got.map((r) => r.status)).toEqual([500, 500, 200]);
    for (const r of got) expect((await validateLogoutToken(r.token, server.url, 'rp-flaky')).sid).toBe(sid);
    const [row] = await finishedRows(server, sid, 1);
    expect({ outcome: row?.outcome, attempts: Number(row?.attempts) }).toEqual({ outcome: 'delivered', attempts: 3 });
    const [event] = await auditEvents(server, 'backchannel_logout.delivered', sid);
    expect(event?.details).toMatchObject({ attempts: 3, status: 200 });
  });

  it('gives up after backchannelLogout.maxAttempts answers of 503, and the audit log says so', async () => {
    receiver.script('/rp-down', [503, 503, 503, 503, 503]);
    const agent = new UserAgent(server.url);
    const { idToken, sid } = await signIn(server, 'rp-down', 'heidi', agent);
    await logout(server, agent, idToken);
    const [row] = await finishedRows(server, sid, 1);
    expect({ outcome: row?.outcome, attempts: Number(row?.attempts) }).toEqual({ outcome: 'failed', attempts: 4 });
    expect(receiver.received.filter((r) => r.path === '/rp-down').map((r) => r.status)).toEqual([503, 503, 503, 503]);
    const [event] = await auditEvents(server, 'backchannel_logout.failed', sid);
    expect(event).toMatchObject({ clientId: 'rp-down', details: { reason: 'attempts_exhausted', status: 503, attempts: 4 } });
  });

  it('does not retry a receiver that answers 400 (§2.8: the RP refused the token), and the audit log says so', async () => {
    receiver.script('/rp-refuses', [400]);
    const agent = new UserAgent(server.url);
    const { idToken, sid } = await signIn(server, 'rp-refuses', 'frank', agent);
    await logout(server, agent, idToken);
    const [row] = await finishedRows(server, sid, 1);
    expect({ outcome: row?.outcome, attempts: Number(row?.attempts) }).toEqual({ outcome: 'failed', attempts: 1 });
    expect(receiver.received.filter((r) => r.path === '/rp-refuses').map((r) => r.status)).toEqual([400]);
    const [event] = await auditEvents(server, 'backchannel_logout.failed', sid);
    expect(event).toMatchObject({ clientId: 'rp-refuses', details: { reason: 'refused', status: 400, attempts: 1 } });
    // No token in the audit log.
    const token = receiver.received.find((r) => r.path === '/rp-refuses')?.token ?? 'none';
    expect(JSON.stringify(event)).not.toContain(token.split('.')[2]);
  });
});

describe('Back-Channel Logout 1.0 across a restart', () => {
  it('a logout queued by a server that stopped before delivering it is delivered by the next one on the same database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-bcl-'));
    const database = join(dir, 'latchkey.db');
    const first = await startServer({ ...configFor(receiver.url), database });
    let second: TestServer | undefined;
    try {
      const agent = new UserAgent(first.url);
      const { idToken, sid } = await signIn(first, 'rp-two', 'grace', agent);
      // The "crash": the delivery loop is gone before the logout is queued, so only the outbox row remains.
      await first.latchkey.backchannel.stop();
      await logout(first, agent, idToken);
      await first.close();
      expect(receiver.received.filter((r) => r.path === '/rp-two' && decodeJwt(r.token)['sid'] === sid)).toEqual([]);
      second = await startServer({ ...configFor(receiver.url), database });
      const [row] = await finishedRows(second, sid, 1);
      expect(row?.outcome).toBe('delivered');
      const got = receiver.received.filter((r) => r.path === '/rp-two' && decodeJwt(r.token)['sid'] === sid);
      expect(got.length).toBe(1);
      // The token of the new server validates against its issuer's keys (the same keys: same database).
      await validateLogoutToken(got[0]?.token ?? '', second.url, 'rp-two');
    } finally {
      await second?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
