import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../../../src/config/load.ts';
import { isPostgresUrl, openStorage, redactDatabaseUrl } from '../../../src/storage/index.ts';

/** The settings that choose and bound the database, the janitor and shutdown (issue 4). */

describe('database configuration', () => {
  it('defaults to an SQLite file, a pool of 10 with bounded waits, the janitor on, and the rate limit store on auto', () => {
    const c = parseConfig({});
    expect(c.database).toBe('./data/latchkey.db');
    expect(c.databasePool).toEqual({ max: 10, connectionTimeoutMs: 3000, statementTimeoutMs: 10_000, idleTimeoutMs: 30_000 });
    expect(c.janitor).toMatchObject({ enabled: true, intervalSeconds: 300, batchSize: 500 });
    expect(c.rateLimit.store).toBe('auto');
    expect(c.requestTimeoutMs).toBe(15_000);
    expect(c.shutdownTimeoutSeconds).toBe(10);
    expect(c.cacheTtlMs).toBe(2000);
    expect(loadConfig({ env: { LATCHKEY_CACHE_TTL_MS: '0' } }).cacheTtlMs).toBe(0);
  });

  it('reads LATCHKEY_DATABASE_URL as the database, and LATCHKEY_DATABASE_POOL__MAX as the pool size', () => {
    const c = loadConfig({ env: { LATCHKEY_DATABASE_URL: 'postgres://latchkey@db.internal:5432/latchkey', LATCHKEY_DATABASE_POOL__MAX: '25' } });
    expect(c.database).toBe('postgres://latchkey@db.internal:5432/latchkey');
    expect(c.databasePool.max).toBe(25);
  });

  it.each([
    [{ databasePool: { max: 0 } }, 'databasePool.max'],
    [{ databasePool: { connectionTimeoutMs: 10 } }, 'databasePool.connectionTimeoutMs'],
    [{ janitor: { batchSize: 0 } }, 'janitor.batchSize'],
    [{ janitor: { spentTokenRetentionSeconds: 10 } }, 'janitor.spentTokenRetentionSeconds'],
    [{ rateLimit: { store: 'redis' } }, 'rateLimit.store'],
    [{ requestTimeoutMs: 0 }, 'requestTimeoutMs'],
    [{ cacheTtlMs: -1 }, 'cacheTtlMs'],
    [{ cacheTtlMs: 600_000 }, 'cacheTtlMs'],
  ])('refuses %j at start-up, naming the key', (input, key) => {
    expect(() => parseConfig(input)).toThrow(ConfigError);
    expect(() => parseConfig(input)).toThrow(key);
  });
});

describe('openStorage', () => {
  it('recognises postgres:// and postgresql:// URLs, and nothing else, as PostgreSQL', () => {
    expect(isPostgresUrl('postgres://u@h/db')).toBe(true);
    expect(isPostgresUrl('postgresql://u@h/db')).toBe(true);
    expect(isPostgresUrl('./data/postgres.db')).toBe(false);
    expect(isPostgresUrl('sqlite:///tmp/x.db')).toBe(false);
  });

  it('refuses a malformed PostgreSQL URL instead of creating an SQLite file named after it', () => {
    expect(() => openStorage('postgres:db.internal/latchkey')).toThrow(/postgres:\/\//);
    expect(() => openStorage('PostgreSQL://db/x')).toThrow(/postgres:\/\//);
  });

  it('opens PostgreSQL lazily: no connection until the first query', async () => {
    const storage = openStorage('postgres://nobody@127.0.0.1:1/none');
    expect(storage.dialect).toBe('postgres');
    await storage.close();
  });
});

describe('redactDatabaseUrl', () => {
  it('hides the password of a PostgreSQL URL and leaves the rest', () => {
    expect(redactDatabaseUrl('postgres://latchkey:s3cret@db:5432/lk?sslmode=require')).toBe('postgres://latchkey:***@db:5432/lk?sslmode=require');
    expect(redactDatabaseUrl('postgres://latchkey@db/lk')).toBe('postgres://latchkey@db/lk');
  });

  it('leaves an SQLite path as it is', () => {
    expect(redactDatabaseUrl('./data/latchkey.db')).toBe('./data/latchkey.db');
  });
});
