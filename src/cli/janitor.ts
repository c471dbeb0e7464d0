import type { Command } from 'commander';
import { z } from 'zod';
import { purgeExpired } from '../storage/janitor.ts';
import { checked, type CommonOptions, withCommonOptions, withStorage } from './context.ts';

interface JanitorOptions extends CommonOptions {
  batchSize?: string;
}

/**
 * `latchkey janitor`: removes expired codes, tokens, grants, sessions, interactions and counters once, in small
 * batches, and says how many rows went. Every running node already does this periodically (config `janitor`); the
 * command is for a cron job when `janitor.enabled` is false, or for a one-off clean-up. Safe alongside running nodes.
 */
export function registerJanitor(program: Command): void {
  withCommonOptions(
    program
      .command('janitor')
      .description('remove expired codes, tokens, sessions and other dead rows now, in small batches')
      .option('--batch-size <n>', 'rows deleted per statement (default: janitor.batchSize)'),
  ).action(async (opts: JanitorOptions) => {
    await withStorage(opts, async ({ config, storage, now, out }) => {
      const batchSize = opts.batchSize === undefined ? config.janitor.batchSize : checked('--batch-size', z.coerce.number().int().min(1).max(10_000), opts.batchSize);
      const started = Date.now();
      const purged = await purgeExpired(storage.db, storage.dialect, now, {
        ...config.janitor,
        batchSize,
        loginFailureWindowSeconds: config.rateLimit.loginFailureWindowSeconds,
      });
      // Signing keys whose publication has ended (a handful of rows; rotation itself needs the KEK: `keys rotate`).
      const removed = { ...purged, signingKeys: await storage.repos.signingKeys.deleteExpired(now) };
      const total = Object.values(removed).reduce((a, b) => a + b, 0);
      out.result({ removed, total, ms: Date.now() - started }, () =>
        [`removed ${total} expired row${total === 1 ? '' : 's'}`, ...Object.entries(removed).map(([table, n]) => `  ${`${table}:`.padEnd(16)}${n}`)].join('\n'),
      );
    });
  });
}
