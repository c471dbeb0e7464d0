import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Storage } from '../../src/storage/index.ts';
import { purgeExpired, startJanitor, type PurgeReport, type PurgeSettings } from '../../src/storage/janitor.ts';
import type { TokensTable } from '../../src/storage/schema.ts';
import { backends, type OpenedBackend } from '../support/storage-backends.ts';
import { newClient } from '../support/fixtures.ts';

/**
 * The janitor (issue 4): expired rows go, live rows stay, in batches, safely on several nodes at once; and the
 * database-backed rate-limit counters the token endpoint shares across nodes. Every backend.
 */

const NOW = 1_800_000_000;
const DAY = 86_400;
const settings: PurgeSettings = { batchSize: 500, retentionSeconds: DAY, spentTokenRetentionSeconds: 30 * DAY, loginFailureWindowSeconds: 3600 };

const tokenRow = (hash: string, over: Partial<TokensTable> = {}): TokensTable => ({
  hash,
  type: 'access_token',
  grant_id: 'g-live',
  client_id: 'web-app',
  user_id: 'u1',
  scope: '[]',
  issued_at: NOW - 10,
  expires_at: NOW + 3600,
  resource: null,
  revoked_at: null,
  consumed_at: null,
  parent_hash: null,
  dpop_jkt: null,
  act: null,
  ...over,
});

async function hashes(storage: Storage, table: 'tokens' | 'codes' | 'sessions'): Promise<string[]> {
  return (await storage.db.selectFrom(table).select('hash').orderBy('hash').execute()).map((r) => r.hash);
}

async function insertExpiredTokens(storage: Storage, n: number, prefix = 'old'): Promise<void> {
  for (let i = 0; i < n; i += 500) {
    const rows = Array.from({ length: Math.min(500, n - i) }, (_, j) => tokenRow(`${prefix}-${String(i + j).padStart(6, '0')}`, { expires_at: NOW - 2 * DAY }));
    await storage.db.insertInto('tokens').values(rows).execute();
  }
}

