import { Command } from 'commander';
import { ConfigError } from '../config/load.ts';
import { start } from './start.ts';

const program = new Command('latchkey').description('Latchkey, a self-hosted OAuth 2 authorization server');

program
  .command('start')
  .description('start the server (migrates the database first)')
  .option('-c, --config <file>', 'JSON config file')
  .option('-p, --port <port>', 'port to listen on', (v) => Number(v))
  .option('--host <host>', 'address to listen on')
  .option('--issuer <url>', 'public base URL')
  .option('-d, --database <path>', 'SQLite file path')
  .action(async (opts: { config?: string; port?: number; host?: string; issuer?: string; database?: string }) => {
    const overrides: Record<string, unknown> = {};
    for (const key of ['port', 'host', 'issuer', 'database'] as const) if (opts[key] !== undefined) overrides[key] = opts[key];
    await start({ file: opts.config, env: process.env, overrides });
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof ConfigError) process.stderr.write(`latchkey: ${err.message}\n`);
  else process.stderr.write(`latchkey: ${(err as Error).message}\n`);
  process.exit(1);
});
