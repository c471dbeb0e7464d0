import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withPage } from '../../support/browser.ts';
import { signIn } from '../../support/browser-flows.ts';
import { startServer, TEST_SECRET, type TestServer } from '../../support/server.ts';
import { freshConfigHome, runLatchkey, startLatchkey } from './run-token.ts';

/**
 * `latchkey token --par` and `--dpop-key` against Latchkey's own pushed authorization request endpoint (RFC 9126) and
 * DPoP (RFC 9449), the person's step clicked in Chromium through the loopback listener.
 */

let server: TestServer;
let dpopKeyFile: string;
let thumbprint: string;

beforeAll(async () => {
  const dir = freshConfigHome();
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  dpopKeyFile = join(dir, 'dpop-private.json');
  writeFileSync(dpopKeyFile, JSON.stringify(await exportJWK(privateKey)), { mode: 0o600 });
  thumbprint = await calculateJwkThumbprint(await exportJWK(publicKey));
  server = await startServer({
    // Every authorization request must be pushed (RFC 9126 §5): a browser sent with the parameters in the URL is refused.
    pushedAuthorizationRequests: { required: true },
    clients: [
      // Introspects every client's tokens, so it can show the cnf of the public client's tokens too.
      { id: 'web-app', name: 'Web App', secret: TEST_SECRET, grantTypes: ['client_credentials'], responseTypes: [], introspectAny: true },
      { id: 'bound-app', name: 'Bound App', secret: TEST_SECRET, grantTypes: ['client_credentials'], responseTypes: [], dpopBoundAccessTokens: true },
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

async function introspect(token: string): Promise<Record<string, unknown>> {
  const run = await runLatchkey(['token', 'introspect', '--issuer', server.url, '--client-id', 'web-app', '--client-secret-stdin', '--token-stdin'], { input: `${TEST_SECRET}\n${token}\n`, env: env() });
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

describe('latchkey token --par against Latchkey (RFC 9126)', () => {
  it('pushes the request to /oauth2/par, so the browser carries only client_id and request_uri, and a server requiring PAR issues the token (§2, §4)', async (ctx) => {
    const running = startLatchkey(['token', '--issuer', server.url, '--client-id', 'cli', '--scope', 'openid', '--par', '--no-browser', '--json'], { keepInputOpen: true, env: env() });
    const [, url] = await running.waitForStderr(AUTH_URL);
    const params = new URL(url ?? '').searchParams;
    expect([...params.keys()].sort()).toEqual(['client_id', 'request_uri']);
    expect(params.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    await withPage(ctx, (page) => approve(page, url ?? ''));
    const run = await running.done;
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ token_type: 'bearer', id_token: expect.any(String) });
  });
});

describe('latchkey token --dpop-key against Latchkey (RFC 9449)', () => {
  it('gets a client_credentials token of type DPoP whose introspection shows cnf.jkt, the key thumbprint (§5, §6.2)', async () => {
    const run = await runLatchkey(['token', '--issuer', server.url, '--client-id', 'web-app', '--client-secret-stdin', '--grant', 'client_credentials', '--dpop-key', dpopKeyFile, '--json'], { input: `${TEST_SECRET}\n`, env: env() });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const body = JSON.parse(run.stdout) as { token_type: string; access_token: string };
    expect(body.token_type.toLowerCase()).toBe('dpop');
    expect(await introspect(body.access_token)).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt: thumbprint } });
  });

  it('answers from the cache only with the DPoP key that obtained the token: a run without the key gets a bearer token of its own', async () => {
    const home = { XDG_CONFIG_HOME: freshConfigHome() };
    const args = ['token', '--issuer', server.url, '--client-id', 'web-app', '--client-secret-stdin', '--grant', 'client_credentials', '--json'];
    const bound = await runLatchkey([...args, '--dpop-key', dpopKeyFile], { input: `${TEST_SECRET}\n`, env: home });
    expect((JSON.parse(bound.stdout) as { token_type: string }).token_type.toLowerCase()).toBe('dpop');
    const plain = await runLatchkey(args, { input: `${TEST_SECRET}\n`, env: home });
    expect(plain.code).toBe(0);
    expect((JSON.parse(plain.stdout) as { token_type: string }).token_type.toLowerCase()).toBe('bearer');
    // And the other way round: the bearer token now cached does not answer a run with the key.
    const again = await runLatchkey([...args, '--dpop-key', dpopKeyFile], { input: `${TEST_SECRET}\n`, env: home });
    expect((JSON.parse(again.stdout) as { token_type: string }).token_type.toLowerCase()).toBe('dpop');
  });

  it('runs the pushed code flow in Chromium with a DPoP key, then refreshes the cached token with the same key (§5, §5.1)', async (ctx) => {
    const home = freshConfigHome();
    // A scope alice has not consented to in the PAR test above, so the consent page shows.
    const args = ['token', '--issuer', server.url, '--client-id', 'cli', '--scope', 'openid profile', '--par', '--dpop-key', dpopKeyFile];
    const running = startLatchkey([...args, '--no-browser', '--json'], { keepInputOpen: true, env: { XDG_CONFIG_HOME: home } });
    const [, url] = await running.waitForStderr(AUTH_URL);
    await withPage(ctx, (page) => approve(page, url ?? ''));
    const run = await running.done;
    expect(run.code).toBe(0);
    const body = JSON.parse(run.stdout) as { token_type: string; access_token: string; refresh_token?: string };
    expect(body.token_type.toLowerCase()).toBe('dpop');
    expect(body.refresh_token).toEqual(expect.any(String));
    expect(await introspect(body.access_token)).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt: thumbprint } });

    // The cached access token made expired: the cached refresh token, sent with a proof by the same key, buys a new
    // one without a browser (a public client's refresh token is bound to the key, §5).
    const dir = join(home, 'latchkey', 'tokens');
    const [file] = readdirSync(dir);
    const cacheFile = join(dir, file ?? '');
    writeFileSync(cacheFile, JSON.stringify({ ...(JSON.parse(readFileSync(cacheFile, 'utf8')) as object), expiresAt: 0 }));
    // A refresh that failed and fell back to signing in would give up after --timeout instead of waiting for a person
    // (the passing refresh never waits, so the test measures no time).
    const refreshed = await runLatchkey([...args, '--no-browser', '--timeout', '5', '--print', 'access_token'], { env: { XDG_CONFIG_HOME: home } });
    expect(refreshed.stderr).toBe('');
    expect(refreshed.code).toBe(0);
    const token = refreshed.stdout.trim();
    expect(token).not.toBe(body.access_token);
    expect(await introspect(token)).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt: thumbprint } });
  });

  it('stops with one line and exit status 1 when the client must use DPoP and no --dpop-key is given (§5.2 dpop_bound_access_tokens)', async () => {
    const run = await runLatchkey(['token', '--issuer', server.url, '--client-id', 'bound-app', '--client-secret-stdin', '--grant', 'client_credentials'], { input: `${TEST_SECRET}\n`, env: env() });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^latchkey: the token endpoint refused: invalid_dpop_proof(: [^\n]*)? \(HTTP 400\)\n$/);
    expect(run.stderr).not.toContain(TEST_SECRET);
  });
});