const count = async (storage: Storage, table: 'tokens' | 'grants'): Promise<number> =>
  Number((await storage.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

describe.each(backends)('janitor on $name', (backend) => {
  let opened: OpenedBackend;
  let storage: Storage;

  beforeEach(async () => {
    opened = await backend.open();
    storage = opened.storage;
  });
  afterEach(async () => {
    await opened.dispose();
  });

  const purge = (over: Partial<PurgeSettings> = {}, at = NOW, s: Storage = storage) => purgeExpired(s.db, s.dialect, at, { ...settings, ...over });

  it('removes tokens expired, revoked or spent longer ago than their retention, and keeps every other token', async () => {
    await storage.db
      .insertInto('tokens')
      .values([
        tokenRow('expired-long-ago', { expires_at: NOW - DAY - 1 }),
        tokenRow('expired-recently', { expires_at: NOW - DAY + 1 }),
        tokenRow('live'),
        tokenRow('never-expires', { expires_at: null }),
        tokenRow('revoked-long-ago', { revoked_at: NOW - DAY - 1 }),
        tokenRow('revoked-recently', { revoked_at: NOW - 5 }),
        tokenRow('spent-long-ago', { type: 'refresh_token', expires_at: null, consumed_at: NOW - 30 * DAY - 1 }),
        tokenRow('spent-recently', { type: 'refresh_token', expires_at: null, consumed_at: NOW - 29 * DAY }),
      ])
      .execute();
    const report = await purge();
    expect(report.tokens).toBe(3);
    expect(await hashes(storage, 'tokens')).toEqual(['expired-recently', 'live', 'never-expires', 'revoked-recently', 'spent-recently']);
  });

  it('keeps a spent refresh token while reuse can still be detected, then removes it (RFC 9700 §4.14.2)', async () => {
    await storage.db.insertInto('tokens').values(tokenRow('rt', { type: 'refresh_token', expires_at: null, consumed_at: NOW })).execute();
    expect((await purge({}, NOW + 30 * DAY)).tokens).toBe(0);
    expect((await purge({}, NOW + 30 * DAY + 1)).tokens).toBe(1);
  });

  it('removes codes past expiry and retention, and keeps live and recently expired ones (replay detection)', async () => {
    const code = (hash: string, expiresAt: number) => ({
      hash,
      grant_id: 'g-live',
      client_id: 'web-app',
      user_id: 'u1',
      redirect_uri: 'https://client.example/cb',
      redirect_uri_provided: 1,
      scope: '[]',
      code_challenge: null,
      code_challenge_method: null,
      auth_time: NOW - 100,
      expires_at: expiresAt,
      consumed_at: null,
    });
    await storage.db.insertInto('codes').values([code('gone', NOW - DAY - 1), code('replay-window', NOW - 60), code('live', NOW + 60)]).execute();
    expect((await purge()).codes).toBe(1);
    expect(await hashes(storage, 'codes')).toEqual(['live', 'replay-window']);
  });

  it('removes old grants that hold no token and no code, and keeps grants that still can issue or are recent', async () => {
    const grant = (id: string, createdAt: number) => ({ id, client_id: 'web-app', user_id: null, scope: '[]', created_at: createdAt, revoked_at: null });
    await storage.db
      .insertInto('grants')
      .values([grant('old-empty', NOW - 2 * DAY), grant('old-with-token', NOW - 2 * DAY), grant('old-with-code', NOW - 2 * DAY), grant('recent-empty', NOW - 60)])
      .execute();
    await storage.db.insertInto('tokens').values(tokenRow('t', { grant_id: 'old-with-token', expires_at: null })).execute();
    await storage.db
      .insertInto('codes')
      .values({
        hash: 'c',
        grant_id: 'old-with-code',
        client_id: 'web-app',
        user_id: 'u1',
        redirect_uri: 'x',
        redirect_uri_provided: 0,
        scope: '[]',
        code_challenge: null,
        code_challenge_method: null,
        auth_time: NOW,
        expires_at: NOW + 60,
        consumed_at: null,
      })
      .execute();
    expect((await purge()).grants).toBe(1);
    const ids = (await storage.db.selectFrom('grants').select('id').orderBy('id').execute()).map((r) => r.id);
    expect(ids).toEqual(['old-with-code', 'old-with-token', 'recent-empty']);
  });

  it('removes expired sessions and interactions at their expiry, and keeps live ones', async () => {
    await storage.repos.sessions.create({ hash: 's-expired', userId: 'u1', authTime: NOW - 100, expiresAt: NOW });
    await storage.repos.sessions.create({ hash: 's-live', userId: 'u1', authTime: NOW - 100, expiresAt: NOW + 1 });
    const ix = { browserHash: 'b', request: '{}', userId: null, authTime: null };
    await storage.repos.interactions.create({ id: 'ix-expired', ...ix, expiresAt: NOW - 1 });
    await storage.repos.interactions.create({ id: 'ix-live', ...ix, expiresAt: NOW + 600 });
    const report = await purge();
    expect(report).toMatchObject({ sessions: 1, interactions: 1 });
    expect(await hashes(storage, 'sessions')).toEqual(['s-live']);
    expect(await storage.repos.interactions.find('ix-live', NOW)).toBeDefined();
  });

  it('removes pushed requests and request object jtis once they expire, and keeps live ones (RFC 9126 §2.2, RFC 9101 §10.8)', async () => {
    const push = (hash: string, expiresAt: number) => storage.repos.pushedRequests.push({ hash, clientId: 'web-app', params: '{}', signed: false, expiresAt });
    await push('expired', NOW);
    await push('live', NOW + 1);
    await storage.repos.requestObjectJtis.record('web-app', 'old', NOW - 1, NOW - 100);
    await storage.repos.requestObjectJtis.record('web-app', 'new', NOW + 30, NOW - 100);
    const report = await purge();
    expect(report.pushedRequests).toBe(2);
    expect((await storage.db.selectFrom('pushed_requests').select('hash').execute()).map((r) => r.hash)).toEqual(['live']);
    expect((await storage.db.selectFrom('request_object_jtis').select('jti').execute()).map((r) => r.jti)).toEqual(['new']);
  });

  it('forgets DPoP proof jtis whose window has ended, and keeps live ones (RFC 9449 §11.1)', async () => {
    await storage.repos.dpopProofs.use('ended', NOW - 1, NOW - 70);
    await storage.repos.dpopProofs.use('live', NOW + 30, NOW - 30);
    expect(await purge()).toMatchObject({ dpopProofs: 1 });
    const keys = (await storage.db.selectFrom('dpop_proofs').select('key').execute()).map((r) => r.key);
    expect(keys).toEqual(['live']);
  });

  it('forgets login failures past the window unless the lock still holds, and ended rate-limit windows', async () => {
    await storage.repos.throttle.recordFailure('ip:old', NOW - 3601, 3600, () => 0);
    await storage.repos.throttle.recordFailure('ip:old-but-locked', NOW - 3601, 3600, () => 7200);
    await storage.repos.throttle.recordFailure('ip:recent', NOW - 10, 3600, () => 0);
    await storage.repos.rateLimits.hit('ended', NOW * 1000 - 61_000, 60_000);
    await storage.repos.rateLimits.hit('live', NOW * 1000 - 1000, 60_000);
    const report = await purge();
    expect(report).toMatchObject({ loginThrottle: 1, rateLimits: 1 });
    expect(await storage.repos.throttle.get('ip:old')).toBeUndefined();
    expect(await storage.repos.throttle.get('ip:old-but-locked')).toBeDefined();
    expect(await storage.repos.throttle.get('ip:recent')).toBeDefined();
    const keys = (await storage.db.selectFrom('rate_limits').select('key').execute()).map((r) => r.key);
    expect(keys).toEqual(['live']);
  });

  it('removes client assertion jtis once they expire, and keeps live ones (replay still refused)', async () => {
    await storage.repos.clientAssertionJtis.use('c', 'expired', NOW, NOW - 60);
    await storage.repos.clientAssertionJtis.use('c', 'live', NOW + 1, NOW - 60);
    const report = await purge();
    expect(report).toMatchObject({ clientAssertionJtis: 1 });
    expect(await storage.repos.clientAssertionJtis.use('c', 'live', NOW + 60, NOW)).toBe(false);
    expect((await storage.db.selectFrom('client_assertion_jtis').select('jti_hash').execute()).map((r) => r.jti_hash)).toEqual(['live']);
  });

  it('removes consents whose user or client no longer exists, and keeps the others', async () => {
    await storage.repos.users.create({ id: 'u1', username: 'alice', passwordHash: 'x', name: null, email: null, isAdmin: false }, NOW);
    await storage.repos.clients.create(newClient({ id: 'web-app', name: 'Web', redirectUris: [] }), NOW);
    await storage.repos.consents.upsert({ userId: 'u1', clientId: 'web-app', scope: ['openid'], grantedAt: NOW });
    await storage.repos.consents.upsert({ userId: 'ghost', clientId: 'web-app', scope: ['openid'], grantedAt: NOW });
    await storage.repos.consents.upsert({ userId: 'u1', clientId: 'gone-app', scope: ['openid'], grantedAt: NOW });
    expect((await purge()).consents).toBe(2);
    expect(await storage.repos.consents.find('u1', 'web-app')).toBeDefined();
    expect(await storage.repos.consents.find('ghost', 'web-app')).toBeUndefined();
  });

  it('deletes in batches of batchSize, and stops after maxBatches so one run always ends', async () => {
    await insertExpiredTokens(storage, 1050);
    await storage.db.insertInto('tokens').values(tokenRow('live')).execute();
    expect((await purge({ batchSize: 100, maxBatches: 3 })).tokens).toBe(300);
    expect(await count(storage, 'tokens')).toBe(751);
    expect((await purge({ batchSize: 100 })).tokens).toBe(750);
    expect(await hashes(storage, 'tokens')).toEqual(['live']);
  });

  it('is safe on several nodes at once: three concurrent purges remove every expired row exactly once, without errors', async () => {
    await insertExpiredTokens(storage, 3000);
    const nodes = [storage, await opened.peer(), await opened.peer()];
    const reports: PurgeReport[] = await Promise.all(nodes.map((s) => purge({ batchSize: 200 }, NOW, s)));
    expect(reports.reduce((sum, r) => sum + r.tokens, 0)).toBe(3000);
    expect(await count(storage, 'tokens')).toBe(0);
  });

  it('leaves an empty database as it is', async () => {
    expect(await purge()).toEqual({ codes: 0, tokens: 0, grants: 0, sessions: 0, interactions: 0, loginThrottle: 0, rateLimits: 0, consents: 0, clientAssertionJtis: 0, backchannelLogouts: 0, deviceCodes: 0, pushedRequests: 0, dpopProofs: 0 });
  });

  it('removes back-channel logouts finished longer ago than the retention, keeps pending and recent ones', async () => {
    const ms = NOW * 1000;
    const row = (id: string, finishedAtMs: number | null) => ({
      id, sid: `sid-${id}`, user_id: 'u1', client_id: 'web-app', created_at_ms: ms - 3 * DAY * 1000, attempts: 1, next_attempt_at_ms: ms,
      finished_at_ms: finishedAtMs, outcome: finishedAtMs === null ? null : 'delivered',
    });
    await storage.db.insertInto('backchannel_logouts').values([row('old', ms - 2 * DAY * 1000), row('recent', ms - 60_000), row('pending', null)]).execute();
    expect((await purge()).backchannelLogouts).toBe(1);
    expect((await storage.db.selectFrom('backchannel_logouts').select('id').orderBy('id').execute()).map((r) => r.id)).toEqual(['pending', 'recent']);
  });

  describe('rate-limit counters', () => {
    const T = NOW * 1000;

    it('counts hits in a window that starts with the first hit, and starts a new window once it has ended', async () => {
      expect(await storage.repos.rateLimits.hit('k', T, 60_000)).toEqual({ hits: 1, resetAt: T + 60_000 });
      expect(await storage.repos.rateLimits.hit('k', T + 1000, 60_000)).toEqual({ hits: 2, resetAt: T + 60_000 });
      expect(await storage.repos.rateLimits.hit('k', T + 59_999, 60_000)).toEqual({ hits: 3, resetAt: T + 60_000 });
      expect(await storage.repos.rateLimits.hit('k', T + 60_000, 60_000)).toEqual({ hits: 1, resetAt: T + 120_000 });
    });

    it('counts each key separately', async () => {
      await storage.repos.rateLimits.hit('a', T, 60_000);
      await storage.repos.rateLimits.hit('a', T, 60_000);
      expect((await storage.repos.rateLimits.hit('b', T, 60_000)).hits).toBe(1);
    });

    it('counts every one of 40 concurrent hits from two nodes exactly once', async () => {
      const other = await opened.peer();
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? storage : other).repos.rateLimits.hit('shared', T, 60_000)),
      );
      expect(results.map((r) => r.hits).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    });

    // Issue 10 defect 7: a request is counted as a failed client authentication in advance, and refunded when it was not one.
    it('refunds one hit within the live window, never below zero, and not once the window has ended', async () => {
      await storage.repos.rateLimits.hit('f', T, 60_000);
      await storage.repos.rateLimits.hit('f', T, 60_000);
      await storage.repos.rateLimits.refund('f', T + 1000);
      expect((await storage.repos.rateLimits.hit('f', T + 1000, 60_000)).hits).toBe(2);
      for (let i = 0; i < 3; i++) await storage.repos.rateLimits.refund('f', T + 2000);
      expect((await storage.repos.rateLimits.hit('f', T + 2000, 60_000)).hits).toBe(1);
      await storage.repos.rateLimits.refund('f', T + 60_000);
      expect((await storage.repos.rateLimits.hit('f', T + 60_000, 60_000))).toEqual({ hits: 1, resetAt: T + 120_000 });
      await storage.repos.rateLimits.refund('unknown', T);
    });

    it('of 40 concurrent hits and 20 refunds from two nodes, keeps exactly 20', async () => {
      const other = await opened.peer();
      await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? storage : other).repos.rateLimits.hit('mixed', T, 60_000)));
      await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? storage : other).repos.rateLimits.refund('mixed', T + 1)));
      expect((await storage.repos.rateLimits.hit('mixed', T + 2, 60_000)).hits).toBe(21);
    });
  });
});

