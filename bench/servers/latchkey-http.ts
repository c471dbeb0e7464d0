import { pathToFileURL } from 'node:url';
import { announce, onStop } from '../common.ts';
import { freePort } from './free-port.ts';

/**
 * A second ceiling: Latchkey's own HTTP layer (src/http/server.ts: Fastify with Latchkey's strict body parsers,
 * multipart, cookies, rate-limit plugin, request deadline and security headers, logLevel warn as in the Latchkey run)
 * answering the token and introspection paths with the bare server's fixed JSON. What Latchkey does beyond it
 * (client authentication, tokens, SQLite) is the difference between this row and Latchkey's; what Fastify and the
 * hardening cost is the difference between this row and the bare server's.
 */
const root = new URL('../../', import.meta.url);
const distDir = process.env['BENCH_LATCHKEY_DIST'] ? pathToFileURL(`${process.env['BENCH_LATCHKEY_DIST'].replace(/\/$/, '')}/`) : new URL('dist/', root);
const dist = (path: string) => new URL(path, distDir).href;
const { createServer } = (await import(dist('http/server.js'))) as typeof import('../../src/http/server.ts');
const { parseConfig } = (await import(dist('config/load.js'))) as typeof import('../../src/config/load.ts');

const body = JSON.stringify({
  access_token: 'lk_at_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG',
  token_type: 'Bearer',
  expires_in: 3600,
  scope: 'api',
});
const port = await freePort();
const config = parseConfig({ issuer: `http://127.0.0.1:${port}`, port, host: '127.0.0.1', logLevel: process.env['BENCH_LATCHKEY_LOG_LEVEL'] ?? 'warn', demo: false });
const app = await createServer(config);
for (const path of [config.paths.token, config.paths.introspection]) {
  app.post(path, (_req, reply) => {
    reply.header('cache-control', 'no-store').type('application/json; charset=utf-8').send(body);
  });
}
await app.listen({ port, host: '127.0.0.1' });
announce({
  port,
  version: 'dist',
  endpoints: { token: config.paths.token, introspection: config.paths.introspection },
  notes: [`Latchkey's HTTP layer (built JS, ${distDir.pathname}), fixed JSON`],
});
onStop(() => app.close());
