import { configWarnings, type ConfigSources, loadConfig } from '../config/load.ts';
import { buildLatchkey, type Latchkey } from '../main.ts';
import { describeDatabaseError } from './database-errors.ts';
import { demoStillPresentHint } from './demo-hint.ts';
import { prettyLogStream, resolveLogFormat } from './log-format.ts';

/** `latchkey start`: migrate, sync declared entities, create the demo on first start, listen. */
export async function start(sources: ConfigSources): Promise<void> {
  const config = loadConfig(sources);
  let latchkey: Latchkey;
  try {
    // On a terminal the banner below and the log lines share the screen: human-readable lines there (log-format.ts).
    const pretty = resolveLogFormat(config.logFormat, process.stdout.isTTY === true) === 'pretty';
    latchkey = await buildLatchkey(config, pretty ? { logStream: prettyLogStream(process.stdout) } : {});
  } catch (err) {
    // Opening and migrating the database come first: say which database failed (never with its password).
    throw describeDatabaseError(config.database, err);
  }
  for (const w of configWarnings(config)) latchkey.app.log.warn({ event: 'config_warning' }, w);
  // Asked before listening, so that the whole banner is written at once, with nothing to wait for in between.
  const database = sources.overrides?.['database'];
  const demoHint = latchkey.demo
    ? undefined
    : await demoStillPresentHint(latchkey.storage.repos, config, { file: sources.file, database: typeof database === 'string' ? database : undefined });
  await latchkey.app.listen({ port: config.port, host: config.host });
  const out = process.stdout;
  out.write(`\nLatchkey is listening: ${config.issuer}\n`);
  out.write(`  metadata: ${config.issuer}/.well-known/oauth-authorization-server\n`);
  out.write(`  console:  ${config.issuer}/console   (administrators)   account: ${config.issuer}/account\n`);
  if (latchkey.demo) {
    // Printed once, to the terminal (not the log), so the person can try the flow right away.
    const d = latchkey.demo;
    out.write('\nFirst start: created a demo application and user (shown once; store them if you need them):\n');
    out.write(`  client_id:     ${d.client.id}\n  client_secret: ${d.clientSecret}\n`);
    out.write(`  username:      ${d.username}\n  password:      ${d.password}\n`);
    out.write(`\nOpen this in a browser, sign in, and click Allow:\n  ${d.authorizationUrl}\n`);
    // Consent is remembered: without this, a newcomer never sees the consent page again to try Deny.
    out.write(`Your consent is remembered: add &prompt=consent to the URL to see the consent page again (and try Deny),\n`);
    out.write(`or withdraw it in your account: ${config.issuer}/account\n`);
    out.write(`The demo user is an administrator: sign in to ${config.issuer}/console to manage applications and users.\n\n`);
  } else if (demoHint !== undefined) {
    out.write(`\n${demoHint}\n`);
  }
  // Graceful: stop accepting connections, answer requests already received (later ones on open connections get 503,
  // and /readyz says so), then close the database pool. A second signal, or the timeout, ends the process at once.
  const stop = async (signal: string) => {
    latchkey.app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    const force = setTimeout(() => {
      latchkey.app.log.error({ event: 'shutdown_timeout' }, `requests still running after ${config.shutdownTimeoutSeconds} s; exiting`);
      process.exit(1);
    }, config.shutdownTimeoutSeconds * 1000);
    force.unref();
    try {
      await latchkey.close();
      latchkey.app.log.info({ event: 'stopped' }, 'stopped');
      process.exit(0);
    } catch (err) {
      latchkey.app.log.error({ event: 'shutdown_failed', err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}
