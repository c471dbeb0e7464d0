import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.ts';
import { pkcePair, WEB_REDIRECT } from '../support/flow-helpers.ts';
import { parseConfig } from '../../src/config/load.ts';
import { startServer, testConfig, TEST_PASSWORD, type TestServer } from '../support/server.ts';
import { authorizeUrl, decodeEntities, parseForms, UserAgent, type Outcome } from '../support/user-agent.ts';

/**
 * The error pages a person lands on (issue 15): a plain title, what happened, what to do with a way on where one is
 * known, the request's client_id and redirect_uri for the developer (escaped), and a reference the log line carries.
 */

const clock = new FakeClock(Math.floor(Date.now() / 1000));
const logLines: Record<string, unknown>[] = [];
let server: TestServer;
const { challenge } = pkcePair();

beforeAll(async () => {
  const logStream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logLines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  server = await startServer({ logLevel: 'info' }, { clock, logStream });
});

afterAll(async () => {
  await server?.close();
});

const request = (overrides: Record<string, string | undefined> = {}) =>
  authorizeUrl(server, {
    response_type: 'code',
    client_id: 'web-app',
    redirect_uri: WEB_REDIRECT,
    scope: 'openid profile',
    state: 'st-1',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    // Consent is asked every time, so each test sees the consent page whatever an earlier one allowed.
    prompt: 'consent',
    ...overrides,
  });

const reference = (html: string): string => /<dt>Reference<\/dt><dd><code>([^<]+)<\/code><\/dd>/.exec(html)?.[1] ?? '';
const interactionOf = (page: Outcome): string => /\/interaction\/([^/]+)\//.exec(parseForms(page.html ?? '')[0]?.action ?? '')?.[1] ?? '';

describe('the error page of an authorization request that cannot be redirected (RFC 6749 §4.1.2.1)', () => {
  it('shows the client_id and redirect_uri received, HTML-escaped, under a plain-language title', async () => {
    const evil = 'https://evil.example/cb?x=<script>alert(1)</script>';
    const res = await fetch(request({ redirect_uri: evil }), { redirect: 'manual' });
    const html = await res.text();
    expect({ status: res.status, location: res.headers.get('location') }).toEqual({ status: 400, location: null });
    expect(html).toContain('<h1>This sign-in link does not work</h1>');
    expect(html).toContain('<dt>client_id received</dt><dd><code>web-app</code></dd>');
    expect(html).toContain('<dt>redirect_uri received</dt><dd><code>https://evil.example/cb?x=&lt;script&gt;alert(1)&lt;/script&gt;</code></dd>');
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('<code>invalid_request</code>');
  });

  it('offers the way back to the application at its registered origin, never at the redirect_uri received', async () => {
    const html = await (await fetch(request({ redirect_uri: 'https://evil.example/cb' }), { redirect: 'manual' })).text();
    expect(html).toContain('<a class="lk-button" href="https://client.example/">Go to Web App</a>');
    expect(html).not.toContain('href="https://evil.example');
  });

  it('invents no way back for an unknown client, and still shows what was received', async () => {
    const html = await (await fetch(request({ client_id: 'no-such-app' }), { redirect: 'manual' })).text();
    expect(html).toContain('<h1>This sign-in link does not work</h1>');
    expect(html).toContain('<dt>client_id received</dt><dd><code>no-such-app</code></dd>');
    expect(html).not.toContain('Go to ');
  });

  it('shows a reference that is the request id the log line of the same request carries', async () => {
    const html = await (await fetch(request({ client_id: 'ref-check-app' }), { redirect: 'manual' })).text();
    const ref = reference(html);
    expect(ref).toMatch(/^[0-9a-f]{12}$/);
    const lines = logLines.filter((l) => l['reqId'] === ref);
    expect(lines.some((l) => l['error'] === 'invalid_request')).toBe(true);
  });
});

