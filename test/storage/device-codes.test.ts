import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import type { NewDeviceCode } from '../../src/core/device/port.ts';
import type { Storage } from '../../src/storage/index.ts';
import { purgeExpired } from '../../src/storage/janitor.ts';
import { backends } from '../support/storage-backends.ts';
import { newClient } from '../support/fixtures.ts';

/** The device codes repository (RFC 8628, migration 021) on every backend, race tests included (DESIGN.md "Storage"). */
const NOW = 1_800_000_000;

const deviceCode = (over: Partial<NewDeviceCode> = {}): NewDeviceCode => ({
  hash: 'device-hash',
  userCodeHash: 'user-code-hash',
  clientId: 'tv-app',
  scope: ['openid', 'profile'],
  interval: 5,
  createdAt: NOW,
  expiresAt: NOW + 600,
  ...over,
});

const approval = { status: 'approved' as const, userId: 'user-1', authTime: NOW - 30, sid: 'sid-1', acr: '1', amr: ['pwd'] };

describe.each(backends)('device codes on $name', (backend) => {
  let storage: Storage;
  let dispose: () => Promise<void>;
  let peer: () => Promise<Storage>;

  beforeEach(async () => {
    const opened = await backend.open();
    storage = opened.storage;
    dispose = opened.dispose;
    peer = opened.peer;
  });
  afterEach(async () => {
    await dispose();
  });

  it('stores a pending code, found by either key, with its interval', async () => {
    await storage.repos.deviceCodes.create(deviceCode());
    const found = await storage.repos.deviceCodes.find('device-hash');
    expect(found).toMatchObject({ clientId: 'tv-app', scope: ['openid', 'profile'], status: 'pending', userId: null, interval: 5, lastPolledAt: null, expiresAt: NOW + 600, consumedAt: null });
    expect((await storage.repos.deviceCodes.findByUserCode('user-code-hash'))?.hash).toBe('device-hash');
    expect(await storage.repos.deviceCodes.find('other')).toBeUndefined();
  });

  it('keeps the resources a device authorization asked for (RFC 8707 §2.1, migration 029), through approval and consumption', async () => {
    await storage.repos.deviceCodes.create(deviceCode({ resources: ['https://api.example/', 'https://other.example/v1'] }));
    expect((await storage.repos.deviceCodes.find('device-hash'))?.resources).toEqual(['https://api.example/', 'https://other.example/v1']);
    await storage.repos.deviceCodes.decide('user-code-hash', approval, NOW);
    expect((await storage.repos.deviceCodes.consume('device-hash', NOW + 1))?.resources).toEqual(['https://api.example/', 'https://other.example/v1']);
  });

  it('stores a code without resources as none (a row from before migration 029 reads the same)', async () => {
    await storage.repos.deviceCodes.create(deviceCode());
    await storage.repos.deviceCodes.create(deviceCode({ hash: 'empty', userCodeHash: 'empty-user', resources: [] }));
    expect((await storage.repos.deviceCodes.find('device-hash'))?.resources).toEqual([]);
    expect((await storage.repos.deviceCodes.findByUserCode('empty-user'))?.resources).toEqual([]);
  });

  it('records an approval once, with who approved and how they signed in', async () => {
    await storage.repos.deviceCodes.create(deviceCode());
    expect(await storage.repos.deviceCodes.decide('user-code-hash', approval, NOW)).toBe(true);
    expect(await storage.repos.deviceCodes.decide('user-code-hash', { status: 'denied' }, NOW)).toBe(false);
    expect(await storage.repos.deviceCodes.find('device-hash')).toMatchObject({ status: 'approved', userId: 'user-1', authTime: NOW - 30, sid: 'sid-1', acr: '1', amr: ['pwd'] });
  });

  it('refuses a decision on an expired code', async () => {
    await storage.repos.deviceCodes.create(deviceCode({ expiresAt: NOW }));
    expect(await storage.repos.deviceCodes.decide('user-code-hash', approval, NOW)).toBe(false);
    expect((await storage.repos.deviceCodes.find('device-hash'))?.status).toBe('pending');
  });

  it('answers slow_down to a poll sooner than the interval and adds 5 seconds to it (RFC 8628 §3.5)', async () => {
    await storage.repos.deviceCodes.create(deviceCode());
    expect(await storage.repos.deviceCodes.poll('device-hash', NOW)).toEqual({ slowDown: false, interval: 5 });
    expect(await storage.repos.deviceCodes.poll('device-hash', NOW + 1)).toEqual({ slowDown: true, interval: 10 });
    // The next poll must now wait 10 seconds.
    expect(await storage.repos.deviceCodes.poll('device-hash', NOW + 6)).toEqual({ slowDown: true, interval: 15 });
    expect(await storage.repos.deviceCodes.poll('device-hash', NOW + 21)).toEqual({ slowDown: false, interval: 15 });
  });

  it('does not count polls of a code that is no longer pending', async () => {
    await storage.repos.deviceCodes.create(deviceCode());
    await storage.repos.deviceCodes.decide('user-code-hash', { status: 'denied' }, NOW);
    expect(await storage.repos.deviceCodes.poll('device-hash', NOW)).toBeUndefined();
  });

  it('consumes an approved code once; a pending, expired or spent one never', async () => {
    await storage.repos.deviceCodes.create(deviceCode());
    expect(await storage.repos.deviceCodes.consume('device-hash', NOW)).toBeUndefined();
    await storage.repos.deviceCodes.decide('user-code-hash', approval, NOW);
    expect(await storage.repos.deviceCodes.consume('device-hash', NOW + 600)).toBeUndefined();
    expect((await storage.repos.deviceCodes.consume('device-hash', NOW + 1))?.userId).toBe('user-1');
    expect(await storage.repos.deviceCodes.consume('device-hash', NOW + 2)).toBeUndefined();
    expect((await storage.repos.deviceCodes.find('device-hash'))?.consumedAt).toBe(NOW + 1);
  });

  it('gives an approved code to exactly one of two pollers racing on two nodes', async () => {
    await storage.repos.deviceCodes.create(deviceCode());
    await storage.repos.deviceCodes.decide('user-code-hash', approval, NOW);
    const other = await peer();
    const results = await Promise.all([storage.repos.deviceCodes.consume('device-hash', NOW + 1), other.repos.deviceCodes.consume('device-hash', NOW + 1)]);
    expect(results.filter((r) => r !== undefined)).toHaveLength(1);
  });

  it('records exactly one of two racing decisions', async () => {
    await storage.repos.deviceCodes.create(deviceCode());
    const other = await peer();
    const results = await Promise.all([
      storage.repos.deviceCodes.decide('user-code-hash', approval, NOW),
      other.repos.deviceCodes.decide('user-code-hash', { status: 'denied' }, NOW),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('refuses a second code with the same user code (the unique key makes a collision a retry, not a mix-up)', async () => {
    await storage.repos.deviceCodes.create(deviceCode());
    await expect(storage.repos.deviceCodes.create(deviceCode({ hash: 'another' }))).rejects.toThrow();
  });

  it('forgets the device codes of a deleted client, so a client re-created with its id cannot redeem them', async () => {
    await storage.repos.clients.create(newClient({ id: 'tv-app' }), NOW);
    await storage.repos.deviceCodes.create(deviceCode());
    await storage.repos.deviceCodes.decide('user-code-hash', approval, NOW);
    await storage.repos.clients.delete('tv-app', NOW);
    expect(await storage.repos.deviceCodes.find('device-hash')).toBeUndefined();
  });

  it('forgets the device codes a deleted user approved', async () => {
    const user = await storage.repos.users.create({ id: 'user-1', username: 'alice', passwordHash: 'x', name: null, email: null, isAdmin: false }, NOW);
    await storage.repos.deviceCodes.create(deviceCode());
    await storage.repos.deviceCodes.decide('user-code-hash', { ...approval, userId: user.id }, NOW);
    await storage.repos.users.delete(user.id, NOW);
    expect(await storage.repos.deviceCodes.find('device-hash')).toBeUndefined();
  });

  it('is purged by the janitor once expired past the retention', async () => {
    await storage.repos.deviceCodes.create(deviceCode({ hash: 'old', userCodeHash: 'old-user', expiresAt: NOW - 100 }));
    await storage.repos.deviceCodes.create(deviceCode());
    const report = await purgeExpired(storage.db, storage.dialect, NOW, { batchSize: 10, retentionSeconds: 50, spentTokenRetentionSeconds: 50, loginFailureWindowSeconds: 60 });
    expect(report.deviceCodes).toBe(1);
    expect(await storage.repos.deviceCodes.find('old')).toBeUndefined();
    expect(await storage.repos.deviceCodes.find('device-hash')).toBeDefined();
  });
});
