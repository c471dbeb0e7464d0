import { Kysely, sql, SqliteDialect } from 'kysely';
import { Migrator } from 'kysely/migration';
import type { Repositories } from '../core/repositories.ts';
import type { LatchkeyDatabase } from './schema.ts';
import { migrationProvider } from './migrations/index.ts';
import { openSqlite, type SqliteHandle } from './sqlite.ts';
import { runDirectly } from './kysely/precompiled.ts';
import { groupCommit } from './group-commit.ts';
import { cachedClients } from './client-cache.ts';
import { cachedScopes, SCOPE_CACHE_TTL_MS as DEFAULT_CACHE_TTL_MS } from './scope-cache.ts';
import { cachedResources } from './resource-cache.ts';
import { cachedTrustedIssuers } from './trusted-issuer-cache.ts';
import { defaultPoolOptions, postgresDialect, type PoolOptions } from './postgres.ts';
import { auditRepository, listingsRepository, settingsRepository } from './kysely/admin.ts';
import { clientsRepository, consentsRepository, scopesRepository, usersRepository } from './kysely/directory.ts';
import { codesRepository, grantsRepository, tokensRepository } from './kysely/grants.ts';
import { rateLimitsRepository } from './kysely/rate-limits.ts';
import { resourcesRepository } from './kysely/resources.ts';
import { activityRepository } from './kysely/activity.ts';
import { signingKeysRepository } from './kysely/signing-keys.ts';
import { pushedRequestsRepository, requestObjectJtisRepository } from './kysely/pushed-requests.ts';
import { registrationTokensRepository } from './kysely/registration-tokens.ts';
import { clientAssertionJtisRepository } from './kysely/client-assertion-jtis.ts';
import { backchannelOutboxRepository } from './kysely/backchannel-outbox.ts';
import { deviceCodesRepository } from './kysely/device-codes.ts';
import { dpopProofsRepository } from './kysely/dpop-proofs.ts';
import { trustedIssuersRepository } from './kysely/trusted-issuers.ts';
import { interactionsRepository, sessionsRepository, throttleRepository } from './kysely/sessions.ts';