describe('an expired sign-in', () => {
  // Past session.interactionTtl (600 s by default).
  const expire = () => clock.advance(601);

  it('offers Start again, which restarts the same authorization request, state included, in this browser', async () => {
    const agent = new UserAgent(server.url);
    const login = await agent.start(request({ state: 'keep-me' }));
    expect(login.page).toBe('login');
    const id = interactionOf(login);
    expire();
    const expired = await agent.start(`/interaction/${id}`);
    expect(expired.status).toBe(400);
    expect(expired.html).toContain('<h1>Your sign-in has expired</h1>');
    const start = /<a class="lk-button" href="([^"]+)">Start again<\/a>/.exec(expired.html ?? '')?.[1];
    expect(start).toBe(`/interaction/${id}/restart`);

    const again = await agent.start(decodeEntities(start ?? ''));
    expect(again.page).toBe('login');
    expect(interactionOf(again)).not.toBe(id);
    const consent = await agent.login(again, 'alice', TEST_PASSWORD);
    const back = await agent.consent(consent, 'allow');
    expect(back.location?.origin + (back.location?.pathname ?? '')).toBe(WEB_REDIRECT);
    expect(back.location?.searchParams.get('state')).toBe('keep-me');
    expect(back.location?.searchParams.get('code')).toMatch(/^lk_ac_/);
  });

  it('keeps the username when the login form is sent after the sign-in expired, and asks only for the password', async () => {
    const agent = new UserAgent(server.url);
    const login = await agent.start(request());
    const id = interactionOf(login);
    expire();
    const again = await agent.login(login, 'alice', TEST_PASSWORD);
    expect(again.page).toBe('login');
    expect(again.html).toContain('value="alice"');
    expect(again.html).toContain('Enter your password again');
    expect(interactionOf(again)).not.toBe(id);
    const consent = await agent.login(again, 'alice', TEST_PASSWORD);
    expect(consent.page).toBe('consent');
  });

  it('cannot be restarted from another browser (the interaction is bound to the browser that started it)', async () => {
    const agent = new UserAgent(server.url);
    const id = interactionOf(await agent.start(request()));
    expire();
    const other = await new UserAgent(server.url).start(`/interaction/${id}/restart`);
    expect(other.status).toBe(400);
    expect(other.html).toContain('<h1>This sign-in has expired</h1>');
    expect(other.html).not.toContain('Start again');
    expect(other.html).toContain('<code>access_denied</code>');
  });

  it('cannot be restarted once it has finished (an ended interaction is gone)', async () => {
    const agent = new UserAgent(server.url);
    const login = await agent.start(request());
    const id = interactionOf(login);
    const consent = await agent.login(login, 'alice', TEST_PASSWORD);
    expect((await agent.consent(consent, 'deny')).location?.searchParams.get('error')).toBe('access_denied');
    expire();
    const res = await agent.start(`/interaction/${id}/restart`);
    expect(res.status).toBe(400);
    expect(res.html).not.toContain('Start again');
  });
});

describe('unknown paths: an HTML 404 page for browsers, JSON for API clients (content negotiation, RFC 9110 §12.5.1)', () => {
  const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

  it('answers a browser (Accept: text/html) with an HTML page titled Page not found, status 404', async () => {
    const res = await fetch(`${server.url}/no/such/page`, { headers: { accept: BROWSER_ACCEPT } });
    const html = await res.text();
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type') ?? '').toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy') ?? '').toContain("frame-ancestors 'none'");
    expect(html).toContain('<h1>Page not found</h1>');
    expect(reference(html)).toMatch(/^[0-9a-f]{12}$/);
  });

  const apiAccepts: [string, string | undefined][] = [
    ['no Accept header', undefined],
    ['Accept: */*', '*/*'],
    ['Accept: application/json', 'application/json'],
    ['JSON preferred over HTML', 'application/json, text/html;q=0.5'],
    ['HTML refused with q=0', 'text/html;q=0, */*'],
  ];
  for (const [what, accept] of apiAccepts) {
    it(`keeps the JSON invalid_request 404 for an API client (${what})`, async () => {
      const res = await fetch(`${server.url}/no/such/page`, accept === undefined ? {} : { headers: { accept } });
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type') ?? '').toMatch(/^application\/json/);
      expect(await res.json()).toMatchObject({ error: 'invalid_request' });
    });
  }

  it('answers a browser POST to an unknown path with the HTML page too', async () => {
    const res = await fetch(`${server.url}/no/such/form`, { method: 'POST', headers: { accept: BROWSER_ACCEPT, 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=b' });
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('<h1>Page not found</h1>');
  });
});

describe('contacting the operator', () => {
  it('links the configured theme.supportUrl next to the reference, and refuses a javascript: URL at start-up', async () => {
    const withSupport = await startServer({ theme: { supportUrl: 'mailto:help@example.com' } });
    try {
      const html = await (await fetch(authorizeUrl(withSupport, { client_id: 'nope' }), { redirect: 'manual' })).text();
      expect(html).toMatch(/<a href="mailto:help@example.com">contact the people who run this service<\/a>, quoting the reference <code class="lk-ref">[0-9a-f]{12}<\/code>/);
    } finally {
      await withSupport.close();
    }
    expect(() => parseConfig(testConfig({ theme: { supportUrl: 'javascript:alert(1)' } }))).toThrow(/theme\.supportUrl/);
  });
});
