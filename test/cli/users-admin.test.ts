import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { buildLatchkey, type Latchkey } from '../../src/main.ts';
import { latchkey } from '../support/cli.ts';
import { codeGrant, expectTokens, introspectActive, obtainCode, pkcePair, postToken, WEB_APP_BASIC } from '../support/flow-helpers.ts';
import { TEST_PASSWORD, testConfig } from '../support/server.ts';
import { authorizeUrl, UserAgent } from '../support/user-agent.ts';

/**
 * `latchkey users show|update|disable|enable` (issue 15): the console's user operations from the command line,
 * checked where they matter, on a server running on the same SQLite file (sign-in and tokens over HTTP).
 */

let dir: string;
let db: string;
let url: string;
let server: Latchkey;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-cli-users-'));
  db = join(dir, 'latchkey.db');
  server = await buildLatchkey(parseConfig({ ...testConfig(), database: db, port: 0, host: '127.0.0.1', cacheTtlMs: 0 }));
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = server.app.server.address() as { port: number };
  url = `http://127.0.0.1:${port}`;
  const created = await latchkey(['users', 'create', '--username', 'bob', '--password-stdin', '--name', 'Bob', '-d', db], { input: `${TEST_PASSWORD}\n` });
  expect(created.code).toBe(0);
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[]) {
  const r = await latchkey([...args, '-d', db]);
  expect(r, `latchkey ${args.join(' ')}: ${r.stderr}`).toMatchObject({ code: 0 });
  return r;
}
const json = async (args: string[]) => JSON.parse((await run([...args, '--json'])).stdout) as Record<string, unknown>;

const { challenge } = pkcePair();
const authorize = () =>
  authorizeUrl({ url }, {
    response_type: 'code', client_id: 'web-app', redirect_uri: 'https://client.example/callback', scope: 'openid', state: 's',
    code_challenge: challenge, code_challenge_method: 'S256',
  });

/** One sign-in attempt with a fresh browser; the page it leads to ('consent' when the sign-in worked). */
async function signIn(username: string, agent = new UserAgent(url)): Promise<string | undefined> {
  const page = await agent.start(authorize());
  return (await agent.login(page, username, TEST_PASSWORD)).page;
}


describe('latchkey users show', () => {
  it('shows one user, never the password or its hash, in text and JSON', async () => {
    const text = (await run(['users', 'show', 'bob'])).stdout;
    expect(text).toMatch(/^User bob\n/);
    expect(text).toMatch(/name: +Bob\n/);
    expect(text).toMatch(/administrator: +no\n/);
    expect(text).toMatch(/status: +active\n/);
    const view = await json(['users', 'show', 'bob']);
    expect(view).toMatchObject({ username: 'bob', name: 'Bob', email: null, admin: false, disabled: false, disabledAt: null });
    for (const out of [text, JSON.stringify(view)]) {
      expect(out).not.toContain(TEST_PASSWORD);
      expect(out).not.toMatch(/argon2|password/i);
    }
  });

  it('refuses an unknown user with not_found and exit status 1', async () => {
    const r = await latchkey(['users', 'show', 'nobody', '-d', db, '--json']);
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(JSON.parse(r.stderr)).toEqual({ error: 'not_found', message: 'user "nobody" not found' });
  });
});

describe('latchkey users update', () => {
  it('changes only the options given: name, email, administrator rights (an empty value removes a name or email)', async () => {
    expect(await json(['users', 'update', 'bob', '--email', 'bob@example.com', '--admin'])).toMatchObject({ name: 'Bob', email: 'bob@example.com', admin: true });
    expect(await json(['users', 'update', 'bob', '--name', 'Robert', '--no-admin'])).toMatchObject({ name: 'Robert', email: 'bob@example.com', admin: false });
    expect(await json(['users', 'update', 'bob', '--email', ''])).toMatchObject({ name: 'Robert', email: null });
    const stored = await server.storage.repos.users.findByUsername('bob');
    expect(stored).toMatchObject({ name: 'Robert', email: null, isAdmin: false });
  });

  it('records each change in the audit log, as the console does, with the command line as the actor', async () => {
    const bob = await server.storage.repos.users.findByUsername('bob');
    const events = (await server.storage.repos.audit.list({ type: 'user.updated', userId: bob?.id }, { limit: 10 })).items;
    expect(events.length).toBe(3);
    expect(events[0]).toMatchObject({ actorUserId: null, actorClientId: null, userId: bob?.id });
    expect(String(events[0]?.details['actorUsername'])).toMatch(/^command line \(.+\)$/);
  });

  const refusals: [string, string[], { error: string; message: string }][] = [
    ['nothing to change', ['users', 'update', 'bob'], { error: 'invalid_argument', message: 'nothing to update: give --name, --email, --admin, --no-admin, a claim flag or --claims-json' }],
    ['an invalid email', ['users', 'update', 'bob', '--email', 'not-an-email'], { error: 'invalid_argument', message: expect.stringMatching(/^--email: /) as unknown as string }],
    ['a name over 200 characters', ['users', 'update', 'bob', '--name', 'x'.repeat(201)], { error: 'invalid_argument', message: '--name: at most 200 characters' }],
    ['an unknown user', ['users', 'update', 'nobody', '--name', 'N'], { error: 'not_found', message: 'user "nobody" not found' }],
    ['a password (it belongs to users set-password)', ['users', 'update', 'bob', '--password', 'new password 1'], { error: 'unknown_option', message: "unknown option '--password'" }],
  ];
  it.concurrent.each(refusals)('refuses %s', async (_what, args, body) => {
    const r = await latchkey([...args, '-d', db, '--json']);
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(JSON.parse(r.stderr)).toEqual(body);
  });
});

