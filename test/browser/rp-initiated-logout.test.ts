import { createServer, type Server } from 'node:http';
import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { screenshot, withPage } from '../support/browser.ts';
import { startLogoutReceiver, validateLogoutToken } from '../support/logout-receiver.ts';
import { startServer, TEST_PASSWORD } from '../support/server.ts';

/**
 * A person in Chromium signs in to a relying party (openid-client 6, in this process), then the relying party signs
 * them out with RP-Initiated Logout 1.0 (§2, §3): the browser follows the library's logout URL with the ID token as
 * hint and lands on the relying party's post_logout_redirect_uri with its state, and the next sign-in asks for a login.
 * Its back-channel logout endpoint (Back-Channel Logout 1.0) receives the logout token of that session.
 */

/** The relying party's pages: a loopback server that records each URL it is sent to, by path. */
async function startRelyingPartyPages(): Promise<{ origin: string; visits: Map<string, URL>; close(): Promise<void> }> {
  const visits = new Map<string, URL>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    visits.set(url.pathname, url);
    const heading = url.pathname === '/logged-out' ? 'Signed out of the relying party' : 'Back at the relying party';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><title>Relying party</title><h1>${heading}</h1>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { origin: `http://127.0.0.1:${port}`, visits, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('RP-initiated logout in Chromium', () => {
  it('signs in, then the relying party\'s logout with id_token_hint ends the session, lands on its post_logout_redirect_uri with state (RP-Initiated Logout 1.0 §2, §3), and back-channel logout is received (Back-Channel Logout 1.0 §2.5)', async (ctx) => {
    const rp = await startRelyingPartyPages();
    const receiver = await startLogoutReceiver();
    const secret = 'browser-rp-secret-0123456789abcdef';
    const server = await startServer({
      clients: [{ id: 'browser-rp', name: 'Browser RP', secret, redirectUris: [`${rp.origin}/cb`], postLogoutRedirectUris: [`${rp.origin}/logged-out`], backchannelLogoutUri: `${receiver.url}/backchannel`, grantTypes: ['authorization_code' as const] }],
    });
    try {
      const config = await client.discovery(new URL(server.url), 'browser-rp', secret, undefined, { execute: [client.allowInsecureRequests] });
      const authorizationUrl = async (state: string, verifier: string) =>
        client.buildAuthorizationUrl(config, { redirect_uri: `${rp.origin}/cb`, scope: 'openid', state, code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
      await withPage(ctx, async (page) => {
        const verifier = client.randomPKCECodeVerifier();
        const state = client.randomState();
        await page.goto((await authorizationUrl(state, verifier)).href);
        await page.getByLabel('Username').fill('alice');
        await page.getByLabel('Password').fill(TEST_PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('button', { name: 'Allow' }).click();
        await page.getByRole('heading', { name: 'Back at the relying party' }).waitFor();
        const callback = rp.visits.get('/cb');
        if (!callback) throw new Error('the relying party saw no callback');
        const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
        expect(tokens.claims()?.['sid']).toBeDefined();

        await page.goto(client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token ?? '', post_logout_redirect_uri: `${rp.origin}/logged-out`, state: 'after-logout' }).href);
        await page.getByRole('heading', { name: 'Signed out of the relying party' }).waitFor();
        await screenshot(page, 'rp-initiated-logout-landed');
        expect(rp.visits.get('/logged-out')?.searchParams.get('state')).toBe('after-logout');
        // Back-channel logout received: a logout token for this very session, valid by the relying party's checks.
        const [received] = await receiver.waitFor(1, '/backchannel');
        const logoutToken = await validateLogoutToken(received?.token ?? '', server.url, 'browser-rp');
        expect(logoutToken.sid).toBe(tokens.claims()?.['sid']);
        expect(logoutToken.sub).toBe(tokens.claims()?.sub);

        // The session is gone: signing in again asks for the password.
        await page.goto((await authorizationUrl(client.randomState(), client.randomPKCECodeVerifier())).href);
        await page.getByLabel('Password').waitFor();
      });
    } finally {
      await server.close();
      await rp.close();
      await receiver.close();
    }
  });
});
