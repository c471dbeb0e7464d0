import type { Kysely } from 'kysely';
import { executeRaw, runDirectly, type DirectExecutor } from './kysely/precompiled.ts';
import type { LatchkeyDatabase } from './schema.ts';

type Work<R, T> = (repos: R) => Promise<T>;

interface Queued<R> {
  fn: Work<R, unknown>;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}


/**
 * Group commit for the embedded database. SQLite has one writer, so transactions run one after another anyway; what
 * costs is the commit itself (the WAL frames it writes, and the checkpoints they bring). Transactions requested while
 * one batch runs are queued, and the next batch runs them in one database transaction, each inside its own savepoint:
 * a unit that throws is rolled back alone (its savepoint), the others go on. Nobody learns the outcome of a unit before
 * the batch has committed, so a response never reports a write that is not durable; if the commit fails, every unit
 * of the batch fails. Atomicity and isolation per unit are those of a transaction: units run serially, each sees the
 * committed or earlier-unit state, and a unit's writes are all kept or all undone.
 */
export function groupCommit<R>(db: Kysely<LatchkeyDatabase>, bind: (trx: Kysely<LatchkeyDatabase>) => R, direct?: DirectExecutor) {
  let queue: Queued<R>[] = [];
  let scheduled = false;

  const flush = async (): Promise<void> => {
    scheduled = false;
    const batch = queue;
    queue = [];
    const outcomes: { ok: boolean; value: unknown }[] = [];
    try {
      await db.transaction().execute(async (trx) => {
        // The transaction holds the connection: its statements may skip kysely's hand-over (precompiled.ts).
        runDirectly(trx, direct);
        try {
          const repos = bind(trx);
          for (const unit of batch) {
            await executeRaw(trx, 'savepoint lk_unit');
            try {
              const value = await unit.fn(repos);
              await executeRaw(trx, 'release lk_unit');
              outcomes.push({ ok: true, value });
            } catch (err) {
              await executeRaw(trx, 'rollback to lk_unit');
              await executeRaw(trx, 'release lk_unit');
              outcomes.push({ ok: false, value: err });
            }
          }
        } finally {
          runDirectly(trx, undefined);
        }
      });
    } catch (err) {
      for (const unit of batch) unit.reject(err);
      return;
    }
    batch.forEach((unit, i) => {
      const o = outcomes[i];
      if (o?.ok) unit.resolve(o.value);
      else unit.reject(o?.value);
    });
  };

  return <T>(fn: Work<R, T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (!scheduled) {
        scheduled = true;
        setImmediate(() => void flush());
      }
    });
}
