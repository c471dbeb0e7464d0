import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { credentialKey, sha256 } from '../../src/core/crypto.ts';
import { verifyPassword } from '../../src/interaction/passwords.ts';
import { migrationProvider } from '../../src/storage/migrations/index.ts';
import { SCOPE_CACHE_TTL_MS } from '../../src/storage/scope-cache.ts';
import { buildLatchkey, type Latchkey } from '../../src/main.ts';
import { basicAuth, pkcePair } from '../support/flow-helpers.ts';
import { atConsent, decide, expectEndedInteraction } from '../support/open-interaction.ts';
import { withinCacheBound } from '../support/cache-bound.ts';
import { latchkey, type Run } from '../support/cli.ts';
import { testConfig } from '../support/server.ts';
import { authorizeUrl, UserAgent } from '../support/user-agent.ts';

/**
 * The `latchkey` management commands, run as a person runs them: the real bin as a child process, against the SQLite
 * file of a Latchkey server that is running in this process, so each change is checked where it matters (over HTTP).
 */

let dir: string;
let db: string;
let url: string;
let server: Latchkey;

/** Runs a management command against the server's database and expects success. */
async function ok(args: readonly string[], input?: string): Promise<string> {
  const run = await latchkey([...args, '-d', db], input === undefined ? {} : { input });
  expect(run, `latchkey ${args.join(' ')}`).toMatchObject({ code: 0 });
  return run.stdout;
}

