import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { withPage } from '../../support/browser.ts';
import { signIn } from '../../support/browser-flows.ts';
import { startServer, TEST_PASSWORD, type TestServer } from '../../support/server.ts';
import { freshConfigHome, runLatchkey, startLatchkey } from './run-token.ts';

/**
 * `latchkey admin login --server URL` signs an administrator in once, in Chromium, with the built-in `latchkey-cli`
 * client; `clients list` and `users list` with `--server URL` then use the admin API over HTTP, no database opened.
 */

let server: TestServer;
beforeAll(async () => {
  server = await startServer({
    users: [
      { username: 'alice', password: TEST_PASSWORD, name: 'Alice Liddell', email: 'alice@example.com', admin: true },
      { username: 'bob', password: TEST_PASSWORD, name: 'Bob', email: 'bob@example.com' },
    ],
    // The smallest device polling interval: the device-flow tests wait for answers, never for time.
    deviceFlow: { interval: 1 },
  });
});
afterAll(async () => {
  await server?.close();
});

const AUTH_URL = /\n {2}(http:\/\/127\.0\.0\.1:\d+\/\S+)\n/;
const VERIFY = /latchkey: to sign in, visit (\S+) and enter the code (\S+)\nlatchkey: or open (\S+)\n/;

/** The person's side of the device flow (RFC 8628 §3.3) on Latchkey's /device page. */
async function approveDevice(page: Page, url: string, username = 'alice'): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Allow' }).click();
}

