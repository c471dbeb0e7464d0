import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openStorage, type Storage } from '../../src/storage/index.ts';
import { createTestDatabase, postgresUrl } from './pg-url.ts';

/**
 * The storage backends every storage suite runs on (DESIGN.md "Storage"). A backend opens an empty, migrated store
 * and a disposer. PostgreSQL runs on the suite's throwaway server (test/support/postgres.ts), one database per test
 * file, emptied for each test; without PostgreSQL installed it is left out (the global setup says how to install
 * it; under CI=true it fails instead).
 */
export interface Backend {
  name: string;
  /** `peer` opens a second connection to the same database, as a second Latchkey node would. */
  open(): Promise<OpenedBackend>;
}

export interface OpenedBackend {
  storage: Storage;
  peer(): Promise<Storage>;
  dispose(): Promise<void>;
}

const sqlite: Backend = {
  name: 'sqlite',
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-storage-'));
    const file = join(dir, 'latchkey.db');
    const storage = openStorage(file);
    await storage.migrate();
    const peers: Storage[] = [];
    return {
      storage,
      async peer() {
        const p = openStorage(file);
        peers.push(p);
        return p;
      },
      async dispose() {
        for (const p of peers) await p.close();
        await storage.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

/**
 * One migrated database per test file, emptied before each test: emptying takes milliseconds where creating and
 * dropping a database takes a few hundred.
 */
let database: Promise<string> | undefined;
const migratedDatabase = () =>
  (database ??= (async () => {
    const url = await createTestDatabase('lk_repo');
    const storage = openStorage(url);
    await storage.migrate();
    await storage.close();
    return url;
  })());

async function truncateAll(storage: Storage): Promise<void> {
  const tables = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' and table_name not like 'kysely_migration%'`.execute(storage.db);
  // The tables hold a few rows each: DELETE is faster than TRUNCATE, which replaces every table's files.
  for (const t of tables.rows) await sql`delete from ${sql.table(t.name)}`.execute(storage.db);
}

const postgres: Backend = {
  name: 'postgres',
  async open() {
    const url = await migratedDatabase();
    const storage = openStorage(url);
    await truncateAll(storage);
    const peers: Storage[] = [];
    return {
      storage,
      async peer() {
        // A second pool on the same database: a second node.
        const p = openStorage(url);
        peers.push(p);
        return p;
      },
      async dispose() {
        for (const p of peers) await p.close();
        await storage.close();
      },
    };
  },
};

export const backends: Backend[] = postgresUrl() ? [sqlite, postgres] : [sqlite];
