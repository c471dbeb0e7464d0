import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/clock.ts';
import { startServer, type TestServer } from '../../support/server.ts';
import { UserAgent } from '../../support/user-agent.ts';
import { deviceConfig, discover, openDevicePage, poll, startDevice } from './helpers.ts';

/**
 * The verification page (RFC 8628 §3.3) as a person and as an attacker meet it: wrong codes are rate-limited per
 * address and over all addresses (§5.1: the code's entropy is small), bounded by counts of answered requests and a
 * fake clock that does not move (no timing); forms need their CSRF token; nothing is decided without a sign-in.
 */

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Types `code` on the page `n` times and returns the statuses. */
async function typeCodes(agent: UserAgent, codes: readonly string[]): Promise<number[]> {
  const statuses: number[] = [];
  for (const code of codes) {
    const page = await openDevicePage(agent, '/device');
    statuses.push((await agent.submit(page, { user_code: code })).status);
  }
  return statuses;
}

describe('device verification page', () => {
  it('refuses wrong user codes from one address with 429 after the free failures, even the right one, then lets it through once the lock ends (§5.1)', async () => {
    const clock = new FakeClock(Math.floor(Date.now() / 1000));
    server = await startServer(deviceConfig({ deviceFlow: { freeFailuresPerAddress: 3, freeFailures: 1000 } }), { clock });
    const as = await discover(server.url);
    const d = await startDevice(as);
    const agent = new UserAgent(server.url);
    expect(await typeCodes(agent, ['BBBB-BBBB', 'BBBB-BBBC', 'BBBB-BBBD'])).toEqual([400, 400, 400]);
    // The fourth guess is refused before any lookup, and so is the right code while the lock holds.
    expect(await typeCodes(agent, ['BBBB-BBBF', d.user_code])).toEqual([429, 429]);
    clock.advance(2 ** 3);
    expect(await typeCodes(agent, [d.user_code])).toEqual([200]);
  });

  it('counts wrong codes over all addresses too: past the global free failures every guess waits (§5.1)', async () => {
    const clock = new FakeClock(Math.floor(Date.now() / 1000));
    server = await startServer(deviceConfig({ deviceFlow: { freeFailuresPerAddress: 1000, freeFailures: 2 } }), { clock });
    const agent = new UserAgent(server.url);
    const statuses = await typeCodes(agent, ['BBBB-BBBB', 'BBBB-BBBC', 'BBBB-BBBD']);
    expect(statuses).toEqual([400, 400, 429]);
    const rows = await server.latchkey.storage.db.selectFrom('login_throttle').select('key').where('key', 'like', 'device:%').execute();
    expect(rows.map((r) => r.key).sort()).toEqual(['device:all', 'device:ip:127.0.0.1']);
  });

  it('does not count a right code as a guess, nor a string that cannot be a code', async () => {
    const clock = new FakeClock(Math.floor(Date.now() / 1000));
    server = await startServer(deviceConfig({ deviceFlow: { freeFailuresPerAddress: 2, freeFailures: 1000 } }), { clock });
    const as = await discover(server.url);
    const agent = new UserAgent(server.url);
    const codes = [(await startDevice(as)).user_code, (await startDevice(as)).user_code, (await startDevice(as)).user_code];
    expect(await typeCodes(agent, [...codes, 'not a code', 'AAAA-AAAA', 'BBBB-BBBB'])).toEqual([200, 200, 200, 400, 400, 400]);
  });

  it('refuses a decision without the form\'s CSRF token with 403, and the device stays pending', async () => {
    server = await startServer(deviceConfig());
    const as = await discover(server.url);
    const d = await startDevice(as);
    const agent = new UserAgent(server.url);
    await openDevicePage(agent, '/device');
    const forged = await agent.request('/device/decision', {
      method: 'POST',
      body: new URLSearchParams({ user_code: d.user_code, decision: 'allow', csrf: 'forged' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(forged.status).toBe(403);
    expect(await poll(as, d.device_code)).toEqual({ error: 'authorization_pending', status: 400 });
  });

  it('decides nothing for a browser that is not signed in: the decision answers 401', async () => {
    server = await startServer(deviceConfig());
    const as = await discover(server.url);
    const d = await startDevice(as);
    const agent = new UserAgent(server.url);
    const res = await agent.request('/device/decision', {
      method: 'POST',
      body: new URLSearchParams({ user_code: d.user_code, decision: 'allow', csrf: 'x' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(401);
    expect(await poll(as, d.device_code)).toEqual({ error: 'authorization_pending', status: 400 });
  });

  it('shows a used code as used, not as a new request', async () => {
    server = await startServer(deviceConfig());
    const as = await discover(server.url);
    const d = await startDevice(as);
    const agent = new UserAgent(server.url);
    let page = await openDevicePage(agent, '/device');
    await agent.consent(await agent.submit(page, { user_code: d.user_code }), 'allow');
    page = await openDevicePage(agent, '/device');
    const again = await agent.submit(page, { user_code: d.user_code });
    expect(again.status).toBe(400);
    expect(again.html).toContain('Code already used');
  });

  it('never puts the device code in the page, and asks again for a client the person already consented to (§5.4)', async () => {
    server = await startServer(deviceConfig());
    const as = await discover(server.url);
    const agent = new UserAgent(server.url);
    for (let i = 0; i < 2; i++) {
      const d = await startDevice(as);
      const page = await agent.submit(await openDevicePage(agent, '/device'), { user_code: d.user_code });
      expect(page.page).toBe('consent');
      expect(page.html).not.toContain(d.device_code);
      await agent.consent(page, 'allow');
    }
  });
});