describe('the periodic janitor', () => {
  const report: PurgeReport = { codes: 1, tokens: 0, grants: 0, sessions: 0, interactions: 0, loginThrottle: 0, rateLimits: 0, consents: 0, clientAssertionJtis: 0, backchannelLogouts: 0, deviceCodes: 0, pushedRequests: 0, dpopProofs: 0 };
  const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };

  beforeEach(() => {
    vi.useFakeTimers();
    logger.info.mockClear();
    logger.warn.mockClear();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('runs once at a random point of the first interval, then every interval, and never after stop', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const run = vi.fn(async () => report);
    const janitor = startJanitor(run, { enabled: true, intervalSeconds: 100 }, logger);
    await vi.advanceTimersByTimeAsync(49_000);
    expect(run).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(2000);
    expect(run).toHaveBeenCalledTimes(1);
    expect(logger.info).toHaveBeenCalledWith(expect.objectContaining({ event: 'janitor', codes: 1 }), expect.any(String));
    await vi.advanceTimersByTimeAsync(100_000);
    expect(run).toHaveBeenCalledTimes(2);
    await janitor.stop();
    await vi.advanceTimersByTimeAsync(1_000_000);
    expect(run).toHaveBeenCalledTimes(2);
  });

  it.each([
    [0, 80_000],
    [0.9999, 120_000],
  ])('jitters the interval by ±20%% (random %d: next run after %d ms), so nodes started together drift apart', async (random, gap) => {
    vi.spyOn(Math, 'random').mockReturnValue(random);
    const run = vi.fn(async () => report);
    const janitor = startJanitor(run, { enabled: true, intervalSeconds: 100 }, logger);
    await vi.advanceTimersByTimeAsync(random * 100_000 + 1);
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(gap - 10);
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(20);
    expect(run).toHaveBeenCalledTimes(2);
    await janitor.stop();
  });

  it('does not run at all when disabled, but runOnce still purges on demand', async () => {
    const run = vi.fn(async () => report);
    const janitor = startJanitor(run, { enabled: false, intervalSeconds: 1 }, logger);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(run).not.toHaveBeenCalled();
    expect(await janitor.runOnce()).toEqual(report);
    await janitor.stop();
  });

  it('logs a failed run (the database is away) and tries again at the next interval', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const run = vi.fn().mockRejectedValueOnce(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })).mockResolvedValue(report);
    const janitor = startJanitor(run, { enabled: true, intervalSeconds: 10 }, logger);
    await vi.advanceTimersByTimeAsync(5001);
    expect(logger.warn).toHaveBeenCalledWith(expect.objectContaining({ event: 'janitor_failed' }), expect.any(String));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(run).toHaveBeenCalledTimes(2);
    await janitor.stop();
  });
});
