import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerClients } from './clients.ts';
import { registerJanitor } from './janitor.ts';
import { registerKeys } from './keys.ts';
import { registerMigrate } from './migrate.ts';
import { registerProfiles } from './profiles.ts';
import { registerRegistration } from './registration.ts';
import { reportError, wantsJson } from './report-error.ts';
import { registerResources } from './resources.ts';
import { registerTrustedIssuers } from './trusted-issuers.ts';
import { unknownOptionsFirst } from './unknown-options-first.ts';
import { registerScopes } from './scopes.ts';
import { registerAdmin, registerToken } from './token/register.ts';
import { registerUsers } from './users.ts';

// src/cli/index.ts in a checkout, dist/cli/index.js in the package: package.json is two levels up from both.
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('latchkey')
  .description('Latchkey, a self-hosted OAuth 2 authorization server')
  .version(version, '-V, --version', 'print the version')
  // Subcommands inherit both (they are created after): commander's own errors (an unknown or misspelled option or
  // command, a missing option) are thrown instead of printed, and reportError prints them as it prints ours, one
  // line with the closest known name ("did you mean --json?"), or JSON under --json.
  .showSuggestionAfterError(true)
  .exitOverride()
  .configureOutput({ outputError: () => undefined });

program
  .command('start')
  .description('start the server (migrates the database first)')
  .option('-c, --config <file>', 'JSON config file')
  .option('-p, --port <port>', 'port to listen on', (v) => Number(v))
  .option('--host <host>', 'address to listen on')
  .option('--issuer <url>', 'public base URL')
  .option('-d, --database <path>', 'SQLite file path or postgres:// URL')
  .option('--log-format <format>', 'auto (pretty on a terminal, else JSON), json or pretty')
  .action(async (opts: { config?: string; port?: number; host?: string; issuer?: string; database?: string; logFormat?: string }) => {
    const overrides: Record<string, unknown> = {};
    for (const key of ['port', 'host', 'issuer', 'database', 'logFormat'] as const) if (opts[key] !== undefined) overrides[key] = opts[key];
    // Loaded on demand: the server's modules would slow down every management command.
    const { start } = await import('./start.ts');
    await start({ file: opts.config, env: process.env, overrides });
  });

registerMigrate(program);
registerClients(program);
registerUsers(program);
registerScopes(program);
registerResources(program);
registerTrustedIssuers(program);
registerProfiles(program);
registerJanitor(program);
registerToken(program);
registerAdmin(program);
unknownOptionsFirst(program);
registerKeys(program);
registerRegistration(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.exit(reportError(err, wantsJson(process.argv.slice(2))));
});
