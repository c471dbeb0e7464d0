import type { TestProject } from 'vitest/node';
import { POSTGRES_MISSING, postgresBinDir, startPostgres, type PostgresServer } from './postgres.ts';

/**
 * vitest globalSetup: one PostgreSQL server for the whole run, shared by every test file through
 * `inject('postgresUrl')` (test/support/pg-url.ts); each file creates its own databases on it. Without PostgreSQL the
 * URL is empty and the PostgreSQL tests skip with a message saying how to install it, except under CI=true, where a
 * missing PostgreSQL fails the run (DESIGN.md "Tests").
 */

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

// vitest may run a globalSetup once per project: the first one starts the server, the others reuse it.
let shared: Promise<PostgresServer | undefined> | undefined;
let users = 0;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  users++;
  shared ??= (async () => {
    if (!postgresBinDir()) {
      if (process.env['CI'] === 'true') throw new Error(`CI=true: ${POSTGRES_MISSING.replace(', so the PostgreSQL tests are skipped', '')}`);
      process.stderr.write(`\n${POSTGRES_MISSING}\n\n`);
      return undefined;
    }
    const server = await startPostgres();
    process.once('exit', () => server.killSync());
    return server;
  })();
  const server = await shared;
  project.provide('postgresUrl', server?.url ?? '');
  return async () => {
    if (--users === 0) await server?.destroy();
  };
}
