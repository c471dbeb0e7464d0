import { configWarnings, type ConfigSources, loadConfig } from '../config/load.ts';
import { buildLatchkey } from '../main.ts';

/** `latchkey start`: migrate, sync declared entities, create the demo on first start, listen. */
export async function start(sources: ConfigSources): Promise<void> {
  const config = loadConfig(sources);
  const latchkey = await buildLatchkey(config);
  for (const w of configWarnings(config)) latchkey.app.log.warn({ event: 'config_warning' }, w);
  await latchkey.app.listen({ port: config.port, host: config.host });
  const out = process.stdout;
  out.write(`\nLatchkey is listening: ${config.issuer}\n`);
  out.write(`  metadata: ${config.issuer}/.well-known/oauth-authorization-server\n`);
  if (latchkey.demo) {
    // Printed once, to the terminal (not the log), so the person can try the flow right away.
    const d = latchkey.demo;
    out.write('\nFirst start: created a demo application and user (shown once; store them if you need them):\n');
    out.write(`  client_id:     ${d.client.id}\n  client_secret: ${d.clientSecret}\n`);
    out.write(`  username:      ${d.username}\n  password:      ${d.password}\n`);
    out.write(`\nOpen this in a browser, sign in, and click Allow:\n  ${d.authorizationUrl}\n\n`);
  }
  const stop = async (signal: string) => {
    latchkey.app.log.info({ signal }, 'shutting down');
    await latchkey.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}
