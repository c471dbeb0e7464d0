import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, TEST_SECRET, type TestServer } from '../../support/server.ts';
import { basicAuth } from '../../support/flow-helpers.ts';
import { UserAgent } from '../../support/user-agent.ts';
import { DEVICE_GRANT, deviceConfig, openDevicePage } from './helpers.ts';

/** Bad input at the device endpoints gets a clear 4xx with the RFC error code, never a 5xx. */

let server: TestServer;
beforeAll(async () => {
  server = await startServer(deviceConfig());
});
afterAll(async () => {
  await server?.close();
});

const form = (body: string, headers: Record<string, string> = {}) => ({ method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });

describe('device endpoints refuse bad input', () => {
  it.each([
    ['no client at all', '', 401, 'invalid_client'],
    ['a duplicated scope', 'client_id=tv-app&scope=openid&scope=profile', 400, 'invalid_request'],
    ['an unknown client', 'client_id=nobody', 401, 'invalid_client'],
    ['a scope the server does not know', 'client_id=tv-app&scope=%00%01', 400, 'invalid_scope'],
  ])('device authorization with %s: %i %s (RFC 8628 §3.2, RFC 6749 §5.2)', async (_label, body, status, error) => {
    const res = await fetch(`${server.url}/oauth2/device_authorization`, form(body));
    expect({ status: res.status, error: ((await res.json()) as { error: string }).error }).toEqual({ status, error });
  });

  it('refuses a device code grant without device_code with invalid_request', async () => {
    const res = await fetch(`${server.url}/oauth2/token`, form(`grant_type=${encodeURIComponent(DEVICE_GRANT)}&client_id=tv-app`));
    expect({ status: res.status, error: ((await res.json()) as { error: string }).error }).toEqual({ status: 400, error: 'invalid_request' });
  });

  it('refuses a confidential client polling with a wrong secret with invalid_client', async () => {
    const res = await fetch(`${server.url}/oauth2/token`, form(`grant_type=${encodeURIComponent(DEVICE_GRANT)}&device_code=lk_dc_x`, { authorization: basicAuth('cli-tool', `${TEST_SECRET}-wrong`) }));
    expect(res.status).toBe(401);
  });

  it('answers odd user codes and decisions on the page with a 4xx page', async () => {
    const agent = new UserAgent(server.url);
    const page = await openDevicePage(agent, `/device?user_code=${'X'.repeat(5000)}`);
    expect(page.html).not.toContain('X'.repeat(21));
    // Signed in now: the page itself must not echo a long code back either.
    const again = await agent.start(`/device?user_code=${'X'.repeat(5000)}`);
    expect(again.html).not.toContain('X'.repeat(21));
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.html ?? '')?.[1] ?? '';
    for (const body of [`csrf=${csrf}&user_code=${'B'.repeat(10_000)}`, `csrf=${csrf}&user_code=a&user_code=b`, `csrf=${csrf}`, `csrf=${csrf}&user_code=%F0%9F%92%A9`]) {
      const res = await agent.request('/device', form(body));
      expect(res.status, body.slice(0, 60)).toBeGreaterThanOrEqual(400);
      expect(res.status, body.slice(0, 60)).toBeLessThan(500);
    }
    const bad = await agent.request('/device/decision', form(`csrf=${csrf}&user_code=BCDF-GHJK&decision=maybe`));
    expect(bad.status).toBe(400);
  });
});
