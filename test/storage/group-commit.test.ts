import { mkdtempSync, rmSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, sql, SqliteDialect } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { groupCommit } from '../../src/storage/group-commit.ts';
import { openStorage, type Storage } from '../../src/storage/index.ts';
import type { LatchkeyDatabase } from '../../src/storage/schema.ts';
import { openSqlite } from '../../src/storage/sqlite.ts';

/**
 * SQLite groups the transactions that wait for the single writer into one commit (src/storage/group-commit.ts).
 * Each must still behave as a transaction of its own: atomic, isolated from a failing neighbour, and reported only
 * once durable.
 */
const NOW = 1_800_000_000;
const grant = (id: string) => ({ id, clientId: 'web-app', userId: null, scope: ['api'], createdAt: NOW });

let dir: string;
let file: string;
let storage: Storage;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-group-commit-'));
  file = join(dir, 'latchkey.db');
  storage = openStorage(file);
  await storage.migrate();
});

afterEach(async () => {
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Reads through a connection of its own: it sees only what was committed. */
function committedGrantIds(): string[] {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return (db.prepare('select id from grants order by id').all() as { id: string }[]).map((r) => r.id);
  } finally {
    db.close();
  }
}

describe('group commit (SQLite)', () => {
  it('rolls back only the transaction that throws; its neighbours in the batch commit', async () => {
    const { repos } = storage;
    const outcomes = await Promise.allSettled([
      repos.transaction(async (tx) => {
        await tx.grants.create(grant('g1'));
        return 'one';
      }),
      repos.transaction(async (tx) => {
        await tx.grants.create(grant('g2'));
        await tx.tokens.createMany([
          { hash: 'h2', type: 'access_token', grantId: 'g2', clientId: 'web-app', userId: null, scope: ['api'], issuedAt: NOW, expiresAt: NOW + 60 },
        ]);
        throw new Error('the second one fails');
      }),
      repos.transaction(async (tx) => {
        await tx.grants.create(grant('g3'));
        return 'three';
      }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(outcomes[1]).toMatchObject({ status: 'rejected', reason: { message: 'the second one fails' } });
    expect(outcomes[0]).toMatchObject({ value: 'one' });
    expect(outcomes[2]).toMatchObject({ value: 'three' });
    expect(committedGrantIds()).toEqual(['g1', 'g3']);
    expect(await repos.tokens.findByHash('h2')).toBeUndefined();
  });

  it('reports a transaction only once it is committed: another connection sees its writes at once', async () => {
    const seen = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        storage.repos.transaction(async (tx) => tx.grants.create(grant(`g${String(i).padStart(2, '0')}`))).then(() => committedGrantIds().length),
      ),
    );
    // Every caller, when told, already finds its own grant committed (and so at least as many as it).
    for (const n of seen) expect(n).toBeGreaterThan(0);
    expect(committedGrantIds()).toHaveLength(20);
  });

  it('keeps single use under a batch: of concurrent consumptions of one refresh token exactly one wins', async () => {
    const { repos } = storage;
    await repos.tokens.createMany([
      { hash: 'rt', type: 'refresh_token', grantId: 'g', clientId: 'web-app', userId: 'u', scope: ['openid'], issuedAt: NOW, expiresAt: NOW + 600 },
    ]);
    const results = await Promise.all(Array.from({ length: 10 }, () => repos.transaction((tx) => tx.tokens.consumeRefresh('rt', NOW + 1))));
    expect(results.filter((r) => r !== undefined && 'token' in r)).toHaveLength(1);
    expect(results.filter((r) => r !== undefined && 'replayed' in r)).toHaveLength(9);
  });

  it('fails every transaction of the batch when the commit itself fails, and keeps none of their writes', async () => {
    const database = openSqlite(join(dir, 'deferred.db'), { checkpointInBackground: false });
    const db = new Kysely<LatchkeyDatabase>({ dialect: new SqliteDialect({ database }) });
    try {
      await sql`create table parent (id text primary key)`.execute(db);
      // A deferred foreign key is checked at COMMIT: a violation fails the commit, after every savepoint succeeded.
      await sql`create table child (id text primary key, parent text references parent(id) deferrable initially deferred)`.execute(db);
      const run = groupCommit(db, (trx) => trx);
      const outcomes = await Promise.allSettled([
        run((trx) => sql`insert into child (id, parent) values ('ok', null)`.execute(trx)),
        run((trx) => sql`insert into child (id, parent) values ('orphan', 'missing')`.execute(trx)),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
      expect((await sql<{ n: number }>`select count(*) as n from child`.execute(db)).rows[0]?.n).toBe(0);
      // The writer is free again: the next batch commits.
      await run((trx) => sql`insert into child (id, parent) values ('later', null)`.execute(trx));
      expect((await sql<{ n: number }>`select count(*) as n from child`.execute(db)).rows[0]?.n).toBe(1);
    } finally {
      await db.destroy();
    }
  });
});
