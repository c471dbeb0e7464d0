import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withPage } from '../../support/browser.ts';
import { signIn } from '../../support/browser-flows.ts';
import { startServer, TEST_SECRET, type TestServer } from '../../support/server.ts';
import { allCommandLines, freshConfigHome, runLatchkey, startLatchkey } from './run-token.ts';

/**
 * `latchkey token` against Latchkey itself over real HTTP: every grant Latchkey has, the person's step clicked in
 * Chromium through the loopback listener, and the migration profiles' endpoints given explicitly (no metadata).
 */

let server: TestServer;
beforeAll(async () => {
  server = await startServer({
    profiles: ['redcore', 'twitch', 'moltin', 'atomgit'],
    clients: [
      {
        id: 'web-app',
        name: 'Web App',
        secret: TEST_SECRET,
        redirectUris: ['http://127.0.0.1:53682/callback'],
        grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
      },
      // A native app: a public client whose loopback redirect URI may take any port (RFC 8252 §7.3).
      { id: 'cli', name: 'Command line', type: 'public', redirectUris: ['http://127.0.0.1/callback'], grantTypes: ['authorization_code', 'refresh_token'] },
    ],
  });
});
afterAll(async () => {
  await server?.close();
});

const AUTH_URL = /\n {2}(http:\/\/127\.0\.0\.1:\d+\/\S+)\n/;
const env = () => ({ XDG_CONFIG_HOME: freshConfigHome() });

async function approve(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await signIn(page);
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.getByRole('heading', { name: 'Signed in' }).waitFor();
}

