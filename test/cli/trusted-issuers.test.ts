import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_CLIENT_ID } from '../../src/admin/built-in.ts';
import { parseConfig } from '../../src/config/load.ts';
import { writeCache } from '../../src/cli/token/cache.ts';
import { NO_CREDENTIAL } from '../../src/cli/token/flow-context.ts';
import { buildLatchkey, type Latchkey } from '../../src/main.ts';
import { adminToken } from '../support/admin.ts';
import { expectJsonError, postToken } from '../support/flow-helpers.ts';
import { latchkey as runBin } from '../support/cli.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { EXCHANGER_BASIC, exchangeConfig, idp, JWT_BEARER, type Idp } from '../flows/token-exchange/fixtures.ts';
import { exchangeAdminConfig, PARTNER, partnerBearer } from '../flows/token-exchange/trusted-issuer-fixtures.ts';

/**
 * `latchkey trusted-issuers list|show|add|update|remove`, run as the real bin: on the SQLite file of a server running
 * in this process (cacheTtlMs 0, so each change shows at once), and with --server over a remote admin API.
 */

let dir: string;
let db: string;
let url: string;
let server: Latchkey;
let trusted: Idp;
let partner: Idp;
let jwksFile: string;

/** The server's issuer is http://127.0.0.1 (no port): the assertions' aud. */
const ISSUER = 'http://127.0.0.1';
const latchkey = (args: readonly string[]) => runBin([...args, '-d', db]);
const bearer = async (signer: Idp) =>
  postToken({ url }, { grant_type: JWT_BEARER, assertion: await signer.sign({ iss: PARTNER, sub: 'alice', aud: ISSUER }) }, { authorization: EXCHANGER_BASIC });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-cli-trusted-issuers-'));
  db = join(dir, 'latchkey.db');
  trusted = await idp();
  partner = await idp();
  jwksFile = join(dir, 'partner-jwks.json');
  writeFileSync(jwksFile, JSON.stringify(partner.jwks));
  server = await buildLatchkey(parseConfig({ ...exchangeConfig(trusted), logLevel: 'silent', demo: false, cacheTtlMs: 0, database: db, port: 0, host: '127.0.0.1', issuer: ISSUER }));
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  const address = server.app.server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('latchkey trusted-issuers', () => {
  it('add trusts an issuer from a JWK Set file: its JWT bearer assertion then gets a token (RFC 7523 §2.1); remove makes it invalid_grant (§3.1)', async () => {
    await expectJsonError(await bearer(partner), 400, 'invalid_grant');
    const add = await latchkey(['trusted-issuers', 'add', '--issuer', PARTNER, '--name', 'Partner', '--jwks-file', jwksFile, '--user-claim', 'sub', '--user-by', 'username']);
    expect(add).toMatchObject({ code: 0, stderr: '' });
    expect(add.stdout).toContain(`Trusted issuer "${PARTNER}"`);
    expect((await bearer(partner)).status).toBe(200);

    const list = await latchkey(['trusted-issuers', 'list']);
    expect(list.stdout).toMatch(/^ISSUER +NAME +KEYS +USER\n/);
    expect(list.stdout).toMatch(/https:\/\/idp\.example +https:\/\/idp\.example +1 inline +sub \(username\)/);
    expect(list.stdout).toMatch(/https:\/\/partner\.example +Partner +1 inline +sub \(username\)/);
    const shown = JSON.parse((await latchkey(['trusted-issuers', 'show', '--issuer', PARTNER, '--json'])).stdout) as Record<string, unknown>;
    expect(shown).toMatchObject({ issuer: PARTNER, name: 'Partner', jwks: partner.jwks, jwksUri: null, declaredInConfig: false });

    const remove = await latchkey(['trusted-issuers', 'remove', '--issuer', PARTNER]);
    expect(remove).toMatchObject({ code: 0, stdout: `Removed trusted issuer "${PARTNER}"\n` });
    await expectJsonError(await bearer(partner), 400, 'invalid_grant');
    expect(await latchkey(['trusted-issuers', 'show', '--issuer', PARTNER])).toMatchObject({ code: 1, stderr: 'latchkey: trusted issuer not found\n' });
  });

  it('update changes only the options given; new keys are used from the next JWT on', async () => {
    expect((await latchkey(['trusted-issuers', 'add', '--issuer', PARTNER, '--jwks-file', jwksFile])).code).toBe(0);
    const rotated = await idp();
    const rotatedFile = join(dir, 'rotated.json');
    // One JWK rather than a set is taken too.
    writeFileSync(rotatedFile, JSON.stringify(rotated.jwks.keys[0]));
    const run = await latchkey(['trusted-issuers', 'update', '--issuer', PARTNER, '--jwks-file', rotatedFile, '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ issuer: PARTNER, name: PARTNER, jwks: rotated.jwks, userClaim: 'sub', userBy: 'username' });
    await expectJsonError(await bearer(partner), 400, 'invalid_grant');
    expect((await bearer(rotated)).status).toBe(200);
    const renamed = await latchkey(['trusted-issuers', 'update', '--issuer', PARTNER, '--name', 'Partner Co', '--json']);
    expect(JSON.parse(renamed.stdout)).toMatchObject({ name: 'Partner Co', jwks: rotated.jwks });
    expect((await latchkey(['trusted-issuers', 'remove', '--issuer', PARTNER])).code).toBe(0);
  });

  it('refuses a private key in the file naming --jwks-file, without printing the key, and stores nothing', async () => {
    const file = join(dir, 'private.json');
    const secret = 'jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI';
    writeFileSync(file, JSON.stringify({ keys: [{ ...partner.jwks.keys[0], d: secret }] }));
    const run = await latchkey(['trusted-issuers', 'add', '--issuer', PARTNER, '--jwks-file', file]);
    expect(run).toMatchObject({ code: 1, stderr: "latchkey: --jwks-file: key 0 is a private or secret key: give the issuer's public keys only\n" });
    expect(run.stdout + run.stderr).not.toContain(secret);
    expect((await latchkey(['trusted-issuers', 'show', '--issuer', PARTNER])).code).toBe(1);
  });

  it('refuses neither or both of --jwks-file and --jwks-uri, an http --jwks-uri, a bad --user-by, a missing --issuer, an issuer already trusted', async () => {
    expect((await latchkey(['trusted-issuers', 'add', '--issuer', PARTNER])).stderr).toBe('latchkey: --jwks-file: give exactly one of jwks and jwksUri\n');
    expect((await latchkey(['trusted-issuers', 'add', '--issuer', PARTNER, '--jwks-file', jwksFile, '--jwks-uri', `${PARTNER}/jwks`])).stderr).toBe('latchkey: --jwks-file: give exactly one of jwks and jwksUri\n');
    expect((await latchkey(['trusted-issuers', 'add', '--issuer', PARTNER, '--jwks-uri', 'http://partner.example/jwks'])).stderr).toBe('latchkey: --jwks-uri: must use https\n');
    expect((await latchkey(['trusted-issuers', 'add', '--issuer', PARTNER, '--jwks-file', jwksFile, '--user-by', 'email'])).stderr).toMatch(/^latchkey: --user-by: /);
    expect((await latchkey(['trusted-issuers', 'add', '--jwks-file', jwksFile])).stderr).toBe("latchkey: --issuer: give the issuer (the JWTs' iss)\n");
    expect(await latchkey(['trusted-issuers', 'add', '--issuer', 'https://idp.example', '--jwks-file', jwksFile])).toMatchObject({ code: 1, stderr: 'latchkey: this issuer is already trusted\n' });
  });
});

describe('latchkey trusted-issuers --server', () => {
  let remote: TestServer;
  let home: string;
  let remotePartner: Idp;

  beforeAll(async () => {
    remotePartner = await idp();
    remote = await startServer(exchangeAdminConfig(await idp()));
    // The admin sign-in itself is tested in token/admin-login.test.ts: here its cached token is written directly.
    home = mkdtempSync(join(tmpdir(), 'latchkey-cli-remote-home-'));
    const saved = process.env['XDG_CONFIG_HOME'];
    process.env['XDG_CONFIG_HOME'] = home;
    try {
      const access_token = await adminToken(remote);
      writeCache({ issuer: remote.url, clientId: CLI_CLIENT_ID, requestedScope: 'admin', grant: 'authorization_code', credential: NO_CREDENTIAL, expiresAt: Math.floor(Date.now() / 1000) + 3600, response: { access_token, token_type: 'bearer' } });
    } finally {
      if (saved === undefined) delete process.env['XDG_CONFIG_HOME'];
      else process.env['XDG_CONFIG_HOME'] = saved;
    }
  });

  afterAll(async () => {
    await remote?.close();
    rmSync(home, { recursive: true, force: true });
  });

  /** Run from an empty folder with no database: the answers can only come over HTTP. */
  const remoteRun = (args: readonly string[]) => runBin([...args, '--server', remote.url], { env: { XDG_CONFIG_HOME: home }, cwd: home });

  it('adds, updates, lists and removes over the admin API; the grant follows each change', async () => {
    const file = join(home, 'jwks.json');
    writeFileSync(file, JSON.stringify(remotePartner.jwks));
    const add = await remoteRun(['trusted-issuers', 'add', '--issuer', PARTNER, '--jwks-file', file]);
    expect(add).toMatchObject({ code: 0, stderr: '' });
    expect((await partnerBearer(remote, remotePartner)).status).toBe(200);
    const update = await remoteRun(['trusted-issuers', 'update', '--issuer', PARTNER, '--name', 'Partner', '--json']);
    expect(JSON.parse(update.stdout)).toMatchObject({ issuer: PARTNER, name: 'Partner', jwks: remotePartner.jwks });
    const list = await remoteRun(['trusted-issuers', 'list', '--json']);
    expect((JSON.parse(list.stdout) as { issuer: string }[]).map((t) => t.issuer)).toEqual(['https://idp.example', PARTNER]);
    expect(await remoteRun(['trusted-issuers', 'add', '--issuer', 'https://x.example', '--jwks-uri', 'http://x.example/jwks'])).toMatchObject({ code: 1, stderr: 'latchkey: --jwks-uri: must use https\n' });
    expect((await remoteRun(['trusted-issuers', 'remove', '--issuer', PARTNER])).code).toBe(0);
    await expectJsonError(await partnerBearer(remote, remotePartner), 400, 'invalid_grant');
    expect(await remoteRun(['trusted-issuers', 'update', '--issuer', PARTNER, '--name', 'Gone'])).toMatchObject({ code: 1, stderr: 'latchkey: trusted issuer not found\n' });
  });
});
