import type { Command } from 'commander';
import { redactDatabaseUrl } from '../storage/index.ts';
import { type CommonOptions, withCommonOptions, withStorage } from './context.ts';

/** `latchkey migrate`: applies pending migrations and says which ran (`start` also migrates on its own). */
export function registerMigrate(program: Command): void {
  withCommonOptions(program.command('migrate').description('apply pending database migrations')).action(async (opts: CommonOptions) => {
    await withStorage(opts, async ({ applied, config, out }) => {
      // A PostgreSQL URL may carry a password: never print it.
      const database = redactDatabaseUrl(config.database);
      out.result({ database, applied }, () =>
        applied.length === 0
          ? `${database}: already up to date`
          : `${database}: applied ${applied.length} migration${applied.length === 1 ? '' : 's'}\n${applied.map((m) => `  ${m}`).join('\n')}`,
      );
    });
  });
}
