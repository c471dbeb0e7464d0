import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { Logger } from '../core/context.ts';
import type { LatchkeyDatabase } from './schema.ts';
import type { Dialect } from './index.ts';

/**
 * The janitor removes rows that can no longer matter, in small batches, so that no statement holds locks for long
 * and the tables stay the size of the live data. Every node may run it at the same moment: on PostgreSQL a batch
 * skips rows that another node's batch has locked (FOR UPDATE SKIP LOCKED); on SQLite writes are serialised anyway.
 */

export interface PurgeSettings {
  /** Rows deleted per statement. */
  batchSize: number;
  /** Expired or revoked codes and tokens are kept this long (seconds) before they go: audits and replay detection. */
  retentionSeconds: number;
  /** Spent (rotated) refresh tokens are kept this long to detect reuse (RFC 9700 §4.14.2), even if they never expire. */
  spentTokenRetentionSeconds: number;
  /** Login failures older than this are forgotten by the throttle anyway (config rateLimit.loginFailureWindowSeconds). */
  loginFailureWindowSeconds: number;
  /** Upper bound on batches per table per run, so one run always ends; the next run continues. */
  maxBatches?: number;
}

export type PurgeReport = Record<
  'codes' | 'tokens' | 'grants' | 'sessions' | 'interactions' | 'loginThrottle' | 'rateLimits' | 'consents' | 'clientAssertionJtis' | 'backchannelLogouts' | 'deviceCodes' | 'pushedRequests' | 'dpopProofs',
  number
>;

type Db = Kysely<LatchkeyDatabase>;

