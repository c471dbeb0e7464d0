import { createServer, type Server } from 'node:http';
import { describe, expect, it } from 'vitest';
import { screenshot, withPage } from '../support/browser.ts';
import { startServer, TEST_PASSWORD } from '../support/server.ts';
import { authlibArgs, authlibAvailable, AUTHLIB_HINT, PYTHON } from '../interop/authlib-rp.ts';
import { requireTool, startRelyingParty } from '../interop/relying-party.ts';

/**
 * A person in Chromium signs in to a relying party nobody here wrote (Authlib, test/interop/authlib_rp.py): the
 * relying party builds the OpenID Connect request, the person signs in and allows on the real pages, Chromium lands
 * on the relying party's redirect URI (a loopback server in this test), and the relying party finishes the sign-in
 * with its own ID token validation (OpenID Connect Core §3.1.2-§3.1.3).
 */

/** The relying party's redirect URI: a loopback server that hands the first full callback URL to the test. */
async function startCallback(): Promise<{ url: string; received: Promise<URL>; close(): Promise<void> }> {
  let resolveReceived: (url: URL) => void = () => undefined;
  const received = new Promise<URL>((resolve) => (resolveReceived = resolve));
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    if (url.pathname !== '/cb') return void res.writeHead(404).end();
    resolveReceived(url);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Relying party</title><h1>Back at the relying party</h1>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/cb`, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('signing in to a relying party in Chromium', () => {
  it('signs in to the Authlib relying party through the real pages; it validates the ID token and UserInfo agrees (Core §3.1.3.7, §5.3.2)', async (ctx) => {
    requireTool(ctx, authlibAvailable(), AUTHLIB_HINT);
    const callback = await startCallback();
    const client = { id: 'authlib-rp', secret: 'authlib-rp-secret-0123456789abcdef', redirect: callback.url };
    const server = await startServer({
      clients: [{ id: client.id, name: 'Authlib RP', secret: client.secret, redirectUris: [client.redirect], grantTypes: ['authorization_code' as const, 'refresh_token' as const] }],
    });
    try {
      await withPage(ctx, async (page) => {
        const rp = await startRelyingParty(PYTHON, authlibArgs(server.url, client));
        try {
          await page.goto(rp.authorizationUrl.href);
          await page.getByLabel('Username').fill('alice');
          await page.getByLabel('Password').fill(TEST_PASSWORD);
          await page.getByRole('button', { name: 'Sign in' }).click();
          await page.getByRole('button', { name: 'Allow' }).click();
          await page.getByRole('heading', { name: 'Back at the relying party' }).waitFor();
          await screenshot(page, 'oidc-relying-party-signed-in');
          const redirect = await callback.received;
          expect(redirect.searchParams.get('iss')).toBe(server.url);
          const summary = await rp.finish(redirect);
          expect(summary).not.toHaveProperty('error');
          const idToken = summary['id_token'] as Record<string, unknown>;
          expect(idToken).toMatchObject({ iss: server.url, aud: client.id, nonce: summary['nonce_sent'] });
          expect(summary['userinfo']).toMatchObject({ sub: idToken['sub'], email: 'alice@example.com' });
        } finally {
          rp.kill();
        }
      });
    } finally {
      await server.close();
      await callback.close();
    }
  });
});
