import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/storage/index.ts';
import { latchkeyCommand } from '../multinode/cluster.ts';
import { createTestDatabase, postgresUrl } from '../support/pg-url.ts';

/** `latchkey janitor`: a one-off purge, e.g. from cron when the in-process janitor is off (issue 4). */

const DAY = 86_400;
const now = () => Math.floor(Date.now() / 1000);

async function seed(database: string): Promise<void> {
  const storage = openStorage(database);
  await storage.migrate();
  const row = (hash: string, expiresAt: number | null) => ({
    hash,
    type: 'access_token',
    grant_id: 'g',
    client_id: 'web-app',
    user_id: null,
    scope: '[]',
    issued_at: now() - 3 * DAY,
    expires_at: expiresAt,
    revoked_at: null,
    consumed_at: null,
  });
  await storage.db
    .insertInto('tokens')
    .values([row('old-1', now() - 2 * DAY), row('old-2', now() - 2 * DAY), row('old-3', now() - 2 * DAY), row('live', now() + 3600), row('never', null)])
    .execute();
  await storage.repos.sessions.create({ hash: 's-old', userId: 'u', authTime: now() - DAY, expiresAt: now() - 1 });
  await storage.close();
}

async function remaining(database: string): Promise<string[]> {
  const storage = openStorage(database);
  try {
    return (await storage.db.selectFrom('tokens').select('hash').orderBy('hash').execute()).map((r) => r.hash);
  } finally {
    await storage.close();
  }
}

const targets = [
  { name: 'SQLite', available: true, database: async (dir: string) => join(dir, 'latchkey.db') },
  { name: 'PostgreSQL', available: postgresUrl() !== undefined, database: async () => createTestDatabase('lk_janitor_cli') },
];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-janitor-cli-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe.each(targets.filter((t) => t.available))('latchkey janitor on $name', (target) => {
  it('removes expired rows in batches, keeps live ones, reports the counts, and finds nothing on a second run', async () => {
    const database = await target.database(dir);
    await seed(database);
    const run = await latchkeyCommand(['janitor', '-d', database, '--batch-size', '2', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { removed: Record<string, number>; total: number };
    expect(report.removed).toMatchObject({ tokens: 3, sessions: 1 });
    expect(report.total).toBe(4);
    expect(await remaining(database)).toEqual(['live', 'never']);

    const again = await latchkeyCommand(['janitor', '-d', database]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^removed 0 expired rows/);
  });
});

describe('latchkey janitor arguments', () => {
  it.each(['0', '-5', 'many', '100000'])('refuses --batch-size %s with exit code 1, naming the option', async (value) => {
    const run = await latchkeyCommand(['janitor', '-d', join(dir, 'args.db'), '--batch-size', value]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^latchkey: --batch-size: /);
  });
});
