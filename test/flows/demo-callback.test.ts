import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { decodeEntities, UserAgent, type Outcome } from '../support/user-agent.ts';

/**
 * The first-start demo, as a newcomer follows it: the printed URL, sign in, Allow, then the demo callback page and
 * the curl command it prints. Every command the product prints must work as printed (issue 10): the test runs it.
 */

const run = promisify(execFile);
const clock = new FakeClock(Math.floor(Date.now() / 1000));
let server: TestServer;

beforeAll(async () => {
  // An empty database with demo on: the first start creates the demo application and user.
  server = await startServer({ demo: true, clients: [], users: [] }, { clock });
});

afterAll(async () => {
  await server?.close();
});

function demo() {
  const d = server.latchkey.demo;
  if (!d) throw new Error('the demo was not created');
  return d;
}

/** From the printed authorization URL to the demo callback page, as the demo user who allows. */
async function callbackPage(agent = new UserAgent(server.url), url = demo().authorizationUrl): Promise<Outcome> {
  let page = await agent.start(url);
  if (page.page === 'login') page = await agent.login(page, demo().username, demo().password);
  if (page.page === 'consent') page = await agent.consent(page, 'allow');
  expect(page.status).toBe(200);
  expect(page.html).toContain('<h1>Authorization code received</h1>');
  return page;
}

/** The command exactly as the page prints it: the text of its <pre>, entities decoded as a browser shows them. */
const printedCommand = (html: string): string => decodeEntities(/<pre[^>]*><code[^>]*>([\s\S]*?)<\/code><\/pre>/.exec(html)?.[1] ?? '');

describe('the demo callback page', () => {
  it('prints a curl command that, run as printed by a shell with real curl, gets a token (issue 10: printed commands work)', async () => {
    const page = await callbackPage();
    const command = printedCommand(page.html ?? '');
    expect(command).toMatch(/^curl /);
    expect(command).not.toContain('code_verifier');
    // The page says to set CLIENT_SECRET to the secret printed at first start; the command reads it from there.
    const { stdout } = await run('sh', ['-c', command], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', CLIENT_SECRET: demo().clientSecret }, timeout: 60_000 });
    const tokens = JSON.parse(stdout) as Record<string, unknown>;
    expect(tokens['token_type']).toBe('Bearer');
    expect(tokens['access_token']).toMatch(/^lk_at_/);
    expect(tokens['refresh_token']).toMatch(/^lk_rt_/);
  });

  it('shows how long the code has left, and says when it has expired', async () => {
    const agent = new UserAgent(server.url);
    const page = await callbackPage(agent);
    expect(page.html).toMatch(/This code expires in <strong>60 seconds<\/strong>/);
    const url = (/<code>(lk_ac_[^<]+)<\/code>/.exec(page.html ?? '')?.[1]) ?? '';
    clock.advance(61);
    const later = await agent.start(`/demo/callback?code=${encodeURIComponent(url)}`);
    expect(later.html).toContain('This code has expired');
  });

  it('has a Copy button, revealed by a same-origin script that runs under the page nonce', async () => {
    const page = await callbackPage();
    const html = page.html ?? '';
    expect(html).toMatch(/<button type="button" class="lk-button lk-button-secondary" data-copy="lk-command" hidden>Copy<\/button>/);
    const nonce = /script-src 'nonce-([^']+)'/.exec(page.headers.get('content-security-policy') ?? '')?.[1];
    const src = new RegExp(`<script src="(/assets/[^"]+\\.js)" nonce="${nonce}" defer></script>`).exec(html)?.[1];
    expect(src).toBeDefined();
    const script = await fetch(`${server.url}${src}`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type') ?? '').toMatch(/^text\/javascript/);
    expect(await script.text()).toContain('navigator.clipboard');
  });

  it('links to the consent page again (prompt=consent) and to /account, where consent can be withdrawn', async () => {
    const html = (await callbackPage()).html ?? '';
    expect(html).toContain('href="/account"');
    const again = /<a [^>]*href="([^"]*prompt=consent[^"]*)"/.exec(html)?.[1];
    expect(again).toBeDefined();
    // Consent was given above: without prompt=consent the flow goes straight back; with it, the consent page shows.
    const agent = new UserAgent(server.url);
    await callbackPage(agent);
    const consent = await agent.start(decodeEntities(again ?? ''));
    expect(consent.page).toBe('consent');
  });
});
