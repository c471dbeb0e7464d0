import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { announce, BENCH, idTokenAlgOf, onStop, profileOnSignal } from '../common.ts';
import { freePort } from './free-port.ts';

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
const config = parseConfig({
  issuer: `http://127.0.0.1:${port}`,
  port,
  host: '127.0.0.1',
  database: join(dir, 'latchkey.db'),
  logLevel,
  demo: false,
  // The login throttle counts an attempt before its password is checked (so parallel guesses cannot race it); 50
  // connections signing one user in from one address are 50 attempts in flight, which it would rightly slow down.
  // The bench measures throughput, so it lifts the counts, as it lifts the token rate limit.
  rateLimit: { tokenPerMinute: 0, clientAuthFailuresPerMinute: 0, loginFreeFailures: 10_000, loginFreeFailuresPerAddress: 10_000 },
  // BENCH_ID_TOKEN_ALG=ES256|EdDSA: what each ID token algorithm costs (auth_code_oidc); RS256 by default.
  oidc: { defaultIdTokenAlg: idTokenAlgOf(process.env) },
  // BENCH_LATCHKEY_JWT_ALG=ES256|EdDSA: what each JWT access-token algorithm costs (client_credentials_jwt); default as ID tokens.
  ...(process.env['BENCH_LATCHKEY_JWT_ALG'] ? { resourceTokens: { jwtAccessTokenAlg: process.env['BENCH_LATCHKEY_JWT_ALG'] } } : {}),
  scopes: [
    { name: 'openid', description: 'Know who you are', claims: [] },
    { name: 'profile', description: 'See your name and username', claims: ['name', 'preferred_username'] },
    { name: 'email', description: 'See your email address', claims: ['email'] },
    { name: BENCH.clientScope, description: 'Call the API', claims: [] },
  ],
  clients: [
    {
      id: BENCH.clientId,
      name: 'Benchmark client',
      secret: BENCH.clientSecret,
      redirectUris: [BENCH.redirectUri],
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
    },
  ],
  users: [{ username: BENCH.username, password: BENCH.password, name: BENCH.userName, email: BENCH.email }],
  // client_credentials_jwt: RFC 9068 JWT access tokens for this API (RFC 8707 resource); without resource, opaque.
  resources: [{ id: BENCH.jwtResource, name: 'Bench API', scopes: [BENCH.clientScope], accessTokenFormat: 'jwt' }],
});
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
  },
  notes: [`built JS (${distDir.pathname})`, `SQLite file, WAL`, `logLevel ${logLevel}`, 'token rate limit off', `ID tokens ${config.oidc.defaultIdTokenAlg}`, `JWT access tokens ${config.resourceTokens.jwtAccessTokenAlg ?? config.oidc.defaultIdTokenAlg}`],
});
onStop(async () => {
  await writeProfile?.();
  await latchkey.close();
  rmSync(dir, { recursive: true, force: true });
});
