import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationProvider } from '../../src/storage/migrations/index.ts';
import { basicAuth, pkcePair, WEB_REDIRECT } from '../support/flow-helpers.ts';
import { createTestDatabase, postgresUrl, skipNote } from '../support/pg-url.ts';
import { TEST_PASSWORD, TEST_SECRET, testConfig } from '../support/server.ts';
import { parseForms } from '../support/user-agent.ts';
import { proof, proofKey } from '../flows/dpop/proofs.ts';
import { latchkeyCommand, startNode, writeNodeConfig, type LatchkeyNode } from './cluster.ts';
import { assertion, clientKey, withAssertion, type ClientKey } from '../flows/client-auth/support.ts';

/**
 * Three Latchkey processes on one PostgreSQL, as behind a load balancer (issue 4): every step of a flow may land on
 * any node. The nodes trust X-Forwarded-For (as behind a reverse proxy), so each test speaks from its own address
 * and the shared rate limit can be counted per address.
 */

/** The nodes run with the default cacheTtlMs. */
const DEFAULT_CACHE_TTL_MS = 2000;
const RATE_LIMIT = 12;
const WEB_APP = basicAuth('web-app', TEST_SECRET);
/** A resource server that may introspect every client's tokens. */
const API_SECRET = 'api-secret-0123456789abcdef';
const API = basicAuth('api', API_SECRET);

let dir: string;
let database: string;
let nodes: LatchkeyNode[] = [];
let addressCounter = 0;
/** The secret of the client_secret_jwt client `hmac` (RFC 7523 §2.2, OpenID Connect Core §9). */
const HMAC_SECRET = 'hmac-secret-0123456789abcdef0123456789';
/** The key of the private_key_jwt client `signed` (RFC 7523 §2.2). */
let signedKey: ClientKey;

/** A client (and browser) speaking from its own address, to any node; cookies are shared, as one site's are. */
class Agent {
  readonly address = `203.0.113.${++addressCounter}`;
  readonly cookies = new Map<string, string>();

