import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { SignJWT } from 'jose';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OP_SECRET, type OidcProviderFixture, startOidcProvider } from './oidc-provider-fixture.ts';
import { allCommandLines, freshConfigHome, runLatchkey, startLatchkey } from './run-token.ts';

/**
 * `latchkey token` against node-oidc-provider over real HTTP: the grants without a browser, client authentication,
 * introspection and revocation, and the errors a person meets, each one line on stderr with exit status 1.
 */

let op: OidcProviderFixture;
beforeAll(async () => {
  op = await startOidcProvider();
});
afterAll(async () => {
  await op?.close();
});

/** A loopback port nothing listens on (bound, then released). */
const closedPort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });

const env = () => ({ XDG_CONFIG_HOME: freshConfigHome() });

describe('latchkey token against node-oidc-provider (client_credentials)', () => {
  it('gets a token with client_secret_basic, the secret read from stdin, printed as JSON when stdout is not a terminal (RFC 6749 §4.4)', async () => {
    const run = await runLatchkey(['token', '--issuer', op.issuer, '--client-id', 'op-secret', '--client-secret-stdin', '--grant', 'client_credentials', '--scope', 'api:read'], { input: `${OP_SECRET}\n`, env: env() });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const body = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(body['token_type']).toMatch(/^bearer$/i);
    expect(typeof body['access_token']).toBe('string');
    expect(body['scope']).toBe('api:read');
    expect(run.stdout).not.toContain(OP_SECRET);
  });

  it('authenticates with client_secret_post, the secret read from a file (RFC 6749 §2.3.1)', async () => {
    const home = freshConfigHome();
    const file = join(home, 'secret');
    writeFileSync(file, `${OP_SECRET}\n`, { mode: 0o600 });
    const run = await runLatchkey(['token', '--issuer', op.issuer, '--client-id', 'op-post', '--client-secret-file', file, '--auth-method', 'client_secret_post', '--grant', 'client_credentials', '--scope', 'api:read', '--print', 'access_token'], { env: { XDG_CONFIG_HOME: home } });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^[\w-]+\n$/);
  });

  it('authenticates with private_key_jwt from a JWK file (RFC 7523 §2.2)', async () => {
    const home = freshConfigHome();
    const file = join(home, 'client-key.json');
    writeFileSync(file, JSON.stringify(op.clientPrivateJwk), { mode: 0o600 });
    const run = await runLatchkey(['token', '--issuer', op.issuer, '--client-id', 'op-jwt', '--signing-key', file, '--grant', 'client_credentials', '--scope', 'api:read', '--export'], { env: { XDG_CONFIG_HOME: home } });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^export ACCESS_TOKEN='[\w-]+'\n$/);
  });

  it('refuses a wrong secret in one line naming invalid_client, exit status 1 (RFC 6749 §5.2)', async () => {
    const run = await runLatchkey(['token', '--issuer', op.issuer, '--client-id', 'op-secret', '--client-secret-stdin', '--grant', 'client_credentials'], { input: 'not-the-secret\n', env: env() });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^latchkey: the token endpoint refused: invalid_client.*\(HTTP 401\)\n$/);
    expect(run.stderr).not.toContain('not-the-secret');
  });

  it('refuses a client secret given in argv, before any request, naming the safe options', async () => {
    const run = await runLatchkey(['token', '--issuer', op.issuer, '--client-id', 'op-secret', `--client-secret=${OP_SECRET}`, '--grant', 'client_credentials'], { env: env() });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('latchkey: --client-secret: secrets are not accepted on the command line (other users see it in ps); use --client-secret-stdin or --client-secret-file\n');
  });

  it('never shows the piped secret in any command line on the machine while it runs', async () => {
    const running = startLatchkey(['token', '--issuer', op.issuer, '--client-id', 'op-secret', '--client-secret-stdin', '--grant', 'device', '--no-qr'], {
      input: `${OP_SECRET}\n`,
      env: env(),
    });
    // op-secret may not use the device grant: it is refused, but only after the secret was read and sent.
    const lines = allCommandLines();
    const run = await running.done;
    expect(lines.some((l) => l.includes('--client-secret-stdin'))).toBe(true);
    expect(lines.filter((l) => l.includes(OP_SECRET))).toEqual([]);
    expect(run.code).toBe(1);
    expect(run.stderr).not.toContain(OP_SECRET);
  });
});

