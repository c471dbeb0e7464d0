import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OIDC_CLIENT_DEFAULTS } from '../../src/core/model.ts';
import type { Storage } from '../../src/storage/index.ts';
import type { NewClient, Repositories } from '../../src/core/repositories.ts';
import { backends } from '../support/storage-backends.ts';

/**
 * The back-channel logout outbox (Back-Channel Logout 1.0 §2.7, migration 015) on every backend: rows written with
 * the end of a session, for the clients that got grants in it, claimed by one node at a time.
 */
const NOW = 1_800_000_000;
const T = 1_900_000_000_000;

const rp = (id: string, backchannelLogoutUri: string | null): NewClient => ({
  id,
  name: id,
  type: 'confidential',
  secretHash: 'h',
  redirectUris: ['https://rp.example/cb'],
  grantTypes: ['authorization_code'],
  responseTypes: ['code'],
  scopes: ['openid'],
  accessTokenTtl: null,
  refreshTokenTtl: null,
  codeTtl: null,
  requirePkce: null,
  introspectAny: false,
  oidc: { ...OIDC_CLIENT_DEFAULTS, backchannelLogoutUri },
});

describe.each(backends)('back-channel logout outbox on $name', (backend) => {
  let storage: Storage;
  let repos: Repositories;
  let dispose: () => Promise<void>;
  let peer: () => Promise<Storage>;

  beforeEach(async () => {
    const opened = await backend.open();
    ({ storage, dispose, peer } = opened);
    repos = storage.repos;
    await repos.users.create({ id: 'u1', username: 'alice', passwordHash: 'x', name: null, email: null, isAdmin: false }, NOW);
    await repos.clients.create(rp('rp-a', 'https://a.example/bc'), NOW);
    await repos.clients.create(rp('rp-b', 'https://b.example/bc'), NOW);
    await repos.clients.create(rp('rp-none', null), NOW);
    await repos.clients.create(rp('rp-elsewhere', 'https://c.example/bc'), NOW);
  });

  afterEach(async () => {
    await dispose();
  });

  const session = async (hash: string, sid: string, clients: readonly string[]) => {
    await repos.sessions.create({ hash, userId: 'u1', authTime: NOW, expiresAt: NOW + 3600, sid });
    for (const [i, clientId] of clients.entries()) {
      await repos.grants.create({ id: `g-${sid}-${i}`, clientId, userId: 'u1', scope: ['openid'], createdAt: NOW, sid });
    }
  };
  const rows = () => storage.db.selectFrom('backchannel_logouts').selectAll().orderBy('client_id').execute();

  it('ending a session queues one row per client that got grants in it and registered a URI, none for others (§2.7)', async () => {
    await session('s1', 'sid-1', ['rp-a', 'rp-a', 'rp-b', 'rp-none']);
    await session('s2', 'sid-2', ['rp-elsewhere']);
    await repos.sessions.delete('s1');
    expect((await rows()).map((r) => [r.sid, r.client_id, r.user_id])).toEqual([
      ['sid-1', 'rp-a', 'u1'],
      ['sid-1', 'rp-b', 'u1'],
    ]);
    expect(await repos.sessions.findActive('s1', NOW)).toBeUndefined();
    expect(await repos.sessions.findActive('s2', NOW)).toBeDefined();
  });

  it('ending every session of a user queues the union over their sessions', async () => {
    await session('s1', 'sid-1', ['rp-a']);
    await session('s2', 'sid-2', ['rp-a', 'rp-elsewhere']);
    await repos.sessions.deleteAllForUser('u1');
    expect((await rows()).map((r) => `${r.sid}/${r.client_id}`).sort()).toEqual(['sid-1/rp-a', 'sid-2/rp-a', 'sid-2/rp-elsewhere']);
  });

  it('deleting the user queues the logouts of their sessions in the same transaction', async () => {
    await session('s1', 'sid-1', ['rp-a']);
    expect(await repos.users.delete('u1', NOW)).toBe(0);
    expect((await rows()).map((r) => [r.sid, r.client_id, r.user_id])).toEqual([['sid-1', 'rp-a', 'u1']]);
  });

  it('the console revoking a session queues its logouts too', async () => {
    await session('s1', 'sid-1', ['rp-b']);
    expect(await repos.listings.deleteSession('s1')).toBe(true);
    expect((await rows()).map((r) => r.client_id)).toEqual(['rp-b']);
  });

  it('queues nothing when the session is rolled back with the transaction that ended it', async () => {
    await session('s1', 'sid-1', ['rp-a']);
    await expect(
      repos.transaction(async (t) => {
        await t.sessions.delete('s1');
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await rows()).toEqual([]);
    expect(await repos.sessions.findActive('s1', NOW)).toBeDefined();
  });

  it('claims a due row once, counts the attempt, and honours the lease until it ends', async () => {
    await session('s1', 'sid-1', ['rp-a']);
    await repos.sessions.delete('s1');
    const now = Date.now();
    const [claimed, ...more] = await repos.backchannelOutbox.claim('node-1', now, 30_000, 10);
    expect(more).toEqual([]);
    expect(claimed).toMatchObject({ sid: 'sid-1', userId: 'u1', clientId: 'rp-a', attempts: 1 });
    expect(await repos.backchannelOutbox.claim('node-2', now + 1000, 30_000, 10)).toEqual([]);
    // The lease ran out (the node died): another node takes the row over, and the first can no longer finish it.
    const [again] = await repos.backchannelOutbox.claim('node-2', now + 31_000, 30_000, 10);
    expect(again?.attempts).toBe(2);
    expect(await repos.backchannelOutbox.finish(claimed?.id ?? '', 'node-1', 'delivered', now + 32_000)).toBe(false);
    expect(await repos.backchannelOutbox.finish(again?.id ?? '', 'node-2', 'delivered', now + 32_000)).toBe(true);
    expect(await repos.backchannelOutbox.claim('node-3', now + 999_999, 30_000, 10)).toEqual([]);
    expect(await repos.backchannelOutbox.nextDueAt()).toBeUndefined();
  });

  it('a retried row is due again at its next attempt, not before', async () => {
    await session('s1', 'sid-1', ['rp-a']);
    await repos.sessions.delete('s1');
    const [row] = await repos.backchannelOutbox.claim('n', T, 30_000, 10);
    expect(await repos.backchannelOutbox.retryAt(row?.id ?? '', 'n', T + 5000)).toBe(true);
    expect(await repos.backchannelOutbox.nextDueAt()).toBe(T + 5000);
    expect(await repos.backchannelOutbox.claim('n', T + 4999, 30_000, 10)).toEqual([]);
    expect((await repos.backchannelOutbox.claim('n', T + 5000, 30_000, 10)).map((r) => r.attempts)).toEqual([2]);
  });

  it('of two nodes claiming the same rows at once, each row goes to exactly one (race)', async () => {
    for (let i = 0; i < 20; i++) await session(`s${i}`, `sid-${i}`, ['rp-a', 'rp-b']);
    await repos.sessions.deleteAllForUser('u1');
    const other = await peer();
    const now = Date.now();
    const claims = await Promise.all(
      Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? repos : other.repos).backchannelOutbox.claim(`node-${i}`, now, 30_000, 10)),
    );
    const ids = claims.flat().map((r) => r.id);
    expect(ids.length).toBe(40);
    expect(new Set(ids).size).toBe(40);
  });

  it('a session ended twice at once queues one row per client', async () => {
    await session('s1', 'sid-1', ['rp-a']);
    const other = await peer();
    const ends = [() => repos.sessions.delete('s1'), () => other.repos.sessions.delete('s1'), () => other.repos.sessions.deleteAllForUser('u1')];
    // SQLite's lock wait blocks the thread, so two connections of one process would wait on each other's transaction:
    // there they run one after another (as in repositories.test.ts); PostgreSQL races them.
    if (backend.name === 'sqlite') for (const end of ends) await end();
    else await Promise.all(ends.map((end) => end()));
    expect((await rows()).length).toBe(1);
  });
});
