import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStorage, type Storage } from '../../src/storage/index.ts';
import { newClient } from '../support/fixtures.ts';

/**
 * Two processes on one database file (a server and a `latchkey clients` command, say): what the server's caches let
 * it see of the other's changes, with the default cacheTtlMs and with 0 (README, "What a node caches").
 */
const app = newClient({ id: 'app', name: 'App', secretHash: 'first', grantTypes: ['client_credentials'] });

describe('the cache bound between two processes on one SQLite file', () => {
  let dir: string;
  const open: Storage[] = [];
  const storage = async (cacheTtlMs?: number) => {
    const s = openStorage(join(dir, 'latchkey.db'), cacheTtlMs === undefined ? {} : { cacheTtlMs });
    await s.migrate();
    open.push(s);
    return s;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'latchkey-cache-'));
  });
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('by default, serves a client changed elsewhere as it was for up to cacheTtlMs; a fresh read sees the change', async () => {
    const server = await storage();
    const cli = await storage();
    await cli.repos.clients.create(app, 1);
    expect((await server.repos.clients.findById('app'))?.secretHash).toBe('first');
    await cli.repos.clients.update('app', { secretHash: 'second' }, 2);
    expect((await server.repos.clients.findById('app'))?.secretHash).toBe('first');
    expect((await server.repos.clients.findById('app', { fresh: true }))?.secretHash).toBe('second');
    await cli.repos.clients.delete('app', 3);
    expect((await server.repos.clients.findById('app'))?.secretHash).toBe('second');
    await expect.poll(() => server.repos.clients.findById('app'), { timeout: 3000, interval: 100 }).toBeUndefined();
  });

  it('with cacheTtlMs 0, sees every change at once', async () => {
    const server = await storage(0);
    const cli = await storage();
    await cli.repos.clients.create(app, 1);
    expect((await server.repos.clients.findById('app'))?.secretHash).toBe('first');
    await cli.repos.clients.update('app', { secretHash: 'second' }, 2);
    expect((await server.repos.clients.findById('app'))?.secretHash).toBe('second');
    await cli.repos.clients.delete('app', 3);
    expect(await server.repos.clients.findById('app')).toBeUndefined();
  });
});