describe('latchkey token against node-oidc-provider (errors)', () => {
  it('names an unreachable issuer in one line', async () => {
    const port = await closedPort();
    const run = await runLatchkey(['token', '--issuer', `http://127.0.0.1:${port}`, '--client-id', 'x', '--grant', 'client_credentials'], { env: env() });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`latchkey: discovery at http://127.0.0.1:${port}/: cannot reach it: connection refused\n`);
  });

  it('says what to give for a provider without metadata', async () => {
    const run = await runLatchkey(['token', '--issuer', `${op.issuer}/nothing-here`, '--client-id', 'x', '--grant', 'client_credentials'], { env: env() });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `latchkey: ${op.issuer}/nothing-here publishes no authorization server metadata (RFC 8414 or OpenID Connect Discovery): give its endpoints with --token-endpoint (and --authorization-endpoint)\n`,
    );
  });

  it('works without metadata when the token endpoint is given', async () => {
    const run = await runLatchkey(['token', '--token-endpoint', `${op.issuer}/token`, '--client-id', 'op-secret', '--client-secret-stdin', '--grant', 'client_credentials', '--scope', 'api:read', '--json'], {
      input: `${OP_SECRET}\n`,
      env: env(),
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ scope: 'api:read' });
  });

  it('refuses an unknown grant naming the ones it knows', async () => {
    const run = await runLatchkey(['token', '--issuer', op.issuer, '--client-id', 'x', '--grant', 'implicit'], { env: env() });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('latchkey: --grant "implicit": use one of authorization_code, client_credentials, refresh_token, device, password\n');
  });

  it('inspect refuses a JWT signed by a key the provider does not publish, exit status 1', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const forged = await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'ES256', kid: 'op-1' }).setIssuer(op.issuer).setExpirationTime('5m').sign(privateKey);
    const run = await runLatchkey(['token', 'inspect', '--issuer', op.issuer, '--token-stdin'], { input: `${forged}\n`, env: env() });
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ verified: false, claims: { sub: 'alice' } });
    expect(run.stderr).toBe('latchkey: the token is NOT verified: jws_signature_verification_failed: signature verification failed\n');
  });

  it('inspect says an opaque token is not a JWT, and points to introspect', async () => {
    const run = await runLatchkey(['token', 'inspect', '--issuer', op.issuer, '--token-stdin'], { input: 'opaque-value\n', env: env() });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('latchkey: the token is NOT verified: not a JWT (an opaque token: use `latchkey token introspect`)\n');
  });

  it("reuses a cached client_credentials token for the same grant, scope and secret, but not for a wrong secret or a person's sign-in", async () => {
    const home = { XDG_CONFIG_HOME: freshConfigHome() };
    const cc = ['token', '--issuer', op.issuer, '--client-id', 'op-secret', '--client-secret-stdin', '--grant', 'client_credentials', '--scope', 'api:read', '--print', 'access_token'];
    const first = await runLatchkey(cc, { input: `${OP_SECRET}\n`, env: home });
    const second = await runLatchkey(cc, { input: `${OP_SECRET}\n`, env: home });
    expect(first.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    // A wrong secret is sent to the server, not answered from the cache.
    const wrong = await runLatchkey(cc, { input: 'not-the-secret\n', env: home });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^latchkey: the token endpoint refused: invalid_client/);
    const fresh = await runLatchkey([...cc, '--fresh'], { input: `${OP_SECRET}\n`, env: home });
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).not.toBe(first.stdout);
    const code = await runLatchkey(['token', '--issuer', op.issuer, '--client-id', 'op-secret', '--client-secret-stdin', '--scope', 'api:read', '--redirect-uri', 'https://client.example/callback', '--no-browser', '--print', 'access_token'], {
      input: `${OP_SECRET}\n`,
      env: home,
    });
    expect(code.stdout).toBe('');
    expect(code.stderr).toContain('open this address in a browser to sign in');
    expect(code.stderr).toMatch(/\nlatchkey: standard input ended before the redirect address was pasted\n$/);
    expect(code.code).toBe(1);
  });
});
