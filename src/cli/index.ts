import { Command } from 'commander';
import { ConfigError } from '../config/load.ts';
import { registerClients } from './clients.ts';
import { registerJanitor } from './janitor.ts';
import { registerKeys } from './keys.ts';
import { CliError } from './context.ts';
import { registerMigrate } from './migrate.ts';
import { registerProfiles } from './profiles.ts';
import { registerScopes } from './scopes.ts';
import { registerUsers } from './users.ts';

const program = new Command('latchkey')
  .description('Latchkey, a self-hosted OAuth 2 authorization server')
  // Subcommands inherit this: commander's own errors (missing option, unknown flag) read like ours.
  .configureOutput({ outputError: (str, write) => write(`latchkey: ${str.replace(/^error: /, '')}`) });

program
  .command('start')
  .description('start the server (migrates the database first)')
  .option('-c, --config <file>', 'JSON config file')
  .option('-p, --port <port>', 'port to listen on', (v) => Number(v))
  .option('--host <host>', 'address to listen on')
  .option('--issuer <url>', 'public base URL')
  .option('-d, --database <path>', 'SQLite file path or postgres:// URL')
  .action(async (opts: { config?: string; port?: number; host?: string; issuer?: string; database?: string }) => {
    const overrides: Record<string, unknown> = {};
    for (const key of ['port', 'host', 'issuer', 'database'] as const) if (opts[key] !== undefined) overrides[key] = opts[key];
    // Loaded on demand: the server's modules would slow down every management command.
    const { start } = await import('./start.ts');
    await start({ file: opts.config, env: process.env, overrides });
  });

registerMigrate(program);
registerClients(program);
registerUsers(program);
registerScopes(program);
registerProfiles(program);
registerJanitor(program);
registerKeys(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof CliError) process.stderr.write(`latchkey: ${err.message}\n`);
  else process.stderr.write(`latchkey: ${(err as Error).message}\n`);
  process.exit(1);
});
