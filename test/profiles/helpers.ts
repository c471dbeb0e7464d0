import { execFile, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import type { ConfigInput } from '../../src/config/schema.ts';
import type { Clock } from '../../src/core/clock.ts';
import { startServer, testConfig, TEST_PASSWORD, type TestServer } from '../support/server.ts';
import type { Outcome, UserChoices } from '../support/user-agent.ts';

/** Shared pieces of the migration-profile tests (test/profiles/*.test.ts). */

export const PROFILE_SECRET = 'profile-client-secret-0123456789';

export const alice: UserChoices = { username: 'alice', password: TEST_PASSWORD, decision: 'allow' };
/** A user who never consents to anything, so the consent page is always shown to her and she declines. */
export const carol: UserChoices = { username: 'carol', password: TEST_PASSWORD, decision: 'deny' };

type ClientInput = NonNullable<ConfigInput['clients']>[number];

/** A confidential client configured as docs/profiles.md tells an operator to: no PKCE, the document's redirect URI. */
export const migratedClient = (id: string, redirectUris: string[], extra: Partial<ClientInput> = {}): ClientInput => ({
  id,
  name: `${id} (migrated)`,
  secret: PROFILE_SECRET,
  redirectUris,
  grantTypes: ['authorization_code', 'refresh_token'],
  scopes: ['openid', 'profile'],
  requirePkce: false,
  ...extra,
});

/** Latchkey with the baseline clients plus `clients`, and the given profiles on. */
export async function startProfileServer(
  profiles: NonNullable<ConfigInput['profiles']>,
  clients: ClientInput[],
  options: { config?: Partial<ConfigInput>; clock?: Clock; logStream?: NodeJS.WritableStream } = {},
): Promise<TestServer> {
  const base = testConfig();
  const { config, ...rest } = options;
  const users = [...(base.users ?? []), { username: 'carol', password: TEST_PASSWORD, name: 'Carol' }];
  return startServer({ users, ...config, profiles, clients: [...(base.clients ?? []), ...clients] }, rest);
}

/** Collects the server's log lines (pino JSON) so a test can check what was, and was not, logged. */
export function logCapture(): { stream: Writable; text(): string; events(name: string): Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const text = () => chunks.join('');
  const events = (name: string) =>
    text()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((e) => e['event'] === name);
  return { stream, text, events };
}

export const userinfo = (server: TestServer, token: string) =>
  fetch(new URL('/userinfo', server.url), { headers: { authorization: `Bearer ${token}` } });

/** The redirect back to the client; fails the test when the flow stopped at a page. */
export function redirected(out: Outcome): URL {
  if (!out.location) throw new Error(`expected a redirect to the client, got status ${out.status} page ${out.page ?? '-'}`);
  return out.location;
}

export const json = async (res: Response): Promise<Record<string, unknown>> => (await res.json()) as Record<string, unknown>;

/**
 * php-cli with curl runs the PHP clients of the redCORE and Twitch documents. Missing: the file fails under CI=true,
 * and is skipped with a message otherwise.
 */
export function phpAvailable(): boolean {
  const ok = spawnSync('php', ['-r', 'exit(function_exists("curl_init") ? 0 : 1);'], { stdio: 'ignore' }).status === 0;
  if (!ok && process.env['CI'] === 'true') throw new Error('php-cli and php-curl are required in CI: apt-get install php-cli php-curl');
  if (!ok) console.warn('skipping the PHP client tests: php-cli with curl is missing (apt-get install php-cli php-curl)');
  return ok;
}

const run = promisify(execFile);

/** Runs test/profiles/php/<script> with arguments; stdout is the client's output, stderr its request headers. */
export async function php(script: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run('php', [join(import.meta.dirname, 'php', script), ...args], { timeout: 100_000 });
}