describe('latchkey users disable and enable', () => {
  it("disable stops sign-in, ends the user's sessions and revokes their tokens; enable lets them sign in again", async () => {
    // Bob signs in to an application and it gets tokens; the browser keeps his session.
    const agent = new UserAgent(url);
    const tokens = await expectTokens(await postToken({ url }, codeGrant(await obtainCode(agent, { username: 'bob', scope: 'openid' })), { authorization: WEB_APP_BASIC }));
    const token = tokens.access_token;
    expect(await introspectActive({ url }, token)).toBe(true);
    expect((await agent.start(authorize())).page).not.toBe('login');

    const disabled = await run(['users', 'disable', 'bob']);
    expect(disabled.stdout).toBe('Disabled user "bob": their sessions ended and their tokens were revoked.\n');
    expect((await agent.start(authorize())).page).toBe('login'); // the session is gone
    expect(await signIn('bob')).toBe('login'); // and the right password no longer signs in
    expect(await introspectActive({ url }, token)).toBe(false);
    if (tokens.refresh_token !== undefined) expect(await introspectActive({ url }, tokens.refresh_token)).toBe(false);
    expect(await json(['users', 'show', 'bob'])).toMatchObject({ disabled: true, disabledAt: expect.stringMatching(/^\d{4}-/) as unknown as string });
    expect((await run(['users', 'list'])).stdout).toMatch(/^bob .* yes\n/m);
    // Twice is not an error: it says so.
    expect((await run(['users', 'disable', 'bob'])).stdout).toBe('User "bob" was already disabled.\n');

    expect((await run(['users', 'enable', 'bob'])).stdout).toBe('Enabled user "bob": they can sign in again.\n');
    expect(await signIn('bob')).not.toBe('login');
    expect((await run(['users', 'enable', 'bob'])).stdout).toBe('User "bob" was not disabled.\n');
  });
});

describe('latchkey users update: the standard claims (OpenID Connect Core §5.1)', () => {
  beforeAll(async () => {
    expect((await latchkey(['users', 'create', '--username', 'carol', '--password-stdin', '-d', db], { input: `${TEST_PASSWORD}\n` })).code).toBe(0);
  });

  it('sets claims from flags and --claims-json, merges the address, and shows them in text and JSON', async () => {
    const set = await json(['users', 'update', 'carol', '--given-name', 'Carol', '--picture', 'https://carol.example/c.png', '--zoneinfo', 'Europe/Paris',
      '--locality', 'Paris', '--claims-json', '{"nickname":"cc","given_name":"ignored","address":{"country":"FR"}}', '--email-verified']);
    expect(set['claims']).toEqual({ given_name: 'Carol', nickname: 'cc', picture: 'https://carol.example/c.png', zoneinfo: 'Europe/Paris', email_verified: true, address: { locality: 'Paris', country: 'FR' } });
    expect(set['updatedAt']).toMatch(/^\d{4}-/);
    const more = await json(['users', 'update', 'carol', '--postal-code', '75001', '--picture', '', '--no-email-verified']);
    expect(more['claims']).toEqual({ given_name: 'Carol', nickname: 'cc', zoneinfo: 'Europe/Paris', email_verified: false, address: { locality: 'Paris', postal_code: '75001', country: 'FR' } });
    const text = (await run(['users', 'show', 'carol'])).stdout;
    expect(text).toMatch(/given_name: +Carol\n/);
    expect(text).toMatch(/address: +Paris, 75001, FR\n/);
    const stored = await server.storage.repos.users.findByUsername('carol');
    expect(stored?.claims).toEqual(more['claims']);
  });

  const refusals: [string, string[], { error: string; message: string }][] = [
    ['a picture that is not an http(s) URL', ['--picture', 'ftp://x.example/p.png'], { error: 'invalid_argument', message: 'claims.picture: an absolute http:// or https:// URL' }],
    ['an unknown zoneinfo', ['--zoneinfo', 'Mars/Olympus'], { error: 'invalid_argument', message: 'claims.zoneinfo: a time zone name such as Europe/Paris' }],
    ['a birthdate that is no day', ['--birthdate', '2001-02-29'], { error: 'invalid_argument', message: 'claims.birthdate: YYYY-MM-DD, YYYY, or 0000-MM-DD without the year' }],
    ['--claims-json that is not a JSON object', ['--claims-json', '[1]'], { error: 'invalid_argument', message: '--claims-json: give a JSON object of claims, such as {"nickname":"al"}' }],
    ['an unknown claim in --claims-json', ['--claims-json', '{"sub":"x"}'], { error: 'invalid_argument', message: 'claims.sub: is not a known field' }],
  ];
  it.concurrent.each(refusals)('refuses %s', async (_what, args, body) => {
    const r = await latchkey(['users', 'update', 'carol', ...args, '-d', db, '--json']);
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(JSON.parse(r.stderr)).toEqual(body);
  });
});