export { redactDatabaseUrl } from './postgres.ts';
export type { PoolOptions } from './postgres.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Storage {
  db: Kysely<LatchkeyDatabase>;
  repos: Repositories;
  dialect: Dialect;
  migrate(): Promise<string[]>;
  /** Migrations this build knows that the database has not applied; throws when the database cannot be reached. */
  pendingMigrations(): Promise<string[]>;
  /**
   * Runs `fn` in one transaction that holds a database-wide lock, so that nodes starting at the same moment do their
   * start-up writes (declared clients, users, the demo) one after another instead of racing on unique keys.
   */
  exclusive<T>(fn: (repos: Repositories) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface StorageOptions {
  /** PostgreSQL: pool size and timeouts. SQLite: `statementTimeoutMs` bounds the wait for a lock (at most 5 s). */
  pool?: PoolOptions;
  /** PostgreSQL only: an idle pooled connection failed (the server went away); the pool already dropped it. */
  onIdleError?: (err: Error) => void;
  /** How long clients and scopes are served from memory (client-cache.ts, scope-cache.ts); 0: not cached. */
  cacheTtlMs?: number;
  /** SQLite: checkpoint the WAL from a worker thread (sqlite.ts). Default true; a short command needs no thread. */
  checkpointInBackground?: boolean;
}

/** `transaction` replaces the plain one (a transaction per call): SQLite groups them, see group-commit.ts. */
export function repositories(db: Kysely<LatchkeyDatabase>, transaction?: Repositories['transaction']): Repositories {
  return {
    clients: clientsRepository(db),
    users: usersRepository(db),
    scopes: scopesRepository(db),
    resources: resourcesRepository(db),
    grants: grantsRepository(db),
    codes: codesRepository(db),
    tokens: tokensRepository(db),
    sessions: sessionsRepository(db),
    consents: consentsRepository(db),
    interactions: interactionsRepository(db),
    throttle: throttleRepository(db),
    rateLimits: rateLimitsRepository(db),
    audit: auditRepository(db),
    settings: settingsRepository(db),
    listings: listingsRepository(db),
    activity: activityRepository(db),
    signingKeys: signingKeysRepository(db),
    pushedRequests: pushedRequestsRepository(db),
    requestObjectJtis: requestObjectJtisRepository(db),
    registrationTokens: registrationTokensRepository(db),
    clientAssertionJtis: clientAssertionJtisRepository(db),
    backchannelOutbox: backchannelOutboxRepository(db),
    deviceCodes: deviceCodesRepository(db),
    dpopProofs: dpopProofsRepository(db),
    trustedIssuers: trustedIssuersRepository(db),
    transaction: transaction ?? ((fn) => db.transaction().execute((trx) => fn(repositories(trx)))),
  };
}

/** The repositories of the application: scopes and clients cached (scope-cache.ts, client-cache.ts); on SQLite, transactions grouped. */
function rootRepositories(db: Kysely<LatchkeyDatabase>, sqlite: SqliteHandle | undefined, cacheTtlMs: number): Repositories {
  // SQLite has a single writer: group commit amortises the commit over the transactions that wait for it.
  const repos = sqlite
    ? repositories(db, groupCommit(db, (trx) => repositories(trx), (statement, parameters) => sqlite.execute(statement, parameters)))
    : repositories(db);
  if (cacheTtlMs > 0) {
    repos.scopes = cachedScopes(repos.scopes, cacheTtlMs);
    repos.clients = cachedClients(repos.clients, cacheTtlMs);
    repos.resources = cachedResources(repos.resources, cacheTtlMs);
    repos.trustedIssuers = cachedTrustedIssuers(repos.trustedIssuers, cacheTtlMs);
  }
  return repos;
}

export const isPostgresUrl = (url: string): boolean => /^postgres(ql)?:\/\//.test(url);

/** The SQLite file a database setting names (a path, a `sqlite:` URL, or :memory:); undefined for PostgreSQL. */
export const sqlitePath = (url: string): string | undefined =>
  isPostgresUrl(url) ? undefined : url.startsWith('sqlite:') ? url.slice('sqlite:'.length).replace(/^\/\//, '') : url;

/** An arbitrary constant naming Latchkey's start-up lock among PostgreSQL advisory locks. */
const STARTUP_LOCK = 0x4c4b0001;

/**
 * Opens the database named by `url`: a `postgres://` or `postgresql://` URL for PostgreSQL (through a pg pool), else a
 * file path (or `sqlite:` URL, or `:memory:`) for the embedded SQLite store. Repositories and migrations are the same.
 */
export function openStorage(url: string, options: StorageOptions = {}): Storage {
  let dialect: Dialect;
  let db: Kysely<LatchkeyDatabase>;
  let sqlite: SqliteHandle | undefined;
  /** Migrations on PostgreSQL run on a connection of their own, without the statement timeout meant for requests. */
  let migrationDb = (): { db: Kysely<LatchkeyDatabase>; done(): Promise<void> } => ({ db, done: async () => undefined });
  if (isPostgresUrl(url)) {
    dialect = 'postgres';
    const pool = options.pool ?? defaultPoolOptions;
    const onIdleError = options.onIdleError ?? (() => undefined);
    db = new Kysely<LatchkeyDatabase>({ dialect: postgresDialect(url, pool, onIdleError).dialect });
    migrationDb = () => {
      const own = new Kysely<LatchkeyDatabase>({ dialect: postgresDialect(url, { ...pool, max: 1, statementTimeoutMs: 0 }, onIdleError).dialect });
      return { db: own, done: () => own.destroy() };
    };
  } else {
    if (/^postgres/i.test(url)) throw new Error('database: a PostgreSQL URL starts with postgres:// or postgresql://');
    dialect = 'sqlite';
    const path = sqlitePath(url) ?? url;
    const limit = options.pool?.statementTimeoutMs ?? 0;
    const busyTimeoutMs = limit > 0 ? Math.min(limit, 5000) : 5000;
    const database = openSqlite(path, { busyTimeoutMs, checkpointInBackground: options.checkpointInBackground ?? true });
    db = new Kysely<LatchkeyDatabase>({ dialect: new SqliteDialect({ database }) });
    // Hot statements skip kysely's connection hand-over when no transaction is open (precompiled.ts).
    runDirectly(db, (statement, parameters) => (database.inTransaction ? undefined : database.execute(statement, parameters)));
    sqlite = database;
  }
  const migrator = new Migrator({ db, provider: migrationProvider });
  return {
    db,
    repos: rootRepositories(db, sqlite, options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS),
    dialect,
    async migrate() {
      // On PostgreSQL kysely holds an advisory lock while migrating, so nodes starting together migrate once.
      const target = migrationDb();
      try {
        const { error, results } = await new Migrator({ db: target.db, provider: migrationProvider }).migrateToLatest();
        if (error) throw error instanceof Error ? error : new Error('migration failed');
        return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
      } finally {
        await target.done();
      }
    },
    async pendingMigrations() {
      return (await migrator.getMigrations()).filter((m) => m.executedAt === undefined).map((m) => m.name);
    },
    exclusive: (fn) =>
      db.transaction().execute(async (trx) => {
        if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${STARTUP_LOCK})`.execute(trx);
        // SQLite: a write that changes nothing takes the write lock now, so two processes that both read before
        // writing (e.g. "no signing key yet") wait for each other instead of one failing with SQLITE_BUSY.
        else await sql`update kysely_migration_lock set is_locked = is_locked where 1 = 0`.execute(trx);
        return fn(repositories(trx));
      }),
    close: async () => {
      await sqlite?.stopBackground();
      await db.destroy();
    },
  };
}
