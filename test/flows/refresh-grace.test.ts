import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.ts';
import { codeGrant, expectJsonError, expectTokens, introspectActive, obtainCode, postToken, WEB_APP_BASIC } from '../support/flow-helpers.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { UserAgent } from '../support/user-agent.ts';

/**
 * Issue 10 defect 6: the refresh-token grace window (tokens.refreshTokenGraceSeconds) lets a client that lost the
 * answer to a rotation retry it, but must never fork the chain: at most one refresh token of a grant is live, and a
 * second branch revokes the grant (RFC 9700 §4.14.2). The clock is fake: the window is crossed by moving it.
 */

const GRACE = 60;
const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function setUp(): Promise<{ server: TestServer; clock: FakeClock; r0: string; a0: string }> {
  const clock = new FakeClock();
  const server = await startServer({ tokens: { refreshTokenGraceSeconds: GRACE } }, { clock });
  servers.push(server);
  const code = await obtainCode(new UserAgent(server.url));
  const first = await expectTokens(await postToken(server, codeGrant(code), { authorization: WEB_APP_BASIC }));
  if (!first.refresh_token) throw new Error('no refresh token');
  return { server, clock, r0: first.refresh_token, a0: first.access_token };
}

const refresh = (server: TestServer, token: string) =>
  postToken(server, { grant_type: 'refresh_token', refresh_token: token }, { authorization: WEB_APP_BASIC });

async function rotate(server: TestServer, token: string): Promise<{ refresh: string; access: string }> {
  const t = await expectTokens(await refresh(server, token));
  if (!t.refresh_token) throw new Error('no refresh token');
  return { refresh: t.refresh_token, access: t.access_token };
}

describe('refresh token grace window (issue 10 defect 6, RFC 9700 §4.14.2)', () => {
  it('a retry within the window gets a new pair once, and the successor of the lost answer stops working', async () => {
    const { server, clock, r0 } = await setUp();
    const lost = await rotate(server, r0);
    clock.advance(5);
    const retried = await rotate(server, r0);
    // The lost answer's tokens are revoked: only the retry's branch is live.
    expect(await introspectActive(server, lost.access)).toBe(false);
    expect(await introspectActive(server, lost.refresh)).toBe(false);
    expect(await introspectActive(server, retried.access)).toBe(true);
    // The retry's branch keeps rotating.
    const next = await rotate(server, retried.refresh);
    expect(await introspectActive(server, next.access)).toBe(true);
  });

  it('presenting both successors leaves none live: the lost one is refused with invalid_grant and revokes the grant', async () => {
    const { server, clock, r0 } = await setUp();
    const lost = await rotate(server, r0);
    clock.advance(5);
    const retried = await rotate(server, r0);
    const next = await rotate(server, retried.refresh);
    await expectJsonError(await refresh(server, lost.refresh), 400, 'invalid_grant');
    // A second branch appeared: the grant is revoked, so the live branch dies too.
    expect(await introspectActive(server, next.access)).toBe(false);
    await expectJsonError(await refresh(server, next.refresh), 400, 'invalid_grant');
  });

  it('a second retry within the window is refused with invalid_grant and revokes the grant', async () => {
    const { server, clock, r0 } = await setUp();
    await rotate(server, r0);
    clock.advance(2);
    const retried = await rotate(server, r0);
    clock.advance(2);
    await expectJsonError(await refresh(server, r0), 400, 'invalid_grant');
    expect(await introspectActive(server, retried.access)).toBe(false);
    await expectJsonError(await refresh(server, retried.refresh), 400, 'invalid_grant');
  });

  it('a replay within the window after the successor was used is theft: invalid_grant and the grant revoked', async () => {
    const { server, clock, r0 } = await setUp();
    const r1 = await rotate(server, r0);
    const r2 = await rotate(server, r1.refresh);
    clock.advance(5);
    await expectJsonError(await refresh(server, r0), 400, 'invalid_grant');
    expect(await introspectActive(server, r2.access)).toBe(false);
    await expectJsonError(await refresh(server, r2.refresh), 400, 'invalid_grant');
  });

  it('of two simultaneous retries within the window, at most one gets tokens, and at most one refresh token stays live', async () => {
    const { server, clock, r0 } = await setUp();
    const lost = await rotate(server, r0);
    clock.advance(5);
    const answers = await Promise.all([refresh(server, r0), refresh(server, r0)]);
    const bodies = (await Promise.all(answers.map((r) => r.json()))) as { refresh_token?: string }[];
    const issued = bodies.flatMap((b) => (b.refresh_token ? [b.refresh_token] : []));
    expect(issued.length).toBeLessThanOrEqual(1);
    const live = [];
    for (const t of [lost.refresh, ...issued]) if (await introspectActive(server, t)) live.push(t);
    expect(live.length).toBeLessThanOrEqual(1);
  });

  it('a replay outside the window revokes every token of the grant (invalid_grant)', async () => {
    const { server, clock, r0, a0 } = await setUp();
    const r1 = await rotate(server, r0);
    clock.advance(GRACE + 1);
    await expectJsonError(await refresh(server, r0), 400, 'invalid_grant');
    for (const t of [a0, r1.access, r1.refresh]) expect(await introspectActive(server, t)).toBe(false);
  });
});
