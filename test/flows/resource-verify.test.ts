import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  IntrospectionError,
  TokenVerificationError,
  createVerifier,
  requireToken,
  type Verifier,
  type VerifierOptions,
} from '../../src/index.ts';
import { basicAuth, codeGrant, expectTokens, obtainCode, post, postToken, WEB_APP_BASIC } from '../support/flow-helpers.ts';
import { startServer, testConfig, TEST_SECRET, type TestServer } from '../support/server.ts';
import { UserAgent } from '../support/user-agent.ts';

/**
 * An operator's own API protected with `requireToken`: tokens are opaque, so the API verifies them through Latchkey's
 * RFC 7662 introspection endpoint, and answers RFC 6750 §3 challenges.
 */

const OTHER_SECRET = 'other-secret-0123456789abcdef';

let server: TestServer;
let api: FastifyInstance;
let apiUrl: string;
/** The cached verifier's clock, in milliseconds; tests move it to expire cache entries. */
let clockMs = Date.now();

async function tokenFor(scope: string | undefined, authorization = WEB_APP_BASIC): Promise<string> {
  const res = await postToken(server, scope === undefined ? { grant_type: 'client_credentials' } : { grant_type: 'client_credentials', scope }, {
    authorization,
  });
  return (await expectTokens(res)).access_token;
}

const callApi = (path: string, authorization?: string) =>
  fetch(new URL(path, apiUrl), authorization === undefined ? {} : { headers: { authorization } });

const bearerHeader = (token: string) => `Bearer ${token}`;

async function revoke(token: string): Promise<void> {
  const res = await post(server, '/oauth2/revoke', { token }, { authorization: WEB_APP_BASIC });
  expect(res.status).toBe(200);
}

/** The parameters of a `WWW-Authenticate: Bearer ...` challenge (RFC 6750 §3), or undefined if there is none. */
function bearerChallenge(res: Response): Record<string, string> | undefined {
  const header = res.headers.get('www-authenticate');
  if (header === null || !/^Bearer /.test(header)) return undefined;
  const params: Record<string, string> = {};
  for (const m of header.slice('Bearer '.length).matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)) {
    if (m[1] !== undefined && m[2] !== undefined) params[m[1]] = m[2].replace(/\\(.)/g, '$1');
  }
  return params;
}

async function expectChallenge(res: Response, status: number, error: string | undefined): Promise<Record<string, string>> {
  const text = await res.text();
  expect({ status: res.status, text }).toMatchObject({ status });
  const challenge = bearerChallenge(res);
  expect(challenge).toBeDefined();
  expect(challenge?.['realm']).toBe('api');
  expect(challenge?.['error']).toBe(error);
  return challenge ?? {};
}

beforeAll(async () => {
  const base = testConfig();
  server = await startServer({
    // API scopes: a client acting for itself may hold them, unlike user scopes such as profile (client_credentials).
    scopes: [
      { name: 'reports:read', description: 'Read your reports' },
      { name: 'reports:write', description: 'Change your reports' },
    ],
    clients: [
      ...(base.clients ?? []),
      { id: 'other-app', name: 'Other App', secret: OTHER_SECRET, grantTypes: ['client_credentials'] },
    ],
  });
  const options: VerifierOptions = { issuer: server.url, clientId: 'web-app', clientSecret: TEST_SECRET };
  // Discovery on; no cache, so revocation shows at once.
  const fresh = createVerifier({ ...options, cacheTtlSeconds: 0 });
  // A one-second cache on a clock the tests move.
  const cached = createVerifier({ ...options, cacheTtlSeconds: 1, now: () => clockMs });
  const wrongSecret = createVerifier({ ...options, clientSecret: 'not-the-secret-0123456789', cacheTtlSeconds: 0 });
  const unreachable = createVerifier({ ...options, introspectionEndpoint: 'http://127.0.0.1:1/introspect', timeoutMs: 2000 });

  api = Fastify();
  api.get('/profile', { preHandler: requireToken(fresh, { scope: 'reports:read' }) }, async (req) => req.latchkeyToken);
  api.get('/any', { preHandler: requireToken(fresh) }, async (req) => req.latchkeyToken);
  api.get('/profile-email', { preHandler: requireToken(fresh, { scope: ['reports:read', 'reports:write'] }) }, async (req) => req.latchkeyToken);
  api.get('/cached', { preHandler: requireToken(cached, { scope: 'reports:read' }) }, async (req) => req.latchkeyToken);
  api.get('/wrong-secret', { preHandler: requireToken(wrongSecret) }, async (req) => req.latchkeyToken);
  api.get('/unreachable', { preHandler: requireToken(unreachable) }, async (req) => req.latchkeyToken);
  await api.listen({ port: 0, host: '127.0.0.1' });
  const address = api.server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  apiUrl = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  await api?.close();
  await server?.close();
});

