import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidCursor, type StoredAuditEvent } from '../../src/core/admin-repositories.ts';
import type { Repositories } from '../../src/core/repositories.ts';
import { newClient } from '../support/fixtures.ts';
import { backends } from '../support/storage-backends.ts';

/**
 * The applications manager's repositories (issue 6) on every backend: the audit log with its filters and keyset
 * paging, run-time settings, and the console's listings (search with LIKE wildcards taken literally, active grants).
 */

const NOW = 1_800_000_000;

const event = (over: Partial<StoredAuditEvent>): StoredAuditEvent => ({
  id: 'e',
  at: NOW,
  type: 'login.succeeded',
  actorUserId: null,
  actorClientId: null,
  userId: null,
  clientId: null,
  ip: '192.0.2.1',
  details: {},
  ...over,
});

const client = (id: string, name: string) => newClient({ id, name, redirectUris: ['https://x.example/cb'] });

describe.each(backends)('admin repositories on $name', (backend) => {
  let repos: Repositories;
  let dispose: () => Promise<void>;

  beforeEach(async () => {
    const opened = await backend.open();
    repos = opened.storage.repos;
    dispose = opened.dispose;
  });

  afterEach(async () => {
    await dispose();
  });

  describe('audit', () => {
    beforeEach(async () => {
      await repos.audit.append(event({ id: 'a1', at: NOW - 30, type: 'login.failed', userId: 'u1', clientId: 'web', details: { username: 'alice', scope: ['openid'] } }));
      await repos.audit.append(event({ id: 'a2', at: NOW - 20, type: 'client.created', actorUserId: 'admin', actorClientId: 'console', clientId: 'web' }));
      await repos.audit.append(event({ id: 'a3', at: NOW - 20, type: 'user.disabled', actorUserId: 'admin', userId: 'u1' }));
      await repos.audit.append(event({ id: 'a4', at: NOW - 10, type: 'login.succeeded', actorUserId: 'u1', clientId: 'other' }));
    });

    const ids = async (filter: Parameters<Repositories['audit']['list']>[0], limit = 10) => (await repos.audit.list(filter, { limit })).items.map((e) => e.id);

    it('lists newest first, ties broken by id, and keeps the details as stored', async () => {
      expect(await ids({})).toEqual(['a4', 'a3', 'a2', 'a1']);
      const [oldest] = (await repos.audit.list({ type: 'login.failed' }, { limit: 1 })).items;
      expect(oldest).toEqual(event({ id: 'a1', at: NOW - 30, type: 'login.failed', userId: 'u1', clientId: 'web', details: { username: 'alice', scope: ['openid'] } }));
    });

    it('filters by type, acting user, client (acting or acted upon), user (acting or acted upon), and time', async () => {
      expect(await ids({ type: 'login.failed' })).toEqual(['a1']);
      expect(await ids({ actorUserId: 'admin' })).toEqual(['a3', 'a2']);
      expect(await ids({ clientId: 'web' })).toEqual(['a2', 'a1']);
      expect(await ids({ clientId: 'console' })).toEqual(['a2']);
      expect(await ids({ userId: 'u1' })).toEqual(['a4', 'a3', 'a1']);
      expect(await ids({ since: NOW - 20, until: NOW - 20 })).toEqual(['a3', 'a2']);
      expect(await ids({ since: NOW })).toEqual([]);
      expect(await ids({ userId: 'u1', type: 'login.succeeded' })).toEqual(['a4']);
    });

    it('pages with an opaque cursor across events of the same second', async () => {
      const first = await repos.audit.list({}, { limit: 2 });
      expect(first.items.map((e) => e.id)).toEqual(['a4', 'a3']);
      const second = await repos.audit.list({}, { limit: 2, cursor: first.nextCursor ?? '' });
      expect(second.items.map((e) => e.id)).toEqual(['a2', 'a1']);
      expect(second.nextCursor).toBeNull();
    });

    it('refuses a cursor it did not hand out', async () => {
      await expect(repos.audit.list({}, { limit: 2, cursor: 'garbage' })).rejects.toBeInstanceOf(InvalidCursor);
      const other = Buffer.from(JSON.stringify(['alice'])).toString('base64url');
      await expect(repos.audit.list({}, { limit: 2, cursor: other })).rejects.toBeInstanceOf(InvalidCursor);
    });
  });

  describe('activity (the console overview)', () => {
    const HOUR = 3600;
    const H = NOW - (NOW % HOUR);

    it('adds token counts per hour and grant type, summing what several nodes add to the same bucket', async () => {
      await repos.activity.addTokenCounts([{ hour: H, grantType: 'authorization_code', count: 3 }, { hour: H, grantType: 'client_credentials', count: 1 }]);
      await repos.activity.addTokenCounts([{ hour: H, grantType: 'authorization_code', count: 2 }, { hour: H - HOUR, grantType: 'refresh_token', count: 7 }]);
      const rows = await repos.activity.tokenCounts(H - HOUR, H + HOUR);
      expect(rows.sort((a, b) => a.hour - b.hour || a.grantType.localeCompare(b.grantType))).toEqual([
        { hour: H - HOUR, grantType: 'refresh_token', count: 7 },
        { hour: H, grantType: 'authorization_code', count: 5 },
        { hour: H, grantType: 'client_credentials', count: 1 },
      ]);
      // The range is half-open: [from, to).
      expect(await repos.activity.tokenCounts(H, H + HOUR)).toHaveLength(2);
      expect(await repos.activity.tokenCounts(H + HOUR, H + 2 * HOUR)).toEqual([]);
    });

    it('counts audit events of the given types per hour within the range, and nothing else', async () => {
      await repos.audit.append(event({ id: 'b1', at: H + 10, type: 'login.failed' }));
      await repos.audit.append(event({ id: 'b2', at: H + 20, type: 'login.failed' }));
      await repos.audit.append(event({ id: 'b3', at: H - 1, type: 'login.failed' }));
      await repos.audit.append(event({ id: 'b4', at: H + 30, type: 'login.succeeded' }));
      await repos.audit.append(event({ id: 'b5', at: H + 40, type: 'client.created' }));
      await repos.audit.append(event({ id: 'b6', at: H - 8 * 24 * HOUR, type: 'login.failed' }));
      const rows = await repos.activity.auditCounts(['login.failed', 'login.succeeded'], H - 7 * 24 * HOUR, H + HOUR);
      expect(rows.sort((a, b) => a.hour - b.hour || a.type.localeCompare(b.type))).toEqual([
        { hour: H - HOUR, type: 'login.failed', count: 1 },
        { hour: H, type: 'login.failed', count: 2 },
        { hour: H, type: 'login.succeeded', count: 1 },
      ]);
    });
  });

  describe('settings', () => {
    it('stores JSON values, replaces them, and removes one given null, in one transaction', async () => {
      expect(await repos.settings.all()).toEqual({});
      await repos.settings.set({ 'tokens.accessTokenTtl': 600, 'tokens.refreshTokenTtl': 'never' }, NOW);
      expect(await repos.settings.all()).toEqual({ 'tokens.accessTokenTtl': 600, 'tokens.refreshTokenTtl': 'never' });
      await repos.settings.set({ 'tokens.accessTokenTtl': 900, 'tokens.refreshTokenTtl': null }, NOW + 1);
      expect(await repos.settings.all()).toEqual({ 'tokens.accessTokenTtl': 900 });
    });
  });

  describe('listings', () => {
    it('searches clients by id or name, case-insensitively, with % and _ taken literally', async () => {
      await repos.clients.create(client('alpha', 'Alpha Wiki'), NOW);
      await repos.clients.create(client('beta_2', 'Beta 100%'), NOW + 1);
      await repos.clients.create(client('gamma', 'Gamma'), NOW + 2);
      const names = async (q: string | undefined) => (await repos.listings.clients(q, { limit: 10 })).items.map((c) => c.id);
      expect(await names(undefined)).toEqual(['alpha', 'beta_2', 'gamma']);
      expect(await names('WIKI')).toEqual(['alpha']);
      expect(await names('%')).toEqual(['beta_2']);
      expect(await names('_')).toEqual(['beta_2']);
      expect(await names('a_w')).toEqual([]);
      const page = await repos.listings.clients(undefined, { limit: 2 });
      expect(page.items.map((c) => c.id)).toEqual(['alpha', 'beta_2']);
      expect((await repos.listings.clients(undefined, { limit: 2, cursor: page.nextCursor ?? '' })).items.map((c) => c.id)).toEqual(['gamma']);
    });

    it('lists users by username and searches name and email', async () => {
      for (const [id, username, email] of [['1', 'carol', 'c@x.example'], ['2', 'alice', 'a@y.example'], ['3', 'bob', null]] as const) {
        await repos.users.create({ id, username, passwordHash: 'h', name: `${username} Name`, email, isAdmin: false }, NOW);
      }
      const first = await repos.listings.users(undefined, { limit: 2 });
      expect(first.items.map((u) => u.username)).toEqual(['alice', 'bob']);
      expect((await repos.listings.users(undefined, { limit: 2, cursor: first.nextCursor ?? '' })).items.map((u) => u.username)).toEqual(['carol']);
      expect((await repos.listings.users('Y.EXAMPLE', { limit: 10 })).items.map((u) => u.username)).toEqual(['alice']);
      expect((await repos.listings.users('bob name', { limit: 10 })).items.map((u) => u.username)).toEqual(['bob']);
    });

    it('lists grants with their usable tokens; "active only" leaves out revoked grants and grants whose tokens are all dead', async () => {
      await repos.grants.create({ id: 'live', clientId: 'web', userId: 'u1', scope: ['openid'], createdAt: NOW - 3 });
      await repos.grants.create({ id: 'expired', clientId: 'web', userId: 'u1', scope: [], createdAt: NOW - 2 });
      await repos.grants.create({ id: 'revoked', clientId: 'web', userId: 'u1', scope: [], createdAt: NOW - 1 });
      const tok = (hash: string, grantId: string, expiresAt: number | null) => ({ hash, type: 'access_token' as const, grantId, clientId: 'web', userId: 'u1', scope: [], issuedAt: NOW - 5, expiresAt });
      await repos.tokens.createMany([tok('t1', 'live', NOW + 60), tok('t2', 'live', null), tok('t3', 'expired', NOW - 1), tok('t4', 'revoked', NOW + 60)]);
      await repos.grants.revoke('revoked', NOW);
      const active = await repos.listings.grants({ userId: 'u1', activeOnly: true }, NOW, { limit: 10 });
      expect(active.items).toEqual([{ id: 'live', clientId: 'web', userId: 'u1', scope: ['openid'], createdAt: NOW - 3, revokedAt: null, activeTokens: 2, lastIssuedAt: NOW - 5 }]);
      const all = await repos.listings.grants({ clientId: 'web', activeOnly: false }, NOW, { limit: 2 });
      expect(all.items.map((g) => g.id)).toEqual(['revoked', 'expired']);
      expect(all.items[0]).toMatchObject({ revokedAt: NOW, activeTokens: 0 });
      const rest = await repos.listings.grants({ clientId: 'web', activeOnly: false }, NOW, { limit: 2, cursor: all.nextCursor ?? '' });
      expect(rest.items.map((g) => g.id)).toEqual(['live']);
    });

    it("revokes every grant and token of a user, and nobody else's", async () => {
      await repos.grants.create({ id: 'g1', clientId: 'web', userId: 'u1', scope: [], createdAt: NOW });
      await repos.grants.create({ id: 'g2', clientId: 'web', userId: 'u2', scope: [], createdAt: NOW });
      await repos.tokens.createMany([
        { hash: 'a', type: 'access_token', grantId: 'g1', clientId: 'web', userId: 'u1', scope: [], issuedAt: NOW, expiresAt: null },
        { hash: 'b', type: 'refresh_token', grantId: 'g1', clientId: 'web', userId: 'u1', scope: [], issuedAt: NOW, expiresAt: null },
        { hash: 'c', type: 'access_token', grantId: 'g2', clientId: 'web', userId: 'u2', scope: [], issuedAt: NOW, expiresAt: null },
      ]);
      expect(await repos.listings.revokeUserGrants('u1', NOW)).toBe(2);
      expect((await repos.tokens.findByHash('a'))?.revokedAt).toBe(NOW);
      expect((await repos.grants.findById('g1'))?.revokedAt).toBe(NOW);
      expect((await repos.tokens.findByHash('c'))?.revokedAt).toBeNull();
      expect(await repos.listings.revokeUserGrants('u1', NOW + 1)).toBe(0);
    });

    it('lists unexpired sessions newest first, ends one by its id, and lists consents', async () => {
      await repos.sessions.create({ hash: 's-old', userId: 'u1', authTime: NOW - 100, expiresAt: NOW + 100 });
      await repos.sessions.create({ hash: 's-new', userId: 'u1', authTime: NOW - 10, expiresAt: NOW + 100 });
      await repos.sessions.create({ hash: 's-gone', userId: 'u1', authTime: NOW - 1000, expiresAt: NOW - 1 });
      await repos.sessions.create({ hash: 's-u2', userId: 'u2', authTime: NOW, expiresAt: NOW + 100 });
      expect((await repos.listings.sessions({ userId: 'u1' }, NOW, { limit: 10 })).items.map((s) => s.hash)).toEqual(['s-new', 's-old']);
      expect((await repos.listings.sessions({}, NOW, { limit: 10 })).items).toHaveLength(3);
      expect(await repos.listings.deleteSession('s-old')).toBe(true);
      expect(await repos.listings.deleteSession('s-old')).toBe(false);
      await repos.consents.upsert({ userId: 'u1', clientId: 'web', scope: ['openid'], grantedAt: NOW });
      expect(await repos.listings.consents('u1')).toEqual([{ userId: 'u1', clientId: 'web', scope: ['openid'], grantedAt: NOW }]);
      expect(await repos.listings.consents('u2')).toEqual([]);
    });

    it('stores and clears a user\'s disabled time', async () => {
      await repos.users.create({ id: 'u9', username: 'zed', passwordHash: 'h', name: null, email: null, isAdmin: false }, NOW);
      expect((await repos.users.update('u9', { disabledAt: NOW }))?.disabledAt).toBe(NOW);
      expect((await repos.users.findByUsername('zed'))?.disabledAt).toBe(NOW);
      expect((await repos.users.update('u9', { disabledAt: null }))?.disabledAt).toBeNull();
    });
  });
});
