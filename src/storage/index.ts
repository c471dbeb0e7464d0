import { Kysely, SqliteDialect } from 'kysely';
import { Migrator } from 'kysely/migration';
import type { Repositories } from './repositories.ts';
import type { LatchkeyDatabase } from './schema.ts';
import { migrationProvider } from './migrations/index.ts';
import { openSqlite } from './sqlite.ts';
import { clientsRepository, consentsRepository, scopesRepository, usersRepository } from './kysely/directory.ts';
import { codesRepository, grantsRepository, tokensRepository } from './kysely/grants.ts';
import { interactionsRepository, sessionsRepository, throttleRepository } from './kysely/sessions.ts';

export interface Storage {
  db: Kysely<LatchkeyDatabase>;
  repos: Repositories;
  migrate(): Promise<string[]>;
  close(): Promise<void>;
}

export function repositories(db: Kysely<LatchkeyDatabase>): Repositories {
  return {
    clients: clientsRepository(db),
    users: usersRepository(db),
    scopes: scopesRepository(db),
    grants: grantsRepository(db),
    codes: codesRepository(db),
    tokens: tokensRepository(db),
    sessions: sessionsRepository(db),
    consents: consentsRepository(db),
    interactions: interactionsRepository(db),
    throttle: throttleRepository(db),
    transaction: (fn) => db.transaction().execute((trx) => fn(repositories(trx))),
  };
}

/** Opens the database named by `url`: a file path (or `sqlite:` URL, or `:memory:`) for the embedded SQLite store. */
export function openStorage(url: string): Storage {
  const path = url.startsWith('sqlite:') ? url.slice('sqlite:'.length).replace(/^\/\//, '') : url;
  if (/^postgres(ql)?:/.test(url)) {
    throw new Error('database: PostgreSQL is not supported yet; use a SQLite file path');
  }
  const db = new Kysely<LatchkeyDatabase>({ dialect: new SqliteDialect({ database: openSqlite(path) }) });
  return {
    db,
    repos: repositories(db),
    async migrate() {
      const migrator = new Migrator({ db, provider: migrationProvider });
      const { error, results } = await migrator.migrateToLatest();
      if (error) throw error instanceof Error ? error : new Error('migration failed');
      return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    },
    close: () => db.destroy(),
  };
}