  async request(node: LatchkeyNode, path: string, init: { method?: string; form?: Record<string, string>; authorization?: string } = {}): Promise<Response> {
    const headers = new Headers({ 'x-forwarded-for': this.address });
    if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    if (init.authorization) headers.set('authorization', init.authorization);
    const res = await fetch(new URL(path, node.url), {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      headers,
      redirect: 'manual',
      ...(init.form ? { body: new URLSearchParams(init.form) } : {}),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(pair.slice(0, eq).trim());
      else this.cookies.set(pair.slice(0, eq).trim(), value);
    }
    return res;
  }

  token(node: LatchkeyNode, form: Record<string, string>, authorization = WEB_APP): Promise<Response> {
    return this.request(node, '/oauth2/token', { form, authorization });
  }

  async introspect(node: LatchkeyNode, token: string, authorization = WEB_APP): Promise<boolean> {
    const res = await this.request(node, '/oauth2/introspect', { form: { token }, authorization });
    expect(res.status).toBe(200);
    return ((await res.json()) as { active: boolean }).active;
  }
}

const location = (res: Response): string => {
  expect(res.status, 'a redirect').toBe(303);
  return res.headers.get('location') ?? '';
};

/**
 * The authorization request on `a`, the login page and form on `b`, the consent page on `c` (shown the first time; a
 * consent given earlier, on any node, is remembered); returns the code.
 */
async function codeAcross(agent: Agent, a: LatchkeyNode, b: LatchkeyNode, c: LatchkeyNode): Promise<{ code: string; verifier: string }> {
  const { verifier, challenge } = pkcePair();
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: 'web-app',
    redirect_uri: WEB_REDIRECT,
    scope: 'openid profile',
    state: 'st',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  const interaction = location(await agent.request(a, `/oauth2/authorize?${query}`));
  expect(interaction).toMatch(/^\/interaction\//);
  const loginPage = await agent.request(b, interaction);
  expect(loginPage.status).toBe(200);
  const loginForm = parseForms(await loginPage.text())[0];
  expect(loginForm?.action).toBe(`${interaction}/login`);
  const afterLogin = location(
    await agent.request(b, loginForm?.action ?? '', { form: { ...loginForm?.fields, username: 'alice', password: TEST_PASSWORD } }),
  );
  let next = await agent.request(c, afterLogin);
  if (next.status === 200) {
    const consentForm = parseForms(await next.text())[0];
    expect(consentForm?.action).toBe(`${interaction}/consent`);
    next = await agent.request(c, consentForm?.action ?? '', { form: { ...consentForm?.fields, decision: 'allow' } });
  }
  const back = new URL(location(next));
  expect(back.origin + back.pathname).toBe(WEB_REDIRECT);
  expect(back.searchParams.get('state')).toBe('st');
  const code = back.searchParams.get('code');
  expect(code).toBeTruthy();
  return { code: code ?? '', verifier };
}

const codeGrant = (c: { code: string; verifier: string }) => ({
  grant_type: 'authorization_code',
  code: c.code,
  code_verifier: c.verifier,
  redirect_uri: WEB_REDIRECT,
});

async function tokens(res: Response): Promise<{ access_token: string; refresh_token?: string }> {
  const text = await res.text();
  expect({ status: res.status, text }).toMatchObject({ status: 200 });
  return JSON.parse(text) as { access_token: string; refresh_token?: string };
}

async function oauthError(res: Response, status: number, error: string): Promise<void> {
  const text = await res.text();
  expect({ status: res.status, text }).toMatchObject({ status });
  expect((JSON.parse(text) as { error: string }).error).toBe(error);
}

describe.skipIf(!postgresUrl())(`three Latchkey nodes on one PostgreSQL${skipNote()}`, () => {
  let A: LatchkeyNode;
  let B: LatchkeyNode;
  let C: LatchkeyNode;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'latchkey-multinode-'));
    database = await createTestDatabase('lk_multinode');
    const base = testConfig();
    signedKey = await clientKey('ES256');
    const config = writeNodeConfig(dir, database, {
      trustProxy: true,
      rateLimit: { tokenPerMinute: RATE_LIMIT },
      clients: [
        ...(base.clients ?? []),
        { id: 'api', name: 'API', secret: API_SECRET, grantTypes: ['client_credentials'], introspectAny: true },
        { id: 'signed', name: 'Signed', tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [signedKey.publicJwk] }, grantTypes: ['client_credentials'] },
        { id: 'hmac', name: 'HMAC', secret: HMAC_SECRET, tokenEndpointAuthMethod: 'client_secret_jwt', grantTypes: ['client_credentials'] },
      ],
    });
    // One issuer for the whole cluster, as behind a load balancer; all three start at once on an empty database.
    const issuer = 'http://127.0.0.1:1';
    nodes = await Promise.all(['A', 'B', 'C'].map((name) => startNode(config, name, { issuer })));
    [A, B, C] = nodes as [LatchkeyNode, LatchkeyNode, LatchkeyNode];
  }, 120_000);

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop('SIGTERM')));
    rmSync(dir, { recursive: true, force: true });
  });

  it('three nodes started at once on an empty database migrate it once and create the declared clients and user once', async () => {
    const client = new pg.Client({ connectionString: database });
    await client.connect();
    try {
      const migrations = await client.query<{ name: string }>('select name from kysely_migration order by name');
      expect(migrations.rows.map((r) => r.name)).toEqual(Object.keys(await migrationProvider.getMigrations()).sort());
      const clients = await client.query<{ id: string }>('select id from clients order by id');
      expect(clients.rows.map((r) => r.id)).toEqual(expect.arrayContaining(['api', 'spa', 'web-app']));
      const users = await client.query<{ username: string }>('select username from users');
      expect(users.rows.map((r) => r.username)).toEqual(['alice']);
    } finally {
      await client.end();
    }
    for (const n of nodes) expect(n.output()).not.toMatch(/"level":(50|60)/);
  });

  it('three nodes started at once create one signing key per algorithm and serve the same JWKS', async () => {
    const sets = await Promise.all(nodes.map(async (n) => ((await (await fetch(`${n.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string; alg: string }[] }).keys));
    expect(sets[0]?.map((k) => k.alg).sort()).toEqual(['ES256', 'EdDSA', 'RS256']);
    for (const set of sets) expect(set).toEqual(sets[0]);
  });

  it('runs the authorization-code flow across nodes: authorize on A, login on B, consent on C, exchange on C, userinfo on A (RFC 6749 §4.1)', async () => {
    const agent = new Agent();
    const code = await codeAcross(agent, A, B, C);
    const t = await tokens(await agent.token(C, codeGrant(code)));
    expect(t.refresh_token).toBeTruthy();
    const me = await agent.request(A, '/userinfo', { authorization: `Bearer ${t.access_token}` });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { preferred_username?: string; sub: string }).sub).toBeTruthy();
    expect(await agent.introspect(B, t.access_token)).toBe(true);
  });

  it('uses a request_uri pushed to A on B, once: C then answers invalid_request_uri (RFC 9126 §4)', async () => {
    const agent = new Agent();
    const { challenge } = pkcePair();
    const pushed = await agent.request(A, '/oauth2/par', {
      authorization: WEB_APP,
      form: { response_type: 'code', client_id: 'web-app', redirect_uri: WEB_REDIRECT, scope: 'openid', state: 'par', code_challenge: challenge, code_challenge_method: 'S256' },
    });
    expect(pushed.status).toBe(201);
    const { request_uri: requestUri } = (await pushed.json()) as { request_uri: string };
    const query = new URLSearchParams({ client_id: 'web-app', request_uri: requestUri });
    expect(location(await agent.request(B, `/oauth2/authorize?${query}`))).toMatch(/^\/interaction\//);
    const again = await agent.request(C, `/oauth2/authorize?${query}`);
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('<code>invalid_request_uri</code>');
  });

  it('keeps the SSO session on every node: a second authorization on C skips the login page made on B', async () => {
    const agent = new Agent();
    await codeAcross(agent, A, B, C);
    const { challenge } = pkcePair();
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: 'web-app',
      redirect_uri: WEB_REDIRECT,
      scope: 'openid profile',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    // Consent was given and the session lives in the database: C answers with a code at once.
    const back = new URL(location(await agent.request(C, `/oauth2/authorize?${query}`)));
    expect(back.searchParams.get('code')).toBeTruthy();
  });

  it('revocation on one node takes effect on every node at once: introspection inactive and userinfo 401 on the others (RFC 7009 §2.2)', async () => {
    const agent = new Agent();
    const t = await tokens(await agent.token(A, codeGrant(await codeAcross(agent, B, C, A))));
    expect(await agent.introspect(B, t.access_token)).toBe(true);
    const revoked = await agent.request(C, '/oauth2/revoke', { form: { token: t.access_token }, authorization: WEB_APP });
    expect(revoked.status).toBe(200);
    expect(await agent.introspect(A, t.access_token)).toBe(false);
    expect(await agent.introspect(B, t.access_token)).toBe(false);
    const me = await agent.request(B, '/userinfo', { authorization: `Bearer ${t.access_token}` });
    expect(me.status).toBe(401);
    expect(me.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  });

  it('refuses a code replayed on another node with invalid_grant and revokes the tokens issued from it on every node (RFC 6749 §4.1.2)', async () => {
    const agent = new Agent();
    const code = await codeAcross(agent, A, B, C);
    const t = await tokens(await agent.token(A, codeGrant(code)));
    await oauthError(await agent.token(B, codeGrant(code)), 400, 'invalid_grant');
    expect(await agent.introspect(C, t.access_token)).toBe(false);
    await oauthError(await agent.token(C, { grant_type: 'refresh_token', refresh_token: t.refresh_token ?? '' }), 400, 'invalid_grant');
  });

  it('lets exactly one of three parallel redemptions of a code on three nodes win', async () => {
    const agent = new Agent();
    const code = await codeAcross(agent, C, A, B);
    const results = await Promise.all(nodes.map((n) => agent.token(n, codeGrant(code))));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 400, 400]);
    for (const r of results.filter((x) => x.status === 400)) expect(((await r.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('lets exactly one of three parallel uses of one client assertion on three nodes through: the jti store is shared (RFC 7523 §3)', async () => {
    const agent = new Agent();
    // The cluster's issuer (beforeAll) is the audience (draft-ietf-oauth-rfc7523bis).
    const jwt = await assertion(signedKey, 'signed', 'http://127.0.0.1:1');
    const results = await Promise.all(nodes.map((n) => agent.token(n, { grant_type: 'client_credentials', ...withAssertion(jwt) }, '')));
    expect(results.map((r) => r.status).sort()).toEqual([200, 401, 401]);
    for (const r of results.filter((x) => x.status === 401)) expect(((await r.json()) as { error: string }).error).toBe('invalid_client');
  });

  it('verifies client_secret_jwt on every node (one shared KEK opens the stored secret) and lets one HMAC assertion through once (RFC 7523 §3)', async () => {
    const agent = new Agent();
    const key = { privateKey: new TextEncoder().encode(HMAC_SECRET), alg: 'HS256' };
    for (const n of nodes) expect((await agent.token(n, { grant_type: 'client_credentials', ...withAssertion(await assertion(key, 'hmac', 'http://127.0.0.1:1')) }, '')).status).toBe(200);
    const jwt = await assertion(key, 'hmac', 'http://127.0.0.1:1');
    const results = await Promise.all(nodes.map((n) => agent.token(n, { grant_type: 'client_credentials', ...withAssertion(jwt) }, '')));
    expect(results.map((r) => r.status).sort()).toEqual([200, 401, 401]);
  });

  it('rotates a refresh token on one node and refuses the spent one on the others; of three parallel rotations exactly one wins (RFC 9700 §4.14.2)', async () => {
    const agent = new Agent();
    const first = await tokens(await agent.token(A, codeGrant(await codeAcross(agent, A, B, C))));
    const second = await tokens(await agent.token(B, { grant_type: 'refresh_token', refresh_token: first.refresh_token ?? '' }));
    expect(await agent.introspect(C, second.access_token)).toBe(true);

    const other = new Agent();
    const fresh = await tokens(await other.token(C, codeGrant(await codeAcross(other, B, C, A))));
    const raced = await Promise.all(nodes.map((n) => other.token(n, { grant_type: 'refresh_token', refresh_token: fresh.refresh_token ?? '' })));
    expect(raced.map((r) => r.status).sort()).toEqual([200, 400, 400]);
  });

  it(`counts the token endpoint's rate limit across nodes: ${RATE_LIMIT} requests from one address spread over three nodes, then 429 temporarily_unavailable on every node`, async () => {
    const agent = new Agent();
    for (let i = 0; i < RATE_LIMIT; i++) {
      const res = await agent.token(nodes[i % 3] as LatchkeyNode, { grant_type: 'client_credentials' });
      expect(res.status, `request ${i + 1} on node ${(nodes[i % 3] as LatchkeyNode).name}`).toBe(200);
    }
    for (const n of nodes) {
      const res = await agent.token(n, { grant_type: 'client_credentials' });
      await oauthError(res, 429, 'temporarily_unavailable');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // Another address is not affected.
    expect((await new Agent().token(B, { grant_type: 'client_credentials' })).status).toBe(200);
  });

  it(`counts one client-authentication budget across nodes and endpoints: ${RATE_LIMIT} token, introspection and revocation requests over three nodes, then 429 on every node (issue 10 defect 7)`, async () => {
    const agent = new Agent();
    const send = [
      (n: LatchkeyNode) => agent.token(n, { grant_type: 'client_credentials' }),
      (n: LatchkeyNode) => agent.request(n, '/oauth2/introspect', { form: { token: 'lk_at_unknown' }, authorization: WEB_APP }),
      (n: LatchkeyNode) => agent.request(n, '/oauth2/revoke', { form: { token: 'lk_at_unknown' }, authorization: WEB_APP }),
    ] as const;
    for (let i = 0; i < RATE_LIMIT; i++) {
      const node = nodes[(i + 1) % 3] as LatchkeyNode;
      const res = await send[i % 3]?.(node);
      expect(res?.status, `request ${i + 1} on node ${node.name}`).toBe(200);
    }
    for (const n of nodes) {
      const res = await agent.request(n, '/oauth2/introspect', { form: { token: 'lk_at_unknown' }, authorization: WEB_APP });
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      await oauthError(res, 429, 'temporarily_unavailable');
    }
  });

  it('a client deleted with the command line: its tokens are inactive everywhere at once, the client refused on every node within cacheTtlMs', async () => {
    const agent = new Agent();
    const created = await latchkeyCommand(['clients', 'create', '--id', 'batch-job', '--name', 'Batch', '--secret', 'batch-secret-0123456789', '--grant-type', 'client_credentials', '-d', database, '--json']);
    expect(created.code, created.stderr).toBe(0);
    const auth = basicAuth('batch-job', 'batch-secret-0123456789');
    const t = await tokens(await agent.token(A, { grant_type: 'client_credentials' }, auth));
    expect(await agent.introspect(B, t.access_token, API)).toBe(true);

    // Every node has the client in its cache now (README, "What a node caches").
    for (const n of nodes) await tokens(await agent.token(n, { grant_type: 'client_credentials' }, auth));
    const deleted = await latchkeyCommand(['clients', 'delete', 'batch-job', '-d', database]);
    expect(deleted.code, deleted.stderr).toBe(0);
    const at = performance.now();
    for (const n of nodes) expect(await agent.introspect(n, t.access_token, API)).toBe(false);
    for (const n of nodes) {
      for (;;) {
        // Each attempt from an address of its own, so the polling stays clear of the token endpoint's rate limit.
        const res = await new Agent().token(n, { grant_type: 'client_credentials' }, auth);
        if (res.status !== 200) {
          await oauthError(res, 401, 'invalid_client');
          break;
        }
        // A wide margin over the bound: each poll is an HTTP request to a node process, slow on a loaded machine.
        expect(performance.now() - at).toBeLessThan(DEFAULT_CACHE_TTL_MS + 5000);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  });

  it('accepts a DPoP proof once across the cluster: the same proof sent to three nodes at once gets one token, and two invalid_dpop_proof (RFC 9449 §11.1)', async () => {
    const key = await proofKey();
    const address = new Agent().address;
    const send = (node: LatchkeyNode, dpop: string) =>
      fetch(new URL('/oauth2/token', node.url), {
        method: 'POST',
        headers: { authorization: WEB_APP, dpop, 'x-forwarded-for': address },
        body: new URLSearchParams({ grant_type: 'client_credentials' }),
      });
    // htu is the cluster's one issuer, whichever node answers.
    const htu = 'http://127.0.0.1:1/oauth2/token';
    const raced = await proof(key, { htm: 'POST', htu });
    const answers = await Promise.all(nodes.map((n) => send(n, raced)));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 400, 400]);
    for (const r of answers.filter((a) => a.status === 400)) expect(((await r.json()) as { error: string }).error).toBe('invalid_dpop_proof');
    // One after another as well: used on A, refused on B and C.
    const once = await proof(key, { htm: 'POST', htu });
    expect((await send(A, once)).status).toBe(200);
    await oauthError(await send(B, once), 400, 'invalid_dpop_proof');
    await oauthError(await send(C, once), 400, 'invalid_dpop_proof');
  });

  it('answers /healthz and /readyz on every node', async () => {
    for (const n of nodes) {
      expect((await fetch(`${n.url}/healthz`)).status).toBe(200);
      const ready = await fetch(`${n.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready' });
    }
  });
});
