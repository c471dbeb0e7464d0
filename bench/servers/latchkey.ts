import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { announce, onStop, profileOnSignal } from '../common.ts';
import { freePort } from './free-port.ts';
import { benchLatchkeyConfig, withExchangeGrants } from './latchkey-config.ts';

/**
 * Latchkey as it runs in production: the built JS from dist/ (`npm run build`), a durable SQLite file (WAL,
 * synchronous=NORMAL, the defaults) in a fresh temporary directory, the default security settings. Two settings
 * differ from the defaults, both stated in the report: the token endpoint's per-address rate limit is off (every
 * request of the benchmark comes from 127.0.0.1), and the log level is `warn` (at `info`, Fastify writes two lines
 * per request).
 */
const root = new URL('../../', import.meta.url);
// BENCH_LATCHKEY_DIST names another build (say, of an older checkout) to compare with.
const distDir = process.env['BENCH_LATCHKEY_DIST'] ? pathToFileURL(`${process.env['BENCH_LATCHKEY_DIST'].replace(/\/$/, '')}/`) : new URL('dist/', root);
const dist = (path: string) => new URL(path, distDir).href;
const { buildLatchkey } = (await import(dist('main.js'))) as typeof import('../../src/main.ts');
const { parseConfig } = (await import(dist('config/load.js'))) as typeof import('../../src/config/load.ts');
const { version } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { version: string };

const logLevel = process.env['BENCH_LATCHKEY_LOG_LEVEL'] ?? 'warn';
const dir = mkdtempSync(join(tmpdir(), 'latchkey-bench-'));
const port = await freePort();
const base = benchLatchkeyConfig({ port, database: join(dir, 'latchkey.db'), logLevel, env: process.env });
// An older build (BENCH_LATCHKEY_DIST) from before token exchange refuses the exchange settings: it runs without them,
// and token_exchange and jwt_bearer are n/a for it. This checkout's own build must accept them.
let exchangeGrants = true;
let config: ReturnType<typeof parseConfig>;
try {
  config = parseConfig(withExchangeGrants(base));
} catch (err) {
  if (!process.env['BENCH_LATCHKEY_DIST']) throw err;
  exchangeGrants = false;
  config = parseConfig(base);
}
const writeProfile = await profileOnSignal();
const latchkey = await buildLatchkey(config);
await latchkey.app.listen({ port, host: '127.0.0.1' });
announce({
  port,
  version,
  endpoints: {
    token: config.paths.token,
    introspection: config.paths.introspection,
    authorization: config.paths.authorization,
    resource: config.paths.userinfo,
    openidConfiguration: '/.well-known/openid-configuration',
    jwtAccessTokens: true,
    exchangeGrants,
  },
  notes: [`built JS (${distDir.pathname})`, `SQLite file, WAL`, `logLevel ${logLevel}`, 'token rate limit off', `ID tokens ${config.oidc.defaultIdTokenAlg}`, `JWT access tokens ${config.resourceTokens.jwtAccessTokenAlg ?? config.oidc.defaultIdTokenAlg}`, ...(exchangeGrants ? [] : ['no token exchange in this build'])],
});
onStop(async () => {
  await writeProfile?.();
  await latchkey.close();
  rmSync(dir, { recursive: true, force: true });
});