/** Removes what has expired as of `now` (Unix seconds). Returns how many rows went from each table. */
export async function purgeExpired(db: Db, dialect: Dialect, now: number, settings: PurgeSettings): Promise<PurgeReport> {
  const { batchSize } = settings;
  const maxBatches = settings.maxBatches ?? 1000;
  const kept = now - settings.retentionSeconds;
  /** The batch to delete: the first `batchSize` matching keys, skipping rows another node is deleting right now. */
  const batch = <DB, TB extends keyof DB, O>(qb: SelectQueryBuilder<DB, TB, O>) =>
    (dialect === 'postgres' ? qb.forUpdate().skipLocked() : qb).limit(batchSize);
  const drain = async (step: () => Promise<bigint>): Promise<number> => {
    let total = 0;
    for (let i = 0; i < maxBatches; i++) {
      const n = Number(await step());
      total += n;
      if (n < batchSize) break;
      // Let requests run between batches (SQLite work is synchronous on this thread).
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return total;
  };
  const deleted = (r: { numDeletedRows: bigint }) => r.numDeletedRows;

  const codes = await drain(async () =>
    deleted(await db.deleteFrom('codes').where('hash', 'in', batch(db.selectFrom('codes').select('hash').where('expires_at', '<', kept))).executeTakeFirst()),
  );

  // RFC 8628 device authorizations: kept as long as codes past their expiry (a late poll still gets expired_token).
  const deviceCodes = await drain(async () =>
    deleted(
      await db.deleteFrom('device_codes').where('hash', 'in', batch(db.selectFrom('device_codes').select('hash').where('expires_at', '<', kept))).executeTakeFirst(),
    ),
  );

  const tokenBatch = (where: (qb: SelectQueryBuilder<LatchkeyDatabase, 'tokens', { hash: string }>) => SelectQueryBuilder<LatchkeyDatabase, 'tokens', { hash: string }>) =>
    drain(async () => deleted(await db.deleteFrom('tokens').where('hash', 'in', batch(where(db.selectFrom('tokens').select('hash')))).executeTakeFirst()));
  // Three passes, each walking its own index, rather than one OR that scans the table.
  const tokens =
    (await tokenBatch((qb) => qb.where('expires_at', 'is not', null).where('expires_at', '<', kept))) +
    (await tokenBatch((qb) => qb.where('revoked_at', 'is not', null).where('revoked_at', '<', kept))) +
    (await tokenBatch((qb) => qb.where('consumed_at', 'is not', null).where('consumed_at', '<', now - settings.spentTokenRetentionSeconds)));

  // A grant with no token and no code left can issue nothing more: a refresh needs a stored refresh token, an exchange
  // a stored code. Old ones go (client_credentials creates one per request).
  const grants = await drain(async () =>
    deleted(
      await db
        .deleteFrom('grants')
        .where('id', 'in', (eb) =>
          batch(
            eb
              .selectFrom('grants as g')
              .select('g.id')
              .where('g.created_at', '<', kept)
              .where(({ not, exists, selectFrom }) =>
                not(exists(selectFrom('tokens').select('tokens.hash').whereRef('tokens.grant_id', '=', 'g.id'))),
              )
              .where(({ not, exists, selectFrom }) => not(exists(selectFrom('codes').select('codes.hash').whereRef('codes.grant_id', '=', 'g.id')))),
          ),
        )
        .executeTakeFirst(),
    ),
  );

  const sessions = await drain(async () =>
    deleted(await db.deleteFrom('sessions').where('hash', 'in', batch(db.selectFrom('sessions').select('hash').where('expires_at', '<=', now))).executeTakeFirst()),
  );
  const interactions = await drain(async () =>
    deleted(
      await db.deleteFrom('interactions').where('id', 'in', batch(db.selectFrom('interactions').select('id').where('expires_at', '<=', now))).executeTakeFirst(),
    ),
  );
  const loginThrottle = await drain(async () =>
    deleted(
      await db
        .deleteFrom('login_throttle')
        .where(
          'key',
          'in',
          batch(
            db
              .selectFrom('login_throttle')
              .select('key')
              .where('last_failure_at', '<', now - settings.loginFailureWindowSeconds)
              .where('locked_until', '<=', now),
          ),
        )
        .executeTakeFirst(),
    ),
  );
  const rateLimits = await drain(async () =>
    deleted(
      await db.deleteFrom('rate_limits').where('key', 'in', batch(db.selectFrom('rate_limits').select('key').where('reset_at', '<=', now * 1000))).executeTakeFirst(),
    ),
  );

  // Migration 022: pushed requests never used, and request object jtis, once they expire (RFC 9126 §2.2, RFC 9101 §10.8).
  const pushedRequests = await drain(async () =>
    deleted(
      await db.deleteFrom('pushed_requests').where('hash', 'in', batch(db.selectFrom('pushed_requests').select('hash').where('expires_at', '<=', now))).executeTakeFirst(),
    ),
  );
  const jtis = await drain(async () =>
    deleted(
      await db
        .deleteFrom('request_object_jtis')
        .where(({ eb, refTuple, tuple }) =>
          eb(refTuple('client_id', 'jti'), 'in', batch(db.selectFrom('request_object_jtis').select(['client_id', 'jti']).where('expires_at', '<=', now)).$asTuple('client_id', 'jti')),
        )
        .executeTakeFirst(),
    ),
  );
  // RFC 9449 §11.1: a jti need only be remembered while its proof's iat would pass.
  const dpopProofs = await drain(async () =>
    deleted(await db.deleteFrom('dpop_proofs').where('key', 'in', batch(db.selectFrom('dpop_proofs').select('key').where('expires_at', '<=', now))).executeTakeFirst()),
  );

  // Deleting a user or client removes its consents in the same transaction; this catches any left by other means.
  const consents = await drain(async () => {
    const orphans = await db
      .selectFrom('consents as c')
      .select(['c.user_id', 'c.client_id'])
      .where(({ or, not, exists, selectFrom }) =>
        or([
          not(exists(selectFrom('users').select('users.id').whereRef('users.id', '=', 'c.user_id'))),
          not(exists(selectFrom('clients').select('clients.id').whereRef('clients.id', '=', 'c.client_id'))),
        ]),
      )
      .limit(batchSize)
      .execute();
    if (orphans.length === 0) return 0n;
    const res = await db
      .deleteFrom('consents')
      .where(({ eb, refTuple, tuple }) => eb(refTuple('user_id', 'client_id'), 'in', orphans.map((o) => tuple(o.user_id, o.client_id))))
      .executeTakeFirst();
    return res.numDeletedRows;
  });

  // A client assertion's jti is kept only while the assertion could pass its exp check (RFC 7523 §3 item 7).
  const clientAssertionJtis = await drain(async () =>
    deleted(
      await db
        .deleteFrom('client_assertion_jtis')
        // By jti hash (random, so a batch of hashes is a batch of rows), expired ones only.
        .where('jti_hash', 'in', batch(db.selectFrom('client_assertion_jtis').select('jti_hash').where('expires_at', '<=', now)))
        .where('expires_at', '<=', now)
        .executeTakeFirst(),
    ),
  );

  // Back-channel logouts delivered or given up stay `retentionSeconds` for inspection; pending ones stay until done.
  const backchannelLogouts = await drain(async () =>
    deleted(
      await db
        .deleteFrom('backchannel_logouts')
        .where('id', 'in', batch(db.selectFrom('backchannel_logouts').select('id').where('finished_at_ms', 'is not', null).where('finished_at_ms', '<', kept * 1000)))
        .executeTakeFirst(),
    ),
  );

  return { codes, tokens, grants, sessions, interactions, loginThrottle, rateLimits, consents, clientAssertionJtis, backchannelLogouts, deviceCodes, pushedRequests: pushedRequests + jtis, dpopProofs };
}

export interface JanitorSettings extends PurgeSettings {
  enabled: boolean;
  intervalSeconds: number;
}

export interface Janitor {
  /** Runs one purge now (the periodic timer keeps its schedule). */
  runOnce(): Promise<PurgeReport | undefined>;
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

/**
 * The in-process periodic purge. Each node runs it every `intervalSeconds`, jittered by ±20% (and the first run at a
 * random point of the first interval), so nodes started together do not purge in lockstep. A failed run (the
 * database is away) is logged and retried at the next tick.
 */
export function startJanitor(
  run: () => Promise<PurgeReport>,
  settings: Pick<JanitorSettings, 'enabled' | 'intervalSeconds'>,
  logger: Logger,
): Janitor {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<PurgeReport | undefined> | undefined;
  let stopped = false;
  const interval = settings.intervalSeconds * 1000;

  const runOnce = (): Promise<PurgeReport | undefined> => {
    if (running) return running;
    const started = Date.now();
    running = run()
      .then((report) => {
        const total = Object.values(report).reduce((a, b) => a + b, 0);
        if (total > 0) logger.info({ event: 'janitor', ...report, ms: Date.now() - started }, 'removed expired rows');
        return report;
      })
      .catch((err: unknown) => {
        logger.warn({ event: 'janitor_failed', err }, 'janitor run failed; retrying at the next interval');
        return undefined;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  const schedule = (delay: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      void runOnce().finally(() => schedule(interval * (0.8 + Math.random() * 0.4)));
    }, delay);
    timer.unref();
  };
  if (settings.enabled) schedule(Math.random() * interval);

  return {
    runOnce,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