describe('latchkey token against Latchkey', () => {
  it('gets a client_credentials token with client_secret_basic and with client_secret_post (RFC 6749 §4.4, §2.3.1)', async () => {
    for (const method of ['client_secret_basic', 'client_secret_post']) {
      const run = await runLatchkey(['token', '--issuer', server.url, '--client-id', 'web-app', '--client-secret-stdin', '--auth-method', method, '--grant', 'client_credentials', '--json'], { input: `${TEST_SECRET}\n`, env: env() });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ token_type: 'bearer' });
    }
  });

  it('refuses a wrong secret in one line with invalid_client, exit status 1 (RFC 6749 §5.2)', async () => {
    const run = await runLatchkey(['token', '--issuer', server.url, '--client-id', 'web-app', '--client-secret-stdin', '--grant', 'client_credentials'], { input: 'wrong-secret-0123456789\n', env: env() });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^latchkey: the token endpoint refused: invalid_client(: [^\n]*)? \(HTTP 401\)\n$/);
    expect(run.stderr).not.toContain('wrong-secret');
  });

  it('signs alice in through the loopback listener in Chromium, checks iss (RFC 9207), and verifies the ID token', async (ctx) => {
    const home = freshConfigHome();
    const running = startLatchkey(['token', '--issuer', server.url, '--client-id', 'cli', '--scope', 'openid profile', '--no-browser', '--json'], { keepInputOpen: true, env: { XDG_CONFIG_HOME: home } });
    const [, url] = await running.waitForStderr(AUTH_URL);
    await withPage(ctx, (page) => approve(page, url ?? ''));
    const run = await running.done;
    expect(run.code).toBe(0);
    const body = JSON.parse(run.stdout) as Record<string, string>;
    expect(body['refresh_token']).toBeDefined();
    const inspected = await runLatchkey(['token', 'inspect', '--issuer', server.url, '--client-id', 'cli', '--which', 'id_token', '--audience', 'cli'], { env: { XDG_CONFIG_HOME: home } });
    expect(inspected.stderr).toBe('');
    expect(JSON.parse(inspected.stdout)).toMatchObject({ verified: true, claims: { iss: server.url, aud: 'cli' } });

    // The refresh token, piped in, buys a new access token (RFC 6749 §6).
    const refreshed = await runLatchkey(['token', '--issuer', server.url, '--client-id', 'cli', '--grant', 'refresh_token', '--refresh-token-stdin', '--print', 'access_token'], {
      input: `${body['refresh_token']}\n`,
      env: { XDG_CONFIG_HOME: freshConfigHome() },
    });
    expect(refreshed.stderr).toBe('');
    expect(refreshed.code).toBe(0);
    expect(refreshed.stdout.trim()).not.toBe(body['access_token']);
  });

  it('opens the system browser ($BROWSER) on the authorization address, and takes the answer from the loopback listener', async (ctx) => {
    const home = freshConfigHome();
    const opened = join(home, 'opened-url');
    const browser = join(home, 'browser.sh');
    writeFileSync(browser, `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`, { mode: 0o755 });
    // A scope alice has not consented to yet in this file's other tests, so the consent page shows.
    const running = startLatchkey(['token', '--issuer', server.url, '--client-id', 'cli', '--scope', 'openid email', '--print', 'id_token'], { env: { XDG_CONFIG_HOME: home, BROWSER: browser } });
    await running.waitForStderr(/opened the browser to sign in/);
    const [, printed] = await running.waitForStderr(AUTH_URL);
    // The helper may not have written the file yet when the message shows: wait for it by content, not by time.
    let url = '';
    while (url === '') url = await readFile(opened, 'utf8').catch(() => '');
    expect(url).toBe(printed);
    await withPage(ctx, (page) => approve(page, url));
    const run = await running.done;
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+\n$/);
  });

  it('refuses a pasted redirect whose iss is not the issuer, since Latchkey promises iss (RFC 9207 §2.4)', async () => {
    const running = startLatchkey(['token', '--issuer', server.url, '--client-id', 'cli', '--redirect-uri', 'https://client.example/callback', '--no-browser'], { keepInputOpen: true, env: env() });
    const [, url] = await running.waitForStderr(AUTH_URL);
    await running.waitForStderr(/paste the address/);
    const state = new URL(url ?? '').searchParams.get('state') ?? '';
    running.write(`https://client.example/callback?code=mixed-up&state=${state}&iss=${encodeURIComponent('https://evil.example')}\n`);
    const run = await running.done;
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/\nlatchkey: the authorization response: unexpected "iss" \(issuer\) response parameter value\n$/);
  });

  it('refuses a pasted redirect without iss, since Latchkey promises it (RFC 9207 §2.4)', async () => {
    const running = startLatchkey(['token', '--issuer', server.url, '--client-id', 'cli', '--redirect-uri', 'https://client.example/callback', '--no-browser'], { keepInputOpen: true, env: env() });
    const [, url] = await running.waitForStderr(AUTH_URL);
    await running.waitForStderr(/paste the address/);
    const state = new URL(url ?? '').searchParams.get('state') ?? '';
    running.write(`https://client.example/callback?code=mixed-up&state=${state}\n`);
    const run = await running.done;
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/\nlatchkey: the authorization response: response parameter "iss" \(issuer\) missing\n$/);
  });

  it('runs the code flow of a confidential client on a fixed --redirect-uri, the secret in no command line while it waits', async (ctx) => {
    const running = startLatchkey(['token', '--issuer', server.url, '--client-id', 'web-app', '--client-secret-stdin', '--redirect-uri', 'http://127.0.0.1:53682/callback', '--scope', 'openid', '--no-browser', '--json'], {
      input: `${TEST_SECRET}\n`,
      keepInputOpen: true,
      env: env(),
    });
    const [, url] = await running.waitForStderr(AUTH_URL);
    expect(allCommandLines().filter((l) => l.includes(TEST_SECRET))).toEqual([]);
    await withPage(ctx, (page) => approve(page, url ?? ''));
    const run = await running.done;
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain(TEST_SECRET);
    const token = (JSON.parse(run.stdout) as { access_token: string }).access_token;
    // introspect and revoke with the same client (RFC 7662, RFC 7009).
    const introspect = (input: string) =>
      runLatchkey(['token', 'introspect', '--issuer', server.url, '--client-id', 'web-app', '--client-secret-stdin', '--token-stdin'], { input, env: env() });
    expect(JSON.parse((await introspect(`${TEST_SECRET}\n${token}\n`)).stdout)).toMatchObject({ active: true, client_id: 'web-app' });
    const revoked = await runLatchkey(['token', 'revoke', '--issuer', server.url, '--client-id', 'web-app', '--client-secret-stdin', '--token-stdin'], { input: `${TEST_SECRET}\n${token}\n`, env: env() });
    expect(revoked.code).toBe(0);
    expect(JSON.parse((await introspect(`${TEST_SECRET}\n${token}\n`)).stdout)).toEqual({ active: false });
  });

  it.each([
    ['redcore', '/index.php?option=token&api=oauth2'],
    ['twitch', '/kraken/oauth2/token'],
    ['moltin', '/oauth/access_token'],
    ['atomgit', '/login/oauth/access_token'],
  ])('gets a token from the %s profile endpoint given with --token-endpoint (no metadata)', async (_name, path) => {
    const run = await runLatchkey(['token', '--token-endpoint', `${server.url}${path}`, '--client-id', 'web-app', '--client-secret-stdin', '--grant', 'client_credentials', '--print', 'access_token'], {
      input: `${TEST_SECRET}\n`,
      env: env(),
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\S+\n$/);
  });
});
