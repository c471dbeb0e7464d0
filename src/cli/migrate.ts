import type { Command } from 'commander';
import { type CommonOptions, withCommonOptions, withStorage } from './context.ts';

/** `latchkey migrate`: applies pending migrations and says which ran (`start` also migrates on its own). */
export function registerMigrate(program: Command): void {
  withCommonOptions(program.command('migrate').description('apply pending database migrations')).action(async (opts: CommonOptions) => {
    await withStorage(opts, async ({ applied, config, out }) => {
      out.result({ database: config.database, applied }, () =>
        applied.length === 0
          ? `${config.database}: already up to date`
          : `${config.database}: applied ${applied.length} migration${applied.length === 1 ? '' : 's'}\n${applied.map((m) => `  ${m}`).join('\n')}`,
      );
    });
  });
}
