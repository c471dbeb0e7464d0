import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withPage } from '../../support/browser.ts';
import { signIn } from '../../support/browser-flows.ts';
import { startServer, type TestServer } from '../../support/server.ts';
import type { Clock } from '../../../src/core/clock.ts';
import { freshConfigHome, runLatchkey, startLatchkey } from './run-token.ts';

/**
 * `latchkey token` against the grants Latchkey gained after the command was written: the device grant (RFC 8628),
 * the person approving or denying on Latchkey's own /device page in Chromium, and private_key_jwt client
 * authentication (RFC 7523 §2.2) with a key registered in the config.
 */

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const REDIRECT = 'http://127.0.0.1:53684/callback';
let server: TestServer;
let keyFile: string;
let wrongKeyFile: string;

async function privateJwkFile(dir: string, name: string, kid: string): Promise<{ file: string; publicJwk: Record<string, unknown> }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify({ ...(await exportJWK(privateKey)), kid, alg: 'ES256' }), { mode: 0o600 });
  return { file, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
}

beforeAll(async () => {
  const dir = freshConfigHome();
  const right = await privateJwkFile(dir, 'billing-private.json', 'billing-2026');
  // The same kid, another key: what a client holding a stale or stolen-and-replaced key file would send.
  wrongKeyFile = (await privateJwkFile(dir, 'wrong-private.json', 'billing-2026')).file;
  keyFile = right.file;
  server = await startServer({
    // The smallest interval: the tests count what happened, they never measure time.
    deviceFlow: { interval: 1 },
    clients: [
      { id: 'tv-app', name: 'Living Room TV', type: 'public', grantTypes: [DEVICE_GRANT, 'refresh_token'], responseTypes: [] },
      {
        id: 'billing',
        name: 'Billing',
        tokenEndpointAuthMethod: 'private_key_jwt',
        jwks: { keys: [right.publicJwk] },
        redirectUris: [REDIRECT],
        grantTypes: ['client_credentials', 'authorization_code'],
      },
    ],
  });
});
afterAll(async () => {
  await server?.close();
});

const env = () => ({ XDG_CONFIG_HOME: freshConfigHome() });
const VERIFY = /latchkey: to sign in, visit (\S+) and enter the code (\S+)\nlatchkey: or open (\S+)\n/;

async function decideOnDevicePage(page: Page, url: string, button: 'Allow' | 'Deny'): Promise<void> {
  await page.goto(url);
  await signIn(page);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: button }).click();
  await page.getByRole('heading', { name: button === 'Allow' ? 'Device connected' : 'Device denied' }).waitFor();
}