describe('requireToken: a Fastify API protected by Latchkey access tokens', () => {
  it('admits a client_credentials token with the required scope and exposes its client and scope', async () => {
    const token = await tokenFor('reports:read');
    const res = await callApi('/profile', bearerHeader(token));
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ active: true, clientId: 'web-app', scope: ['reports:read'] });
    expect(body['sub']).toBeUndefined();
    expect(typeof body['exp']).toBe('number');
  });

  it("admits a user's token from the authorization code flow and exposes the user's sub and username", async () => {
    const agent = new UserAgent(server.url);
    const code = await obtainCode(agent, { scope: 'openid reports:read' });
    const tokens = await expectTokens(await postToken(server, codeGrant(code), { authorization: WEB_APP_BASIC }));
    const res = await callApi('/profile', bearerHeader(tokens.access_token));
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    const alice = await server.latchkey.storage.repos.users.findByUsername('alice');
    expect(body).toMatchObject({ clientId: 'web-app', sub: alice?.id, username: 'alice' });

    // RFC 6749 §1.5: a refresh token is not an access token, although introspection calls it active.
    expect(tokens.refresh_token).toBeDefined();
    await expectChallenge(await callApi('/any', bearerHeader(tokens.refresh_token ?? '')), 401, 'invalid_token');
  });

  it('accepts the scheme name in any case (RFC 7235 §2.1)', async () => {
    const token = await tokenFor('reports:read');
    expect((await callApi('/profile', `bearer ${token}`)).status).toBe(200);
  });

  it('answers a request without a token with 401 and a Bearer challenge without an error code (RFC 6750 §3.1)', async () => {
    const res = await callApi('/profile');
    const challenge = await expectChallenge(res, 401, undefined);
    expect(challenge).toEqual({ realm: 'api' });
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="api"');
  });

  it('answers another authentication scheme like a missing token: 401 without an error code (RFC 6750 §3.1)', async () => {
    await expectChallenge(await callApi('/profile', basicAuth('web-app', TEST_SECRET)), 401, undefined);
  });

  it('refuses an unknown token with 401 invalid_token (RFC 6750 §3.1)', async () => {
    await expectChallenge(await callApi('/profile', bearerHeader('lk_at_this-token-was-never-issued')), 401, 'invalid_token');
  });

  it('refuses a token whose characters are outside b64token with 400 invalid_request (RFC 6750 §2.1)', async () => {
    await expectChallenge(await callApi('/profile', 'Bearer not,a"token'), 400, 'invalid_request');
  });

  it('refuses a Bearer header without a token, or with two, with 400 invalid_request', async () => {
    await expectChallenge(await callApi('/profile', 'Bearer'), 400, 'invalid_request');
    await expectChallenge(await callApi('/profile', 'Bearer '), 400, 'invalid_request');
    await expectChallenge(await callApi('/profile', 'Bearer abc def'), 400, 'invalid_request');
  });

  it('refuses a revoked token at once when the cache is off (RFC 7009 §2)', async () => {
    const token = await tokenFor('reports:read');
    expect((await callApi('/profile', bearerHeader(token))).status).toBe(200);
    await revoke(token);
    await expectChallenge(await callApi('/profile', bearerHeader(token)), 401, 'invalid_token');
  });

  it('honours a revocation once the cache lifetime has passed, and not before', async () => {
    const token = await tokenFor('reports:read');
    expect((await callApi('/cached', bearerHeader(token))).status).toBe(200);
    await revoke(token);
    // Still within cacheTtlSeconds: the cached answer stands (this is the documented trade-off).
    clockMs += 900;
    expect((await callApi('/cached', bearerHeader(token))).status).toBe(200);
    clockMs += 200;
    await expectChallenge(await callApi('/cached', bearerHeader(token)), 401, 'invalid_token');
  });

  it('refuses a token without the required scope with 403 insufficient_scope naming the scope (RFC 6750 §3.1)', async () => {
    const token = await tokenFor('reports:write');
    const challenge = await expectChallenge(await callApi('/profile', bearerHeader(token)), 403, 'insufficient_scope');
    expect(challenge['scope']).toBe('reports:read');
  });

  it('refuses a token with no scope at all with 403 insufficient_scope', async () => {
    const token = await tokenFor(undefined);
    await expectChallenge(await callApi('/profile', bearerHeader(token)), 403, 'insufficient_scope');
  });

  it('requires every listed scope, and names them all in the challenge', async () => {
    const token = await tokenFor('reports:read');
    const challenge = await expectChallenge(await callApi('/profile-email', bearerHeader(token)), 403, 'insufficient_scope');
    expect(challenge['scope']).toBe('reports:read reports:write');
    expect((await callApi('/profile-email', bearerHeader(await tokenFor('reports:read reports:write')))).status).toBe(200);
  });

  it("refuses another client's token: Latchkey tells a client only about its own tokens (RFC 7662 §2.2)", async () => {
    const token = await tokenFor('reports:read', basicAuth('other-app', OTHER_SECRET));
    await expectChallenge(await callApi('/profile', bearerHeader(token)), 401, 'invalid_token');
  });

  it('answers 503, not 401, when its own client credentials are wrong: the token is not at fault', async () => {
    const token = await tokenFor('reports:read');
    const res = await callApi('/wrong-secret', bearerHeader(token));
    expect(res.status).toBe(503);
    expect(res.headers.get('www-authenticate')).toBeNull();
    expect(await res.text()).not.toContain(token);
  });

  it('answers 503 when the authorization server cannot be reached', async () => {
    const res = await callApi('/unreachable', bearerHeader('lk_at_some-token'));
    expect(res.status).toBe(503);
    expect(res.headers.get('www-authenticate')).toBeNull();
  });
});