async function okJson<T = Record<string, unknown>>(args: readonly string[], input?: string): Promise<T> {
  return JSON.parse(await ok([...args, '--json'], input)) as T;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const clientCredentials = (id: string, secret: string) =>
  fetch(`${url}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: basicAuth(id, secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });

/** The same for a change that refuses a client: every answer until then is a 200. */
async function refusedWithinCacheBound(attempt: () => Promise<Response>): Promise<Response> {
  return withinCacheBound(server.deps.config.cacheTtlMs, attempt, (res) => {
    if (res.status !== 401) expect(res.status).toBe(200);
    return res.status === 401;
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-cli-'));
  db = join(dir, 'latchkey.db');
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  server = await buildLatchkey(parseConfig({ ...testConfig(), database: db, port, host: '127.0.0.1', issuer: url }));
  await server.app.listen({ port, host: '127.0.0.1' });
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('latchkey migrate and configuration sources', () => {
  it('applies pending migrations once and reports them; -d beats LATCHKEY_DATABASE, which beats the config file', async () => {
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ database: join(dir, 'from-file.db') }));
    const env = { LATCHKEY_DATABASE: join(dir, 'from-env.db') };
    // Every migration this build has, in order (the list grows as issues add tables).
    const all = Object.keys(await migrationProvider.getMigrations()).sort();
    expect(all[0]).toBe('001-initial');

    const fromEnv = await latchkey(['migrate', '-c', file, '--json'], { env });
    expect(fromEnv.code).toBe(0);
    expect(JSON.parse(fromEnv.stdout)).toEqual({ database: join(dir, 'from-env.db'), applied: all });

    const fromFlag = await latchkey(['migrate', '-c', file, '-d', join(dir, 'from-flag.db'), '--json'], { env });
    expect(JSON.parse(fromFlag.stdout)).toEqual({ database: join(dir, 'from-flag.db'), applied: all });

    const again = await latchkey(['migrate', '-d', join(dir, 'from-flag.db')]);
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(again.stdout).toMatch(/already up to date/);
  });
});

describe('latchkey clients', () => {
  const SECRET = 'cli-secret-0123456789abcdef';
  let newSecret = '';
  let shopId = '';
  let shopSecret = '';

  it('creates a client with --id and --secret, stores only the hash, and the client gets a token (RFC 6749 §4.4)', async () => {
    const scope = await okJson(['scopes', 'create', 'reports:read', '--description', 'Read your reports']);
    expect(scope).toEqual({ name: 'reports:read', description: 'Read your reports', claims: [] });

    const created = await okJson([
      'clients', 'create', '--id', 'svc', '--secret', SECRET, '--name', 'Report Service',
      '--grant-type', 'client_credentials', '--scope', 'reports:read',
    ]);
    expect(created).toMatchObject({ id: 'svc', name: 'Report Service', type: 'confidential', grantTypes: ['client_credentials'], scopes: ['reports:read'] });
    // A secret the operator chose is never echoed back.
    expect(JSON.stringify(created)).not.toContain(SECRET);
    expect(created).not.toHaveProperty('clientSecret');
    expect((await server.storage.repos.clients.findById('svc'))?.secretHash).toBe(sha256(SECRET));

    const res = await clientCredentials('svc', SECRET);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: 'Bearer', scope: 'reports:read', expires_in: 3600 });
    expect(body).not.toHaveProperty('refresh_token');
  });

  it('generates a client_id and a secret when not given, prints the secret once, and the secret authenticates', async () => {
    const created = await okJson([
      'clients', 'create', '--name', 'Web Shop', '--redirect-uri', 'https://shop.example/cb', '--redirect-uri', 'http://127.0.0.1/cb',
      '--scope', 'openid profile', '--refresh-token-ttl', 'never', '--require-pkce',
    ]);
    shopId = String(created['id']);
    shopSecret = String(created['clientSecret']);
    expect(shopId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(shopSecret).toMatch(/^lk_cs_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({
      name: 'Web Shop',
      redirectUris: ['https://shop.example/cb', 'http://127.0.0.1/cb'],
      grantTypes: ['authorization_code', 'refresh_token'],
      responseTypes: ['code'],
      scopes: ['openid', 'profile'],
      refreshTokenTtl: 'never',
      requirePkce: true,
    });
    // RFC 7009 §2.1: revocation authenticates the client; an unknown token then gets 200, a wrong secret 401.
    const revoke = (secret: string) =>
      fetch(`${url}/oauth2/revoke`, {
        method: 'POST',
        headers: { authorization: basicAuth(shopId, secret), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: 'lk_at_unknown' }),
      });
    expect((await revoke(shopSecret)).status).toBe(200);
    expect((await revoke(`${shopSecret}x`)).status).toBe(401);
  });

  it('show and list never print a secret or its hash, in human-readable or JSON output', async () => {
    const hash = sha256(shopSecret);
    const human = await ok(['clients', 'show', shopId]);
    expect(human).toContain('Web Shop');
    expect(human).toContain('https://shop.example/cb');
    expect(() => JSON.parse(human)).toThrow();
    const json = await okJson(['clients', 'show', shopId]);
    expect(json).toMatchObject({ id: shopId, type: 'confidential' });
    const list = await okJson<Record<string, unknown>[]>(['clients', 'list']);
    // `latchkey start` also seeded the console's and the account page's own clients (issue 6), and the command line's (issue 14).
    expect(list.map((c) => c['id']).sort()).toEqual(['latchkey-account', 'latchkey-cli', 'latchkey-console', 'spa', 'svc', 'web-app', shopId].sort());
    for (const out of [human, JSON.stringify(json), JSON.stringify(list)]) {
      expect(out).not.toContain(shopSecret);
      expect(out).not.toContain(hash);
      expect(out).not.toContain(sha256(SECRET));
      // The authentication method's name (RFC 7591 §2 token_endpoint_auth_method) is no secret; anything else is.
      expect(out.replace(/client_secret_(basic|post)/g, '')).not.toMatch(/secret/i);
    }
  });

  it('update changes only the given fields, and the running server applies them within its cacheTtlMs', async () => {
    const updated = await okJson(['clients', 'update', 'svc', '--name', 'Reports', '--access-token-ttl', '600']);
    expect(updated).toMatchObject({ id: 'svc', name: 'Reports', accessTokenTtl: 600, grantTypes: ['client_credentials'], scopes: ['reports:read'] });
    // The server cached svc when it issued its first token; until the entry expires it may still use the old lifetime.
    const expiresIn = async () => {
      const res = await clientCredentials('svc', SECRET);
      expect(res.status).toBe(200);
      return ((await res.json()) as { expires_in: number }).expires_in;
    };
    expect(await withinCacheBound(server.deps.config.cacheTtlMs, expiresIn, (seconds) => seconds === 600)).toBe(600);
  });

  it('--require-par and --require-signed-request-object set the client\'s request policy (RFC 9126 §6, RFC 9101 §10.5); --no- clears it', async () => {
    const created = await okJson(['clients', 'create', '--id', 'strict-par', '--name', 'Strict', '--redirect-uri', 'https://strict.example/cb', '--require-par']);
    expect(created).toMatchObject({ requirePushedAuthorizationRequests: true, requireSignedRequestObject: null });
    const updated = await okJson(['clients', 'update', 'strict-par', '--no-require-par', '--require-signed-request-object']);
    expect(updated).toMatchObject({ requirePushedAuthorizationRequests: false, requireSignedRequestObject: true });
  });

  it('rotate-secret prints a new secret once; the old one gets invalid_client (RFC 6749 §5.2) and the new one works', async () => {
    const rotated = await okJson(['clients', 'rotate-secret', 'svc']);
    newSecret = String(rotated['clientSecret']);
    expect(newSecret).toMatch(/^lk_cs_/);
    expect(newSecret).not.toBe(SECRET);

    // The new secret works at once on the running server; the old one is refused within its cacheTtlMs.
    expect((await clientCredentials('svc', newSecret)).status).toBe(200);
    const old = await refusedWithinCacheBound(() => clientCredentials('svc', SECRET));
    expect(((await old.json()) as { error: string }).error).toBe('invalid_client');
    expect(old.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect((await clientCredentials('svc', newSecret)).status).toBe(200);
  });

  it('rotate-secret --grace keeps the old secret working for that many seconds beside the new one, and says until when', async () => {
    const rotated = await okJson(['clients', 'rotate-secret', 'svc', '--grace', '3600']);
    const graced = String(rotated['clientSecret']);
    expect(graced).toMatch(/^lk_cs_/);
    expect(Date.parse(String(rotated['previousSecretExpiresAt'])) / 1000).toBeGreaterThan(Date.now() / 1000 + 3500);
    // Both work on the running server: the old one (the secret of the previous test) until the grace ends.
    expect((await clientCredentials('svc', newSecret)).status).toBe(200);
    expect((await clientCredentials('svc', graced)).status).toBe(200);
    newSecret = graced;
    // Audited as the console and the API audit it, with the end of the grace; never the secret.
    const [event] = (await server.storage.repos.audit.list({ type: 'client.secret_rotated', clientId: 'svc' }, { limit: 1 })).items;
    expect(event?.details).toMatchObject({ graceSeconds: 3600, previousSecretExpiresAt: rotated['previousSecretExpiresAt'] });
    expect(event?.details['actorUsername']).toMatch(/^command line \(/);
    expect(JSON.stringify(event)).not.toContain(graced);
  });

  it('delete removes the client and revokes the tokens it was issued', async () => {
    const res = await clientCredentials('svc', newSecret);
    const token = ((await res.json()) as { access_token: string }).access_token;
    const deleted = await okJson(['clients', 'delete', 'svc']);
    expect(deleted['deleted']).toBe('svc');
    expect(deleted['revokedTokens']).toBeGreaterThanOrEqual(1);
    expect((await server.storage.repos.tokens.findByHash(credentialKey(token)))?.revokedAt).not.toBeNull();
    expect(await server.storage.repos.clients.findById('svc', { fresh: true })).toBeUndefined();
    const after = await refusedWithinCacheBound(() => clientCredentials('svc', newSecret));
    expect(((await after.json()) as { error: string }).error).toBe('invalid_client');
  });
});

describe('latchkey users', () => {
  const { challenge } = pkcePair();
  const authorize = () =>
    authorizeUrl({ url }, {
      response_type: 'code',
      client_id: 'web-app',
      redirect_uri: 'https://client.example/callback',
      scope: 'openid',
      state: 'xyz',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });

  /** One sign-in attempt (authorizeAsUser would retry a refused one); the page it leads to. */
  async function signIn(username: string, password: string, agent = new UserAgent(url)): Promise<string | undefined> {
    const page = await agent.start(authorize());
    expect(page.page).toBe('login');
    return (await agent.login(page, username, password)).page;
  }

  it('creates a user with --password-stdin who can then sign in; the password is never printed', async () => {
    const created = await okJson(['users', 'create', '--username', 'carol', '--password-stdin', '--name', 'Carol', '--email', 'carol@example.com'], 'first password 123\n');
    expect(created).toMatchObject({ username: 'carol', name: 'Carol', email: 'carol@example.com', admin: false });
    expect(JSON.stringify(created)).not.toContain('first password');
    expect(created).not.toHaveProperty('password');

    expect(await signIn('carol', 'first password 12')).toBe('login');
    expect(await signIn('carol', 'first password 123')).toBe('consent');
  });

  it("set-password replaces the password and ends the user's sessions", async () => {
    const agent = new UserAgent(url);
    expect(await signIn('carol', 'first password 123', agent)).toBe('consent');
    expect((await agent.start(authorize())).page).toBe('consent'); // signed in: no login page

    const out = await ok(['users', 'set-password', 'carol', '--password-stdin'], 'second password 456\n');
    expect(out).not.toContain('second password');

    expect((await agent.start(authorize())).page).toBe('login'); // the session is gone
    expect(await signIn('carol', 'first password 123')).toBe('login');
    expect(await signIn('carol', 'second password 456')).toBe('consent');
  });

  it('set-password ends an open login: the consent posted afterwards issues no code (issue 10)', async () => {
    const open = await atConsent({ url }, { username: 'carol', password: 'second password 456', scope: 'openid' });
    await ok(['users', 'set-password', 'carol', '--password-stdin'], 'third password 789\n');
    expectEndedInteraction(await decide(open, 'allow'));
  });

  it('generates a password when none is given and prints it once; list never shows a hash; delete removes the user', async () => {
    const created = await okJson(['users', 'create', '--username', 'dave', '--admin']);
    const password = String(created['password']);
    expect(password.length).toBeGreaterThanOrEqual(16);
    expect(created).toMatchObject({ username: 'dave', admin: true });
    const stored = await server.storage.repos.users.findByUsername('dave');
    expect(await verifyPassword(stored?.passwordHash, password)).toBe(true);

    const list = await ok(['users', 'list', '--json']);
    expect((JSON.parse(list) as { username: string }[]).map((u) => u.username)).toEqual(['alice', 'carol', 'dave']);
    expect(list).not.toContain('argon2');
    expect(list).not.toContain(password);

    expect(await okJson(['users', 'delete', 'dave'])).toMatchObject({ deleted: 'dave' });
    expect(await server.storage.repos.users.findByUsername('dave')).toBeUndefined();
  });
});

describe('latchkey scopes', () => {
  it('creates, lists and deletes a scope, and the consent page and token endpoint see the change', async () => {
    expect(await okJson(['scopes', 'create', 'billing', '--description', 'See your invoices', '--claim', 'email'])).toEqual({
      name: 'billing',
      description: 'See your invoices',
      claims: ['email'],
    });
    const names = (await okJson<{ name: string }[]>(['scopes', 'list'])).map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['billing', 'openid', 'reports:read']));

    const ask = () =>
      fetch(`${url}/oauth2/token`, {
        method: 'POST',
        headers: { authorization: basicAuth('web-app', 'test-secret-0123456789abcdef'), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'billing' }),
      });
    const refusal = async () => {
      const res = await ask();
      const body = (await res.json()) as { error: string; error_description: string };
      return `${res.status} ${body.error}: ${body.error_description}`;
    };
    // The server knows the scope and its claim: a scope that releases user claims needs a user, which
    // client_credentials has not (README, "Scopes").
    expect(await refusal()).toBe('400 invalid_scope: billing: needs a signed-in user, and the client_credentials grant has none');
    expect(await okJson(['scopes', 'delete', 'billing'])).toEqual({ deleted: 'billing' });
    // A change made by another process reaches a running server within the scope cache's documented bound.
    await expect.poll(refusal, { timeout: SCOPE_CACHE_TTL_MS + 3000, interval: 250 }).toBe('400 invalid_scope: unknown scope: billing');
  });
});

describe('latchkey errors name what is wrong, go to stderr and exit non-zero', () => {
  const cases: [string, string[], RegExp, string?][] = [
    ['an unknown client', ['clients', 'show', 'nope'], /^latchkey: client "nope" not found$/],
    ['an http redirect URI on a public host (RFC 8252 §8.3)', ['clients', 'create', '--name', 'x', '--redirect-uri', 'http://evil.example/cb'],
      /^latchkey: --redirect-uri "http:\/\/evil\.example\/cb": http is allowed only for loopback addresses; use https$/],
    ['a file: redirect URI', ['clients', 'create', '--name', 'x', '--redirect-uri', 'file:///etc/passwd'],
      /^latchkey: --redirect-uri "file:\/\/\/etc\/passwd": the file: scheme is not allowed/],
    ['an http://localhost redirect URI (RFC 8252 §8.3)', ['clients', 'create', '--name', 'x', '--redirect-uri', 'http://localhost:8080/cb'],
      /^latchkey: --redirect-uri "http:\/\/localhost:8080\/cb": .*127\.0\.0\.1.*RFC 8252 §8\.3/],
    ['a redirect URI with a fragment (RFC 6749 §3.1.2)', ['clients', 'update', 'web-app', '--redirect-uri', 'https://client.example/cb#x'],
      /^latchkey: --redirect-uri "https:\/\/client\.example\/cb#x": must not contain a fragment/],
    ['an unknown grant type', ['clients', 'create', '--name', 'x', '--grant-type', 'password'], /--grant-type "password": unknown grant type; use one of authorization_code, refresh_token, client_credentials/],
    ['a duplicate client id', ['clients', 'create', '--name', 'x', '--id', 'web-app'], /^latchkey: client "web-app" already exists$/],
    ['a missing --name', ['clients', 'create', '--id', 'noname'], /required option '--name <name>' not specified/],
    ['a TTL that is not a whole number of seconds', ['clients', 'create', '--name', 'x', '--access-token-ttl', '1.5'], /--access-token-ttl "1\.5": must be a whole number of seconds/],
    ['a scope name outside RFC 6749 §3.3', ['clients', 'create', '--name', 'x', '--scope', 'a"b'], /--scope "a"b": scope names use the characters of RFC 6749 §3\.3/],
    ['a secret for a public client', ['clients', 'create', '--name', 'x', '--public', '--secret', 'public-secret-0123456789'], /--secret: a public client has no secret/, 'public-secret-0123456789'],
    ['client_credentials for a public client (RFC 6749 §4.4)', ['clients', 'create', '--name', 'x', '--public', '--grant-type', 'client_credentials'], /only a confidential client/],
    ['a short secret', ['clients', 'create', '--name', 'x', '--secret', 'tooshort'], /--secret: client secrets need at least 16 characters/, 'tooshort'],
    ['an update with nothing to change', ['clients', 'update', 'web-app'], /nothing to update/],
    ['rotating the secret of a public client', ['clients', 'rotate-secret', 'spa'], /client "spa" is public and has no secret/],
    ['a grace period that is not whole seconds', ['clients', 'rotate-secret', 'web-app', '--grace', 'soon'], /^latchkey: --grace "soon": must be a whole number of seconds from 0 to 604800 \(7 days\)$/],
    ['a grace period over 7 days', ['clients', 'rotate-secret', 'web-app', '--grace', '604801'], /--grace "604801": must be a whole number of seconds from 0 to 604800/],
    ['a duplicate username', ['users', 'create', '--username', 'alice', '--password', 'a fine password'], /^latchkey: user "alice" already exists$/, 'a fine password'],
    ['a short password', ['users', 'create', '--username', 'erin', '--password', 'short'], /--password: passwords need at least 8 characters/],
    ['an unknown user', ['users', 'set-password', 'nobody', '--password', 'another password'], /^latchkey: user "nobody" not found$/, 'another password'],
    ['a bad scope name', ['scopes', 'create', 'two words', '--description', 'x'], /scope "two words": scope names use the characters/],
    ['an unknown scope', ['scopes', 'delete', 'nope'], /^latchkey: scope "nope" not found$/],
  ];

  // Read-only and independent: run a few at once to keep the wall time down.
  it.concurrent.each(cases)('refuses %s', async (_what, args, message, secret) => {
    const run = await latchkey([...args, '-d', db]);
    expect(run, 'exit code and stdout').toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr.trim()).toMatch(message);
    if (secret !== undefined) expect(run.stderr).not.toContain(secret);
  });

  describe('latchkey start refuses configuration it would otherwise ignore', () => {
    /** Runs `latchkey start` on a free port and a fresh database; a refused start exits 1 before listening. */
    async function start(config: Record<string, unknown>, env: Record<string, string> = {}): Promise<Run> {
      const file = join(dir, `start-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(file, JSON.stringify({ port: await freePort(), host: '127.0.0.1', logLevel: 'silent', demo: false, ...config }));
      return latchkey(['start', '-c', file, '-d', join(dir, `start-${Math.random().toString(36).slice(2)}.db`)], { env });
    }

    it('a misspelled key in the config file, naming its path and the nearest key', async () => {
      const run = await start({ tokens: { accesTokenTtl: 5 } });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('tokens.accesTokenTtl: unknown key; did you mean tokens.accessTokenTtl?');
    });

    it('a misspelled LATCHKEY_* variable, naming it and the nearest variable', async () => {
      const run = await start({}, { LATCHKEY_TOKENS__ACCES_TOKEN_TTL: '5' });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('LATCHKEY_TOKENS__ACCES_TOKEN_TTL: not a configuration variable; did you mean LATCHKEY_TOKENS__ACCESS_TOKEN_TTL?');
    });

    it('a declared client that lists an unknown scope, naming the client and the scope', async () => {
      const run = await start({ clients: [{ id: 'cal', name: 'Calendar', secret: 'calendar-secret-0123456789', redirectUris: ['https://cal.example/cb'], scopes: ['openid', 'calendar'] }] });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('clients.0.scopes: client "cal" lists the unknown scope "calendar"');
    });

    it('an http://localhost redirect URI in the config file, naming the key (RFC 8252 §8.3)', async () => {
      const run = await start({ clients: [{ id: 'loc', name: 'Local', secret: 'local-secret-0123456789', redirectUris: ['http://localhost:8080/cb'] }] });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('clients.0.redirectUris.0: http://localhost:8080/cb: use http://127.0.0.1 or http://[::1] instead of localhost');
    });
  });

  it('refuses a config file that cannot be read, naming it', async () => {
    const run = await latchkey(['clients', 'list', '-c', join(dir, 'missing.json')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/config file .*missing\.json: cannot be read \(ENOENT\)/);
  });

});

describe('after the refused commands', () => {
  it('the database is as it was: they created nothing', async () => {
    const ids = (await server.storage.repos.clients.list()).map((c) => c.name);
    expect(ids).not.toContain('x');
    expect((await server.storage.repos.users.list()).map((u) => u.username)).not.toContain('erin');
  });
});