describe('latchkey token --grant device against Latchkey (RFC 8628)', () => {
  it('prints the user code, /device and a QR code, polls while the person approves in Chromium, then prints the token (§3.3-3.5)', async (ctx) => {
    const running = startLatchkey(['token', '--issuer', server.url, '--client-id', 'tv-app', '--grant', 'device', '--scope', 'openid profile', '--json'], { env: env() });
    const [, uri, userCode, complete] = await running.waitForStderr(VERIFY);
    expect(uri).toBe(`${server.url}/device`);
    expect(userCode).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    expect(complete).toBe(`${server.url}/device?user_code=${userCode}`);
    await withPage(ctx, (page) => decideOnDevicePage(page, complete ?? '', 'Allow'));
    const run = await running.done;
    expect(run.code).toBe(0);
    // The QR code (half-block characters) of verification_uri_complete, on stderr so stdout stays the JSON.
    expect(run.stderr).toMatch(/[▀▄█]/);
    const body = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: 'bearer', scope: 'openid profile' });
    expect(body['id_token']).toEqual(expect.any(String));
    expect(body['refresh_token']).toEqual(expect.any(String));
  });

  it('stops with one line and exit status 1 when the person denies on /device (access_denied, §3.5)', async (ctx) => {
    const running = startLatchkey(['token', '--issuer', server.url, '--client-id', 'tv-app', '--grant', 'device', '--no-qr'], { env: env() });
    const [, , , complete] = await running.waitForStderr(VERIFY);
    await withPage(ctx, (page) => decideOnDevicePage(page, complete ?? '', 'Deny'));
    const run = await running.done;
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n').at(-2)).toBe('latchkey: the sign-in was refused on the device page: access_denied');
    expect(run.stderr).not.toMatch(/[▀▄█]/);
  });

  it('honours slow_down: after one, it waits the grown interval, so Latchkey never has to say it twice (§3.5)', async (ctx) => {
    // Latchkey's clock, moved back by the test once the command has polled: its next poll looks too soon and gets
    // slow_down (the interval grows from 1 to 6 s, on the row). Time is then set right. A command that kept polling
    // every second would be too soon again and the row would read 11: the test counts slow_downs, it times nothing.
    let offset = 0;
    const clock: Clock = { now: () => Math.floor(Date.now() / 1000) - offset };
    const own = await startServer({ deviceFlow: { interval: 1 }, clients: [{ id: 'tv-app', name: 'Living Room TV', type: 'public', grantTypes: [DEVICE_GRANT], responseTypes: [] }] }, { clock });
    try {
      const row = async () => own.latchkey.storage.db.selectFrom('device_codes').select(['interval', 'last_polled_at', 'slowed']).executeTakeFirst();
      const until = async (test: (r: Awaited<ReturnType<typeof row>>) => boolean) => {
        while (!test(await row())) await new Promise((resolve) => setTimeout(resolve, 50));
      };
      const running = startLatchkey(['token', '--issuer', own.url, '--client-id', 'tv-app', '--grant', 'device', '--no-qr', '--print', 'access_token'], { env: env() });
      const [, , , complete] = await running.waitForStderr(VERIFY);
      await until((r) => r?.last_polled_at !== null && r?.last_polled_at !== undefined);
      offset = 3;
      await until((r) => Number(r?.slowed) === 1);
      offset = 0;
      await withPage(ctx, (page) => decideOnDevicePage(page, complete ?? '', 'Allow'));
      const run = await running.done;
      expect(run.stderr).not.toContain('refused');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^\S+\n$/);
      expect(Number((await row())?.interval)).toBe(6);
    } finally {
      await own.close();
    }
  });

  it('refuses a client not registered for the device grant in one line (unauthorized_client, RFC 8628 §3.1, RFC 6749 §5.2)', async () => {
    const run = await runLatchkey(['token', '--issuer', server.url, '--client-id', 'billing', '--signing-key', keyFile, '--grant', 'device'], { env: env() });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^latchkey: the device authorization endpoint refused: unauthorized_client[^\n]*\n$/);
  });
});

describe('latchkey token --auth-method private_key_jwt against Latchkey (RFC 7523 §2.2)', () => {
  it('gets a client_credentials token, signing the client assertion with --signing-key', async () => {
    const run = await runLatchkey(['token', '--issuer', server.url, '--client-id', 'billing', '--auth-method', 'private_key_jwt', '--signing-key', keyFile, '--grant', 'client_credentials', '--json'], { env: env() });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ token_type: 'bearer' });
  });

  it('runs the code flow in Chromium and redeems the code with a client assertion', async (ctx) => {
    const running = startLatchkey(['token', '--issuer', server.url, '--client-id', 'billing', '--signing-key', keyFile, '--redirect-uri', REDIRECT, '--scope', 'openid', '--no-browser', '--json'], { keepInputOpen: true, env: env() });
    const [, url] = await running.waitForStderr(/\n {2}(http:\/\/127\.0\.0\.1:\d+\/\S+)\n/);
    await withPage(ctx, async (page) => {
      await page.goto(url ?? '');
      await signIn(page);
      await page.getByRole('button', { name: 'Allow' }).click();
      await page.getByRole('heading', { name: 'Signed in' }).waitFor();
    });
    const run = await running.done;
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ token_type: 'bearer', id_token: expect.any(String) });
  });

  it('refuses an assertion signed with another key in one line with invalid_client, exit status 1 (RFC 6749 §5.2)', async () => {
    const run = await runLatchkey(['token', '--issuer', server.url, '--client-id', 'billing', '--signing-key', wrongKeyFile, '--grant', 'client_credentials'], { env: env() });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^latchkey: the token endpoint refused: invalid_client(: [^\n]*)? \(HTTP 401\)\n$/);
  });
});
