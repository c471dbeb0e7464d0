import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.ts';
import { obtainCode } from '../support/flow-helpers.ts';
import { startServer, TEST_PASSWORD, type TestServer } from '../support/server.ts';
import { authorizeUrl, parseForms, UserAgent, type Outcome } from '../support/user-agent.ts';

/**
 * Issue 10 defect 3: the per-account backoff must hold against simultaneous attempts, not only against attempts sent
 * one by one. The clock is fake and never moves, so no lock expires during the burst: the test counts answers, it
 * does not time them.
 */

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function loginPage(server: TestServer): Promise<{ agent: UserAgent; page: Outcome }> {
  const agent = new UserAgent(server.url);
  const page = await agent.start(
    authorizeUrl(server, { response_type: 'code', client_id: 'web-app', redirect_uri: 'https://client.example/callback', scope: 'openid', state: 's', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' }),
  );
  expect(page.page).toBe('login');
  return { agent, page };
}

/** Sends every password at once from one browser, and returns the statuses in the order sent. */
async function burst(agent: UserAgent, page: Outcome, passwords: string[], headers: Record<string, string> = {}): Promise<number[]> {
  const form = parseForms(page.html ?? '')[0];
  if (!form) throw new Error('no login form');
  const responses = await Promise.all(
    passwords.map((password) =>
      agent.request(form.action, {
        method: 'POST',
        body: new URLSearchParams({ ...form.fields, username: 'alice', password }),
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      }),
    ),
  );
  await Promise.all(responses.map((r) => r.arrayBuffer()));
  return responses.map((r) => r.status);
}

const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

describe('login backoff under parallel attempts (issue 10 defect 3)', () => {
  it('of 19 simultaneous wrong passwords for one account, checks only the 5 free ones (401) and refuses 14 with 429', async () => {
    const server = await startServer({}, { clock: new FakeClock() });
    servers.push(server);
    const { agent, page } = await loginPage(server);
    const statuses = await burst(agent, page, Array.from({ length: 19 }, (_, i) => `wrong password ${i}`));
    expect({ checked: count(statuses, 401), refused: count(statuses, 429) }).toEqual({ checked: 5, refused: 14 });
    // Sent one by one after that, the right password is refused too: the account is locked.
    const [after] = await burst(agent, page, [TEST_PASSWORD]);
    expect(after).toBe(429);
  });

  it('19 simultaneous attempts with the right password 13th: it is checked only if it is one of the 5 free attempts', async () => {
    const server = await startServer({}, { clock: new FakeClock() });
    servers.push(server);
    const { agent, page } = await loginPage(server);
    const passwords = Array.from({ length: 19 }, (_, i) => (i === 12 ? TEST_PASSWORD : `wrong password ${i}`));
    const statuses = await burst(agent, page, passwords);
    // Which attempts the server counts first is up to the scheduler. Either the right password was refused with
    // the other 13 beyond the free five, or it was one of the free five, signed alice in (303) and reset her count,
    // so at most five more were checked after it.
    const signedIn = count(statuses, 303);
    expect(signedIn).toBeLessThanOrEqual(1);
    if (signedIn === 0) expect({ checked: count(statuses, 401), refused: count(statuses, 429) }).toEqual({ checked: 5, refused: 14 });
    else expect(count(statuses, 401)).toBeLessThanOrEqual(9);
  });

  it('of 30 simultaneous attempts from one address on different accounts, checks only the free ones for the address', async () => {
    const server = await startServer({ trustProxy: true, rateLimit: { loginFreeFailuresPerAddress: 4 } }, { clock: new FakeClock() });
    servers.push(server);
    const { agent, page } = await loginPage(server);
    const form = parseForms(page.html ?? '')[0];
    if (!form) throw new Error('no login form');
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        agent.request(form.action, {
          method: 'POST',
          body: new URLSearchParams({ ...form.fields, username: `user${i}`, password: 'password1' }),
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '203.0.113.7' },
        }),
      ),
    );
    await Promise.all(responses.map((r) => r.arrayBuffer()));
    const statuses = responses.map((r) => r.status);
    expect({ checked: count(statuses, 401), refused: count(statuses, 429) }).toEqual({ checked: 4, refused: 26 });
  });

  it('the account page\'s current-password check too: of 12 simultaneous wrong guesses, 5 are checked (422) and 7 refused (429)', async () => {
    const server = await startServer({}, { clock: new FakeClock(Math.floor(Date.now() / 1000)) });
    servers.push(server);
    const agent = new UserAgent(server.url);
    await obtainCode(agent);
    const page = await agent.start('/account');
    expect(page.status).toBe(200);
    const form = parseForms(page.html ?? '').find((f) => f.action === '/account/password');
    if (!form) throw new Error('no password form');
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        agent.request('/account/password', {
          method: 'POST',
          body: new URLSearchParams({ ...form.fields, currentPassword: `wrong-${i}`, newPassword: 'long enough 1', confirmPassword: 'long enough 1' }),
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        }),
      ),
    );
    await Promise.all(responses.map((r) => r.arrayBuffer()));
    const statuses = responses.map((r) => r.status);
    expect({ checked: count(statuses, 422), refused: count(statuses, 429) }).toEqual({ checked: 5, refused: 7 });
  });
});