describe('latchkey admin login and --server', () => {
  it('lists clients and users over the admin API after one browser sign-in, and not before or after logout', async (ctx) => {
    const home = freshConfigHome();
    const env = { XDG_CONFIG_HOME: home };
    const before = await runLatchkey(['clients', 'list', '--server', server.url], { env });
    expect(before.code).toBe(1);
    expect(before.stderr).toBe(`latchkey: not signed in to ${server.url}: run \`latchkey admin login --server ${server.url}\`\n`);

    const running = startLatchkey(['admin', 'login', '--server', server.url, '--no-browser'], { keepInputOpen: true, env });
    const [, url] = await running.waitForStderr(AUTH_URL);
    expect(new URL(url ?? '').searchParams.get('client_id')).toBe('latchkey-cli');
    expect(new URL(url ?? '').searchParams.get('scope')).toBe('admin');
    await withPage(ctx, async (page) => {
      await page.goto(url ?? '');
      await signIn(page);
      await page.getByRole('button', { name: 'Allow' }).click();
      await page.getByRole('heading', { name: 'Signed in' }).waitFor();
    });
    const login = await running.done;
    expect(login.code).toBe(0);
    expect(login.stderr).toContain(`latchkey: signed in to ${server.url}; commands with --server ${server.url} now use the admin API\n`);

    // Run from a folder with no database: the answers can only come over HTTP.
    const clients = await runLatchkey(['clients', 'list', '--server', server.url, '--json'], { env });
    expect(clients.stderr).toBe('');
    expect((JSON.parse(clients.stdout) as { id: string }[]).map((c) => c.id)).toEqual(expect.arrayContaining(['web-app', 'spa', 'latchkey-cli']));
    const users = await runLatchkey(['users', 'list', '--server', server.url], { env });
    expect(users.stderr).toBe('');
    expect(users.stdout).toMatch(/^USERNAME +NAME +EMAIL +ADMIN +DISABLED\nalice +Alice Liddell +alice@example.com +yes\s*\nbob +Bob +bob@example.com\s*\n$/);

    // An expired admin token is refreshed on the way (latchkey-cli has refresh tokens), and the answer still comes.
    const tokens = join(home, 'latchkey', 'tokens');
    const [file] = readdirSync(tokens);
    const cacheFile = join(tokens, file ?? '');
    writeFileSync(cacheFile, JSON.stringify({ ...(JSON.parse(readFileSync(cacheFile, 'utf8')) as object), expiresAt: 0 }));
    const refreshed = await runLatchkey(['users', 'list', '--server', server.url, '--json'], { env });
    expect(refreshed.stderr).toBe('');
    expect((JSON.parse(refreshed.stdout) as { username: string }[]).map((u) => u.username)).toEqual(['alice', 'bob']);
    expect((JSON.parse(readFileSync(cacheFile, 'utf8')) as { expiresAt: number }).expiresAt).toBeGreaterThan(0);

    // The same cached token, printed for curl (docs/admin-api.md).
    const printed = await runLatchkey(['token', '--issuer', server.url, '--client-id', 'latchkey-cli', '--scope', 'admin', '--print', 'access_token'], { env });
    expect(printed.stderr).toBe('');
    const api = await fetch(`${server.url}/admin/api/v1/users`, { headers: { authorization: `Bearer ${printed.stdout.trim()}` } });
    expect(api.status).toBe(200);

    const logout = await runLatchkey(['admin', 'logout', '--server', server.url], { env });
    expect(logout.code).toBe(0);
    const after = await runLatchkey(['users', 'list', '--server', server.url], { env });
    expect(after.code).toBe(1);
    expect(after.stderr).toBe(`latchkey: not signed in to ${server.url}: run \`latchkey admin login --server ${server.url}\`\n`);
  });

  it('refuses a user who is not an administrator at sign-in (access_denied), in one line', async (ctx) => {
    const running = startLatchkey(['admin', 'login', '--server', server.url, '--no-browser'], { keepInputOpen: true, env: { XDG_CONFIG_HOME: freshConfigHome() } });
    const [, url] = await running.waitForStderr(AUTH_URL);
    await withPage(ctx, async (page) => {
      await page.goto(url ?? '');
      await page.getByLabel('Username').fill('bob');
      await page.getByLabel('Password').fill(TEST_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Sign-in not completed' }).waitFor();
    });
    const run = await running.done;
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/\nlatchkey: the authorization server refused: access_denied[^\n]*\n$/);
  });

  it('signs in by the device flow with --device (RFC 8628), approved on /device in Chromium; clients list then works over HTTP', async (ctx) => {
    const env = { XDG_CONFIG_HOME: freshConfigHome() };
    const running = startLatchkey(['admin', 'login', '--server', server.url, '--device'], { env });
    const [, uri, , complete] = await running.waitForStderr(VERIFY);
    expect(uri).toBe(`${server.url}/device`);
    await withPage(ctx, async (page) => {
      await approveDevice(page, complete ?? '');
      await page.getByRole('heading', { name: 'Device connected' }).waitFor();
    });
    const login = await running.done;
    expect(login.code).toBe(0);
    expect(login.stderr).toContain(`latchkey: signed in to ${server.url}; commands with --server ${server.url} now use the admin API\n`);
    const clients = await runLatchkey(['clients', 'list', '--server', server.url, '--json'], { env });
    expect(clients.stderr).toBe('');
    const cli = (JSON.parse(clients.stdout) as { id: string; grantTypes: string[] }[]).find((c) => c.id === 'latchkey-cli');
    expect(cli?.grantTypes).toContain('urn:ietf:params:oauth:grant-type:device_code');
  });

  it('falls back to the device flow when no browser can be opened (no $BROWSER, no display), instead of waiting for a paste', async (ctx) => {
    const env = { XDG_CONFIG_HOME: freshConfigHome(), DISPLAY: '', WAYLAND_DISPLAY: '' };
    const running = startLatchkey(['admin', 'login', '--server', server.url], { env });
    const [, , , complete] = await running.waitForStderr(VERIFY);
    await withPage(ctx, async (page) => {
      await approveDevice(page, complete ?? '');
      await page.getByRole('heading', { name: 'Device connected' }).waitFor();
    });
    const login = await running.done;
    expect(login.code).toBe(0);
    const users = await runLatchkey(['users', 'list', '--server', server.url, '--json'], { env });
    expect(users.stderr).toBe('');
    expect((JSON.parse(users.stdout) as { username: string }[]).map((u) => u.username)).toEqual(['alice', 'bob']);
  });

  it('refuses a user who is not an administrator by the device flow too (access_denied, RFC 8628 §3.5), in one line with exit status 1', async (ctx) => {
    const running = startLatchkey(['admin', 'login', '--server', server.url, '--device'], { env: { XDG_CONFIG_HOME: freshConfigHome() } });
    const [, , , complete] = await running.waitForStderr(VERIFY);
    await withPage(ctx, async (page) => {
      await approveDevice(page, complete ?? '', 'bob');
      await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
    });
    const run = await running.done;
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n').at(-2)).toBe('latchkey: the sign-in was refused on the device page: access_denied');
  });
});
