import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withPage } from '../support/browser.ts';
import { startServer, TEST_PASSWORD, type TestServer } from '../support/server.ts';
import { startDocumentServer, type DocumentServer } from '../flows/metadata-documents/document-server.ts';

/**
 * A person in Chromium meets a client known only by its Client ID Metadata Document: the consent page shows the name
 * the client gave itself, says it is not verified, and shows where the client lives (its client_id host) and where the
 * person will be sent (the redirect URI's host) (draft-ietf-oauth-client-id-metadata-document, Security
 * Considerations); Allow lands on the redirect URI and the code buys tokens for the public client.
 */

let server: TestServer;
let docs: DocumentServer;
let callback: Server;
let callbackUrl: string;
const received: URLSearchParams[] = [];

beforeAll(async () => {
  docs = await startDocumentServer();
  callback = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/callback') return void res.writeHead(404).end();
    received.push(url.searchParams);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Client</title><h1>Back at the assistant</h1>');
  });
  await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
  callbackUrl = `http://127.0.0.1:${(callback.address() as { port: number }).port}/callback`;
  server = await startServer({ clientMetadataDocuments: { enabled: true, allowLoopbackHttp: true } });
});

afterAll(async () => {
  await server?.close();
  await docs?.close();
  callback?.closeAllConnections();
  await new Promise((resolve) => callback?.close(resolve));
});

describe('the consent page for a metadata-document client, in Chromium', () => {
  it('names the client as it names itself, warns that the name is unverified, shows both hosts, and Allow returns a code', async (ctx) => {
    const clientId = docs.url('/browser-client.json');
    docs.serve('/browser-client.json', { client_id: clientId, client_name: 'Pocket Assistant', redirect_uris: [callbackUrl] });
    const verifier = randomBytes(32).toString('base64url');
    const url = new URL('/oauth2/authorize', server.url);
    url.search = new URLSearchParams({
      response_type: 'code', client_id: clientId, redirect_uri: callbackUrl, scope: 'openid profile', state: 'st-1',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
    }).toString();

    await withPage(ctx, async (page) => {
      await page.goto(url.toString());
      await page.getByLabel('Username').fill('alice');
      await page.getByLabel('Password').fill(TEST_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Pocket Assistant wants to access your account' }).waitFor();
      const body = (await page.locator('main, body').first().innerText()).replace(/\s+/g, ' ');
      expect(body).toContain('not verified');
      expect(body).toContain(`Application published by ${new URL(clientId).host}`);
      expect(body).toContain(`After you decide, you go to ${new URL(callbackUrl).host}`);
      await page.getByRole('button', { name: 'Allow' }).click();
      await page.getByRole('heading', { name: 'Back at the assistant' }).waitFor();
    });

    const code = received.at(-1)?.get('code') ?? '';
    expect(received.at(-1)?.get('state')).toBe('st-1');
    const res = await fetch(new URL('/oauth2/token', server.url), {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: clientId, code, code_verifier: verifier, redirect_uri: callbackUrl }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { token_type: string }).token_type).toBe('Bearer');
  });
});