/** An introspection endpoint double: records requests and answers what the test says. */
function stub(answer: (token: string) => Record<string, unknown> | Response) {
  const calls: { url: string; authorization: string | null; body: string }[] = [];
  const impl: typeof fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const body = typeof init?.body === 'string' ? init.body : '';
    calls.push({ url, authorization: new Headers(init?.headers).get('authorization'), body });
    if (url.endsWith('/.well-known/oauth-authorization-server')) {
      return Response.json({ issuer: 'https://as.example', introspection_endpoint: 'https://as.example/introspect' });
    }
    const token = new URLSearchParams(body).get('token') ?? '';
    const out = answer(token);
    return out instanceof Response ? out : Response.json(out);
  };
  return { calls, fetch: impl };
}

const T0 = 1_800_000_000_000;
const active = (over: Record<string, unknown> = {}) => ({
  active: true,
  client_id: 'api-client',
  scope: 'profile',
  token_type: 'Bearer',
  iss: 'https://as.example',
  exp: T0 / 1000 + 3600,
  ...over,
});

async function verificationError(p: Promise<unknown>): Promise<TokenVerificationError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(TokenVerificationError);
    return err as TokenVerificationError;
  }
  throw new Error('expected a TokenVerificationError');
}

describe('createVerifier against an introspection endpoint double', () => {
  const make = (s: ReturnType<typeof stub>, over: Partial<VerifierOptions> = {}): { verifier: Verifier; clock: { ms: number } } => {
    const clock = { ms: T0 };
    const verifier = createVerifier({
      issuer: 'https://as.example/',
      clientId: 'api client:1',
      clientSecret: 'p@ss+word/é',
      fetch: s.fetch,
      now: () => clock.ms,
      ...over,
    });
    return { verifier, clock };
  };

  it('discovers the endpoint from RFC 8414 metadata, then posts the token with client_secret_basic (RFC 7662 §2.1)', async () => {
    const s = stub(() => active());
    const { verifier } = make(s);
    await expect(verifier.verify('lk_at_abc')).resolves.toMatchObject({ active: true, clientId: 'api-client', scope: ['profile'] });
    expect(s.calls.map((c) => c.url)).toEqual(['https://as.example/.well-known/oauth-authorization-server', 'https://as.example/introspect']);
    const call = s.calls[1];
    expect(new URLSearchParams(call?.body).get('token')).toBe('lk_at_abc');
    expect(call?.url).not.toContain('lk_at_abc');
    // RFC 6749 §2.3.1: form-urlencoded id and secret, then Base64.
    const decoded = Buffer.from((call?.authorization ?? '').replace(/^Basic /, ''), 'base64').toString();
    expect(decoded).toBe('api+client%3A1:p%40ss%2Bword%2F%C3%A9');
  });

  it('discovers once for many verifications, and retries discovery after a failure', async () => {
    let fail = true;
    const s = stub(() => active());
    const flaky: typeof fetch = async (input, init) => {
      if (fail && String(input).includes('.well-known')) {
        fail = false;
        return new Response('down', { status: 503 });
      }
      return s.fetch(input, init);
    };
    const { verifier } = make(s, { fetch: flaky, cacheTtlSeconds: 0 });
    await expect(verifier.verify('lk_at_a')).rejects.toBeInstanceOf(IntrospectionError);
    await verifier.verify('lk_at_a');
    await verifier.verify('lk_at_b');
    expect(s.calls.filter((c) => c.url.includes('.well-known'))).toHaveLength(1);
  });

  it('refuses metadata that names another issuer (RFC 8414 §3.3)', async () => {
    const s = stub(() => active());
    const { verifier } = make(s, { issuer: 'https://other.example' });
    await expect(verifier.verify('lk_at_a')).rejects.toBeInstanceOf(IntrospectionError);
  });

  it('uses a configured endpoint without discovery', async () => {
    const s = stub(() => active());
    const { verifier } = make(s, { introspectionEndpoint: 'https://as.example/custom' });
    await verifier.verify('lk_at_a');
    expect(s.calls.map((c) => c.url)).toEqual(['https://as.example/custom']);
  });

  it.each([
    ['an inactive token', { active: false }],
    ['"active" as a string', active({ active: 'true' })],
    ['a refresh token', active({ token_type: 'refresh_token' })],
    ['a token of another issuer', active({ iss: 'https://evil.example' })],
    ['an expired token', active({ exp: T0 / 1000 - 1 })],
  ])('refuses %s with invalid_token 401', async (_what, answer) => {
    const { verifier } = make(stub(() => answer));
    const err = await verificationError(verifier.verify('lk_at_a'));
    expect(err.error).toBe('invalid_token');
    expect(err.status).toBe(401);
    expect(err.message).not.toContain('lk_at_a');
  });

  it.each([
    ['an empty string', ''],
    ['a space', 'lk_at_a b'],
    ['a quote', 'lk_at_"'],
    ['a comma', 'a,b'],
    ['padding in the middle', 'ab=c'],
    ['a huge value', 'a'.repeat(5000)],
  ])('refuses a malformed token (%s) with invalid_token without asking the server', async (_what, token) => {
    const s = stub(() => active());
    const { verifier } = make(s);
    expect((await verificationError(verifier.verify(token))).error).toBe('invalid_token');
    expect(s.calls).toHaveLength(0);
  });

  it('refuses a token missing one of the required scopes with insufficient_scope 403 and the required scope', async () => {
    const { verifier } = make(stub(() => active({ scope: 'openid profile' })));
    await expect(verifier.verify('lk_at_a', { scope: 'profile openid' })).resolves.toMatchObject({ scope: ['openid', 'profile'] });
    const err = await verificationError(verifier.verify('lk_at_a', { scope: ['profile', 'email'] }));
    expect(err.error).toBe('insufficient_scope');
    expect(err.status).toBe(403);
    expect(err.scope).toBe('profile email');
  });

  it('treats an introspection answer without scope as no scope', async () => {
    const { verifier } = make(stub(() => active({ scope: undefined })));
    expect((await verifier.verify('lk_at_a')).scope).toEqual([]);
    expect((await verificationError(verifier.verify('lk_at_a', { scope: 'profile' }))).error).toBe('insufficient_scope');
  });

  it('refuses a required scope that is not a scope token, as a programming error', async () => {
    const { verifier } = make(stub(() => active()));
    await expect(verifier.verify('lk_at_a', { scope: ['a"b'] })).rejects.toBeInstanceOf(TypeError);
    expect(() => requireToken(verifier, { scope: 'ok bad\\one' })).toThrow(TypeError);
  });

  it.each([
    ['an error status', () => new Response('{}', { status: 500 })],
    ['a 401 (wrong client credentials)', () => new Response('{"error":"invalid_client"}', { status: 401 })],
    ['a non-JSON body', () => new Response('<html>', { status: 200 })],
    ['a JSON array', () => Response.json([])],
    ['an active token without client_id', () => Response.json({ active: true, scope: 'profile' })],
  ])('throws IntrospectionError (503), not a token error, on %s', async (_what, answer) => {
    const { verifier } = make(stub(answer));
    const err = await verifier.verify('lk_at_a').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntrospectionError);
    expect((err as IntrospectionError).statusCode).toBe(503);
    expect((err as Error).message).not.toContain('lk_at_a');
  });

  it('reuses an answer within cacheTtlSeconds and asks again after it', async () => {
    const s = stub(() => active());
    const { verifier, clock } = make(s, { cacheTtlSeconds: 5 });
    await verifier.verify('lk_at_a');
    clock.ms += 4999;
    await verifier.verify('lk_at_a');
    expect(s.calls.filter((c) => c.url.endsWith('/introspect'))).toHaveLength(1);
    clock.ms += 1;
    await verifier.verify('lk_at_a');
    expect(s.calls.filter((c) => c.url.endsWith('/introspect'))).toHaveLength(2);
  });

  it('never serves a token from the cache past its own expiry', async () => {
    let exp = T0 / 1000 + 2;
    const s = stub(() => active({ exp }));
    const { verifier, clock } = make(s, { cacheTtlSeconds: 60 });
    await verifier.verify('lk_at_a');
    clock.ms += 2000;
    exp = T0 / 1000 + 1; // the server now reports it expired
    expect((await verificationError(verifier.verify('lk_at_a'))).error).toBe('invalid_token');
    expect(s.calls.filter((c) => c.url.endsWith('/introspect'))).toHaveLength(2);
  });

  it('caches an inactive answer too, for the same short time', async () => {
    const s = stub(() => ({ active: false }));
    const { verifier } = make(s, { cacheTtlSeconds: 5 });
    await verificationError(verifier.verify('lk_at_a'));
    await verificationError(verifier.verify('lk_at_a'));
    expect(s.calls.filter((c) => c.url.endsWith('/introspect'))).toHaveLength(1);
  });

  it('does not cache at all with cacheTtlSeconds 0', async () => {
    const s = stub(() => active());
    const { verifier } = make(s, { cacheTtlSeconds: 0 });
    await verifier.verify('lk_at_a');
    await verifier.verify('lk_at_a');
    expect(s.calls.filter((c) => c.url.endsWith('/introspect'))).toHaveLength(2);
  });

  it('keeps at most cacheMaxEntries answers, dropping the least recently used', async () => {
    const s = stub(() => active());
    const { verifier } = make(s, { cacheMaxEntries: 2 });
    const introspections = () => s.calls.filter((c) => c.url.endsWith('/introspect')).map((c) => new URLSearchParams(c.body).get('token'));
    await verifier.verify('lk_at_a');
    await verifier.verify('lk_at_b');
    await verifier.verify('lk_at_a'); // a is now the most recent
    await verifier.verify('lk_at_c'); // evicts b
    await verifier.verify('lk_at_a');
    await verifier.verify('lk_at_b');
    expect(introspections()).toEqual(['lk_at_a', 'lk_at_b', 'lk_at_c', 'lk_at_b']);
  });

  it('sends one introspection for concurrent verifications of one token', async () => {
    const s = stub(() => active());
    const { verifier } = make(s, { introspectionEndpoint: 'https://as.example/introspect' });
    await Promise.all(Array.from({ length: 10 }, () => verifier.verify('lk_at_a')));
    expect(s.calls).toHaveLength(1);
  });

  it('returns a copy: a caller changing the result does not change what the cache holds', async () => {
    const { verifier } = make(stub(() => active({ scope: 'profile' })));
    const first = await verifier.verify('lk_at_a');
    first.scope.push('admin');
    await expect(verifier.verify('lk_at_a', { scope: 'admin' })).rejects.toBeInstanceOf(TokenVerificationError);
  });
});
