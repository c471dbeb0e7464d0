import { inject } from 'vitest';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { POSTGRES_MISSING } from './postgres.ts';

/**
 * The suite's PostgreSQL server (test/support/postgres-global-setup.ts), or undefined when it is not installed: then
 * `describe.skipIf(!postgresUrl())` skips, and `skipNote` says why in the test name.
 */
export function postgresUrl(): string | undefined {
  return inject('postgresUrl') || undefined;
}

export const skipNote = (): string => (postgresUrl() ? '' : ` (skipped: ${POSTGRES_MISSING})`);

/** A fresh database on the suite's server, empty or a copy of `template`; returns its URL. */
export async function createTestDatabase(prefix = 'lk', template?: string): Promise<string> {
  const admin = postgresUrl();
  if (!admin) throw new Error(POSTGRES_MISSING);
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(template ? `CREATE DATABASE "${name}" TEMPLATE "${template}"` : `CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}
