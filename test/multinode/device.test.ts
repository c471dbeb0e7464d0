import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresUrl, skipNote } from '../support/pg-url.ts';
import { TEST_PASSWORD, testConfig } from '../support/server.ts';
import { parseForms } from '../support/user-agent.ts';
import { startNode, writeNodeConfig, type LatchkeyNode } from './cluster.ts';

/**
 * The device authorization grant (RFC 8628) on two Latchkey processes sharing one PostgreSQL: every request of the
 * device and of the person may land on either node, so every piece of its state (the code, the person's answer, the
 * poll interval, the single redemption) must live in the database.
 */

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
let dir: string;
let nodes: LatchkeyNode[] = [];

/** A browser whose every request goes to the next node in turn; cookies are shared, as one site's are. */
class RoundRobinBrowser {
  readonly cookies = new Map<string, string>();
  private turn = 0;
  private readonly on: readonly LatchkeyNode[];
  constructor(on: readonly LatchkeyNode[]) {
    this.on = on;
  }

  async request(pathOrUrl: string, form?: Record<string, string>): Promise<Response> {
    const node = this.on[this.turn++ % this.on.length] as LatchkeyNode;
    // The cluster has one issuer (a load balancer's address): only the path and query matter here.
    const url = new URL(pathOrUrl, 'http://issuer.invalid');
    const headers = new Headers();
    if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(node.url + url.pathname + url.search, { method: form ? 'POST' : 'GET', headers, redirect: 'manual', ...(form ? { body: new URLSearchParams(form) } : {}) });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(pair.slice(0, eq).trim());
      else this.cookies.set(pair.slice(0, eq).trim(), value);
    }
    return res;
  }

  /** Follows redirects (each hop on the next node) to a page. */
  async page(first: Response): Promise<{ status: number; html: string }> {
    let res = first;
    for (let hop = 0; hop < 10 && res.status >= 300 && res.status < 400; hop++) res = await this.request(res.headers.get('location') ?? '');
    return { status: res.status, html: await res.text() };
  }

  async submit(html: string, extra: Record<string, string>): Promise<{ status: number; html: string }> {
    const form = parseForms(html)[0];
    if (!form) throw new Error('no form');
    return this.page(await this.request(form.action, { ...form.fields, ...extra }));
  }
}

async function post(node: LatchkeyNode, path: string, form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(node.url + path, { method: 'POST', body: new URLSearchParams(form) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const deviceAuthorization = async (node: LatchkeyNode) => {
  const r = await post(node, '/oauth2/device_authorization', { client_id: 'tv-app', scope: 'openid profile' });
  expect(r.status).toBe(200);
  return r.body as { device_code: string; user_code: string };
};
const pollOn = (node: LatchkeyNode, deviceCode: string) => post(node, '/oauth2/token', { grant_type: DEVICE_GRANT, device_code: deviceCode, client_id: 'tv-app' });

/** The person's whole side, each request on the next node: sign in, type the code, allow. */
async function approve(userCode: string): Promise<void> {
  const browser = new RoundRobinBrowser(nodes);
  let page = await browser.page(await browser.request('/device'));
  expect(page.html).toContain('name="password"');
  page = await browser.submit(page.html, { username: 'alice', password: TEST_PASSWORD });
  expect(page.html).toContain('name="user_code"');
  page = await browser.submit(page.html, { user_code: userCode });
  expect(page.html).toContain('name="decision"');
  page = await browser.submit(page.html, { decision: 'allow' });
  expect(page.html).toContain('Device connected');
}

describe.skipIf(!postgresUrl())(`device authorization grant on two nodes${skipNote()}`, () => {
  let A: LatchkeyNode;
  let B: LatchkeyNode;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'latchkey-device-nodes-'));
    const database = await createTestDatabase('lk_device_nodes');
    const base = testConfig();
    const config = writeNodeConfig(dir, database, {
      clients: [...(base.clients ?? []), { id: 'tv-app', name: 'Living Room TV', type: 'public', grantTypes: [DEVICE_GRANT], responseTypes: [] }],
    });
    const issuer = 'http://127.0.0.1:1';
    A = await startNode(config, 'A', { issuer });
    B = await startNode(config, 'B', { issuer });
    nodes = [A, B];
  }, 120_000);

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop('SIGTERM')));
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts on A, is approved across both nodes, and is redeemed on B (RFC 8628 §3.1-3.5)', async () => {
    const d = await deviceAuthorization(A);
    expect((await pollOn(B, d.device_code)).body['error']).toBe('authorization_pending');
    await approve(d.user_code);
    const t = await pollOn(B, d.device_code);
    expect(t.status).toBe(200);
    expect(t.body['access_token']).toBeTruthy();
    expect((await pollOn(A, d.device_code)).body['error']).toBe('invalid_grant');
  });

  it('slows down a device that polls A and then B at once: the interval is shared (§3.5)', async () => {
    const d = await deviceAuthorization(B);
    expect((await pollOn(A, d.device_code)).body['error']).toBe('authorization_pending');
    expect((await pollOn(B, d.device_code)).body['error']).toBe('slow_down');
  });

  it('gives tokens to exactly one of two pollers racing on A and B after approval', async () => {
    const d = await deviceAuthorization(A);
    await approve(d.user_code);
    const results = await Promise.all([pollOn(A, d.device_code), pollOn(B, d.device_code)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
    expect(results.find((r) => r.status === 400)?.body['error']).toBe('invalid_grant');
  });
});
