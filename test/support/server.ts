import type { ClientKeySource } from '../../src/core/authorize/client-keys.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.ts';
import type { ConfigInput } from '../../src/config/schema.ts';
import type { Clock } from '../../src/core/clock.ts';
import { buildLatchkey, type Latchkey } from '../../src/main.ts';
import { PROFILE_NAMES } from '../../src/config/profile-names.ts';

export interface TestServer {
  url: string;
  latchkey: Latchkey;
  close(): Promise<void>;
}

export const TEST_SECRET = 'test-secret-0123456789abcdef';
export const TEST_PASSWORD = 'correct horse battery staple';

/** A baseline config: one confidential client, one public client, one user; overridable per test. */
export function testConfig(overrides: Partial<ConfigInput> = {}): ConfigInput {
  return {
    logLevel: 'silent',
    demo: false,
    clients: [
      {
        id: 'web-app',
        name: 'Web App',
        secret: TEST_SECRET,
        redirectUris: ['https://client.example/callback', 'http://127.0.0.1/cb'],
        grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
      },
      { id: 'spa', name: 'Single Page App', type: 'public', redirectUris: ['https://spa.example/cb'] },
    ],
    users: [{ username: 'alice', password: TEST_PASSWORD, name: 'Alice Liddell', email: 'alice@example.com' }],
    // The "profiles on" project of vitest.config.ts runs the core suites with every migration profile switched on,
    // to prove the profiles leave the standard endpoints unchanged (issue 3).
    ...(process.env['LATCHKEY_TEST_ALL_PROFILES'] === '1' ? { profiles: [...PROFILE_NAMES] } : {}),
    ...overrides,
  };
}

/**
 * Starts Latchkey on 127.0.0.1 with a fresh SQLite file; the issuer is the real loopback URL unless `overrides.issuer`
 * names another (e.g. https://auth.example to test Secure cookies; requests still go to `url`).
 */
export async function startServer(overrides: Partial<ConfigInput> = {}, options: { clock?: Clock; logStream?: NodeJS.WritableStream; clientKeys?: ClientKeySource } = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-test-'));
  // Bind first to learn the port, so the issuer (and so `iss`) is the real URL.
  const probe = await import('node:net').then(
    (net) =>
      new Promise<number>((resolve) => {
        const s = net.createServer().listen(0, '127.0.0.1', () => {
          const port = (s.address() as { port: number }).port;
          s.close(() => resolve(port));
        });
      }),
  );
  // A given database outlives the server (a restart on the same data); the default one goes with it.
  const config = parseConfig({ ...testConfig(overrides), database: overrides.database ?? join(dir, 'latchkey.db'), port: probe, host: '127.0.0.1', issuer: overrides.issuer ?? `http://127.0.0.1:${probe}` });
  const latchkey = await buildLatchkey(config, options);
  await latchkey.app.listen({ port: probe, host: '127.0.0.1' });
  return {
    url: `http://127.0.0.1:${probe}`,
    latchkey,
    async close() {
      await latchkey.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
