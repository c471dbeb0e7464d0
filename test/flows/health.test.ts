import { DatabaseSync } from 'node:sqlite';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { sql } from 'kysely';
import { buildLatchkey, type Latchkey } from '../../src/main.ts';
import { isDatabaseUnavailable } from '../../src/storage/errors.ts';
import { openStorage } from '../../src/storage/index.ts';
import { expectJsonError, postToken, WEB_APP_BASIC } from '../support/flow-helpers.ts';
import { createTestDatabase, postgresUrl, skipNote } from '../support/pg-url.ts';
import { startServer, testConfig, type TestServer } from '../support/server.ts';

/**
 * Probes and failure answers for deployments of many nodes (issue 4): GET /healthz (the process is up) and
 * GET /readyz (the database answers and is migrated); a database that cannot serve gives 503 temporarily_unavailable,
 * never a 500.
 */

describe('GET /healthz and GET /readyz on SQLite', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers /healthz 200 {status: ok}, not cached', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz 200 {status: ready} when the database answers and every migration is applied', async () => {
    const res = await fetch(`${server.url}/readyz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ status: 'ready' });
  });

  it('answers /readyz 503 naming the pending migration when the database lacks one', async () => {
    const { db } = server.latchkey.storage;
    const last = await db.selectFrom('kysely_migration' as never).select('name' as never).orderBy('name' as never, 'desc').executeTakeFirstOrThrow();
    const name = (last as { name: string }).name;
    await db.deleteFrom('kysely_migration' as never).where('name' as never, '=', name as never).execute();
    try {
      const res = await fetch(`${server.url}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'unavailable', reason: 'database migrations are pending', pending: [name] });
      // Liveness does not depend on the database: the orchestrator must not restart the node for this.
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      await db.insertInto('kysely_migration' as never).values({ name, timestamp: new Date().toISOString() } as never).execute();
    }
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });

  it('refuses POST /healthz and POST /readyz with 404', async () => {
    for (const path of ['/healthz', '/readyz']) {
      const res = await fetch(`${server.url}${path}`, { method: 'POST' });
      await expectJsonError(res, 404, 'invalid_request');
    }
  });
});

describe('a database that cannot serve answers 503, not 500', () => {
  let dir: string;
  let latchkey: Latchkey;
  let url: string;
  let file: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'latchkey-busy-'));
    file = join(dir, 'latchkey.db');
    // statementTimeoutMs bounds SQLite's wait for another process's lock.
    const config = parseConfig({ ...testConfig({ databasePool: { statementTimeoutMs: 200 } }), database: file, host: '127.0.0.1', port: 0, issuer: 'http://127.0.0.1' });
    latchkey = await buildLatchkey(config);
    url = await latchkey.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await latchkey.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a token request 503 temporarily_unavailable with Retry-After while another process holds the SQLite write lock, then 200', async () => {
    const other = new DatabaseSync(file);
    other.exec('BEGIN IMMEDIATE');
    try {
      const started = Date.now();
      const res = await postToken({ url }, { grant_type: 'client_credentials' }, { authorization: WEB_APP_BASIC });
      const body = await expectJsonError(res, 503, 'temporarily_unavailable');
      expect(body['error_description']).not.toMatch(/locked|sqlite/i);
      expect(res.headers.get('retry-after')).toBe('5');
      // Sooner than SQLite's default 5 s busy wait: the configured 200 ms applied (a wide margin for a loaded machine).
      expect(Date.now() - started).toBeLessThan(4500);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect((await postToken({ url }, { grant_type: 'client_credentials' }, { authorization: WEB_APP_BASIC })).status).toBe(200);
  });

  it('answers /readyz 503 and a page 503 with the error page once the database is closed, while /healthz stays 200', async () => {
    const probe = mkdtempSync(join(tmpdir(), 'latchkey-closed-'));
    const config = parseConfig({ ...testConfig(), database: join(probe, 'latchkey.db'), host: '127.0.0.1', port: 0, issuer: 'http://127.0.0.1' });
    const node = await buildLatchkey(config);
    try {
      await node.storage.close();
      const ready = await node.app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({ status: 'unavailable', reason: 'the database is unreachable' });
      expect((await node.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await node.app.close();
      rmSync(probe, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!postgresUrl())(`GET /readyz and storage on PostgreSQL${skipNote()}`, () => {
  let latchkey: Latchkey;
  beforeAll(async () => {
    const database = await createTestDatabase('lk_health');
    latchkey = await buildLatchkey(parseConfig({ ...testConfig({ keys: { keyEncryptionKey: '07'.repeat(32) } }), database, host: '127.0.0.1', port: 0, issuer: 'http://127.0.0.1' }));
  });
  afterAll(async () => {
    await latchkey?.close();
  });

  it('cancels a statement that runs past databasePool.statementTimeoutMs, with an error that maps to 503', async () => {
    const database = await createTestDatabase('lk_timeout');
    const storage = openStorage(database, { pool: { max: 2, connectionTimeoutMs: 1000, statementTimeoutMs: 200, idleTimeoutMs: 1000 } });
    try {
      const started = Date.now();
      const err: unknown = await sql`select pg_sleep(2)`.execute(storage.db).then(
        () => undefined,
        (e: unknown) => e,
      );
      // Cancelled before the 2 s sleep could end on its own (the margin is for a loaded machine).
      expect(Date.now() - started).toBeLessThan(1900);
      expect((err as { code?: string }).code).toBe('57014');
      expect(isDatabaseUnavailable(err)).toBe(true);
      // Migrations are not bound by it: they run on a connection of their own, without the limit.
      await storage.migrate();
      expect(await storage.pendingMigrations()).toEqual([]);
    } finally {
      await storage.close();
    }
  });

  it('answers /readyz 200 when PostgreSQL answers and is migrated', async () => {
    const res = await latchkey.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready' });
    expect(latchkey.storage.dialect).toBe('postgres');
  });

  it('issues and introspects a token over PostgreSQL, with its numbers read back as numbers (bigint columns)', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded', authorization: WEB_APP_BASIC };
    const issued = await latchkey.app.inject({ method: 'POST', url: '/oauth2/token', headers: form, payload: 'grant_type=client_credentials' });
    expect(issued.statusCode).toBe(200);
    const token = (issued.json() as { access_token: string }).access_token;
    const res = await latchkey.app.inject({ method: 'POST', url: '/oauth2/introspect', headers: form, payload: `token=${token}` });
    const body = res.json() as { active: boolean; exp: unknown; iat: unknown };
    expect(body.active).toBe(true);
    expect(typeof body.exp).toBe('number');
    expect(typeof body.iat).toBe('number');
  });
});
