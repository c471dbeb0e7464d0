import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withPage } from '../../support/browser.ts';
import { OP_PASSWORD, OP_SECRET, type OidcProviderFixture, startOidcProvider } from './oidc-provider-fixture.ts';
import { allCommandLines, freshConfigHome, runLatchkey, startLatchkey } from './run-token.ts';

/**
 * `latchkey token` against node-oidc-provider with a person in Chromium: the code flow through the loopback listener
 * (RFC 8252 §7.3), with PAR and DPoP, the device flow (RFC 8628), and what the token cache does afterwards.
 */

let op: OidcProviderFixture;
beforeAll(async () => {
  op = await startOidcProvider();
});
afterAll(async () => {
  await op?.close();
});

const AUTH_URL = /\n {2}(http:\/\/127\.0\.0\.1:\d+\/\S+)\n/;

async function signInAt(page: Page, url: string, decision: 'allow' | 'deny' = 'allow'): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Username').fill('alice');
  await page.getByLabel('Password').fill(OP_PASSWORD);
  await page.getByRole('button', { name: decision === 'allow' ? 'Sign in and allow' : 'Deny' }).click();
}

describe('latchkey token against node-oidc-provider, in Chromium', () => {
  it('runs the code flow with PKCE through the loopback listener, caches the answer with mode 0600, reuses and refreshes it, and logout revokes it (RFC 8252 §7.3, RFC 7009)', async (ctx) => {
    const home = freshConfigHome();
    const running = startLatchkey(['token', '--issuer', op.issuer, '--client-id', 'op-public', '--scope', 'openid profile', '--no-browser', '--json'], { keepInputOpen: true, env: { XDG_CONFIG_HOME: home } });
    const [, url] = await running.waitForStderr(AUTH_URL);
    const authorize = new URL(url ?? '');
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(authorize.searchParams.get('state')).toMatch(/^[\w-]{32,}$/);
    expect(authorize.searchParams.get('nonce')).toMatch(/^[\w-]{32,}$/);
    await withPage(ctx, async (page) => {
      await signInAt(page, authorize.href);
      await page.getByRole('heading', { name: 'Signed in' }).waitFor();
    });
    const run = await running.done;
    expect(run.code).toBe(0);
    const body = JSON.parse(run.stdout) as Record<string, string>;
    expect(body['id_token']).toMatch(/^ey/);
    expect(body['refresh_token']).toBeDefined();
    const dir = join(home, 'latchkey', 'tokens');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const [file] = readdirSync(dir);
    expect(statSync(join(dir, file ?? '')).mode & 0o777).toBe(0o600);

    // The cached answer is reused: no browser, the same access token.
    const again = await runLatchkey(['token', '--issuer', op.issuer, '--client-id', 'op-public', '--scope', 'openid profile', '--print', 'access_token'], { env: { XDG_CONFIG_HOME: home } });
    expect(again.stderr).toBe('');
    expect(again.stdout).toBe(`${body['access_token']}\n`);

    // Once the cached access token has expired, the cached refresh token buys a new one, still without a browser.
    const cacheFile = join(dir, file ?? '');
    writeFileSync(cacheFile, JSON.stringify({ ...(JSON.parse(readFileSync(cacheFile, 'utf8')) as object), expiresAt: 0 }));
    const refreshed = await runLatchkey(['token', '--issuer', op.issuer, '--client-id', 'op-public', '--scope', 'openid profile', '--print', 'access_token'], { env: { XDG_CONFIG_HOME: home } });
    expect(refreshed.stderr).toBe('');
    expect(refreshed.stdout).toMatch(/^[\w-]+\n$/);
    expect(refreshed.stdout).not.toBe(`${body['access_token']}\n`);
    expect(statSync(cacheFile).mode & 0o777).toBe(0o600);

    // inspect verifies the cached ID token against the provider's JWKS.
    const inspected = await runLatchkey(['token', 'inspect', '--issuer', op.issuer, '--client-id', 'op-public', '--which', 'id_token', '--audience', 'op-public'], { env: { XDG_CONFIG_HOME: home } });
    expect(inspected.stderr).toBe('');
    expect(JSON.parse(inspected.stdout)).toMatchObject({ verified: true, header: { alg: 'ES256', kid: 'op-1' }, claims: { sub: 'alice', iss: op.issuer, aud: 'op-public' } });

    // introspect says the access token is active (RFC 7662 §2.2); logout revokes it, and then it is not.
    const active = await runLatchkey(['token', 'introspect', '--issuer', op.issuer, '--client-id', 'op-public'], { env: { XDG_CONFIG_HOME: home } });
    expect(active.stderr).toBe('');
    expect(JSON.parse(active.stdout)).toMatchObject({ active: true, client_id: 'op-public' });
    const token = refreshed.stdout.trim();
    const logout = await runLatchkey(['token', 'logout', '--issuer', op.issuer, '--client-id', 'op-public'], { env: { XDG_CONFIG_HOME: home } });
    expect(logout.code).toBe(0);
    expect(logout.stderr).toBe('latchkey: signed out: the cached tokens are revoked and forgotten\n');
    const inactive = await runLatchkey(['token', 'introspect', '--issuer', op.issuer, '--client-id', 'op-public', '--token-stdin'], { input: `${token}\n`, env: { XDG_CONFIG_HOME: home } });
    expect(JSON.parse(inactive.stdout)).toEqual({ active: false });
  });

  it('says the person denied consent in one line, exit status 1 (RFC 6749 §4.1.2.1 access_denied)', async (ctx) => {
    const running = startLatchkey(['token', '--issuer', op.issuer, '--client-id', 'op-public', '--scope', 'openid', '--no-browser'], { keepInputOpen: true, env: { XDG_CONFIG_HOME: freshConfigHome() } });
    const [, url] = await running.waitForStderr(AUTH_URL);
    await withPage(ctx, async (page) => {
      await signInAt(page, url ?? '', 'deny');
      await page.getByRole('heading', { name: 'Sign-in not completed' }).waitFor();
    });
    const run = await running.done;
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n').filter((l) => l.startsWith('latchkey: the'))).toEqual(['latchkey: the authorization server refused: access_denied: alice said no']);
  });

  it('refuses a pasted redirect whose state is not the one it sent, before any code exchange (RFC 6749 §10.12)', async () => {
    const running = startLatchkey(['token', '--issuer', op.issuer, '--client-id', 'op-public', '--no-browser', '--redirect-uri', 'https://client.example/callback'], { keepInputOpen: true, env: { XDG_CONFIG_HOME: freshConfigHome() } });
    await running.waitForStderr(/paste the address/);
    running.write(`https://client.example/callback?code=stolen&state=forged&iss=${encodeURIComponent(op.issuer)}\n`);
    const run = await running.done;
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/\nlatchkey: the authorization response: unexpected "state" response parameter value\n$/);
    expect(run.stderr).not.toContain('stolen');
  });

  it('pushes the request first with --par and binds the token to a DPoP key (RFC 9126 §2, RFC 9449 §5)', async (ctx) => {
    const home = freshConfigHome();
    const keyFile = join(home, 'dpop.pem');
    writeFileSync(keyFile, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    const running = startLatchkey(['token', '--issuer', op.issuer, '--client-id', 'op-secret', '--client-secret-stdin', '--scope', 'openid', '--par', '--dpop-key', keyFile, '--no-browser', '--json'], {
      input: `${OP_SECRET}\n`,
      keepInputOpen: true,
      env: { XDG_CONFIG_HOME: home },
    });
    const [, url] = await running.waitForStderr(AUTH_URL);
    // Only client_id and the request_uri travel through the browser.
    expect([...new URL(url ?? '').searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    // While it waits, the secret it read is in no process's command line.
    expect(allCommandLines().filter((l) => l.includes(OP_SECRET))).toEqual([]);
    await withPage(ctx, async (page) => {
      await signInAt(page, url ?? '');
      await page.getByRole('heading', { name: 'Signed in' }).waitFor();
    });
    const run = await running.done;
    expect(run.stderr).not.toContain(OP_SECRET);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ token_type: 'dpop' });
  });

  it('runs the device flow, approved in Chromium, polling until the token comes (RFC 8628 §3.4)', async (ctx) => {
    const running = startLatchkey(['token', '--issuer', op.issuer, '--client-id', 'op-public', '--grant', 'device', '--scope', 'openid', '--json'], { env: { XDG_CONFIG_HOME: freshConfigHome() } });
    const [, complete] = await running.waitForStderr(/or open (http\S+)\n/);
    // The QR code of the complete URI is drawn on stderr for a phone.
    await running.waitForStderr(/\u001b\[|▄|█/);
    await withPage(ctx, async (page) => {
      await page.goto(complete ?? '');
      await page.getByRole('button', { name: /continue/i }).click();
      await page.getByLabel('Username').fill('alice');
      await page.getByLabel('Password').fill(OP_PASSWORD);
      await page.getByRole('button', { name: 'Sign in and allow' }).click();
      await page.getByText(/success|signed in|connected/i).first().waitFor();
    });
    const run = await running.done;
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ token_type: 'bearer' });
  });
});
