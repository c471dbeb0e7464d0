import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.ts';
import { startServer, TEST_PASSWORD, type TestServer } from '../support/server.ts';
import { authorizeAsUser, type UserChoices } from '../support/user-agent.ts';
import { requireTool, signInWith, startRelyingParty, type RpLine } from './relying-party.ts';

/**
 * A relying party nobody here wrote: go-oidc v2 (Debian's golang-github-coreos-go-oidc-dev) with golang.org/x/oauth2
 * (golang-golang-x-oauth2-dev) in test/interop/go-oidc-rp/, built once, offline, from Debian's GOPATH (GO111MODULE=off,
 * GOPROXY=off: no module download), then run through the real login and consent pages like the Python one.
 */

const GOPATH = process.env['LATCHKEY_GOPATH'] ?? '/usr/share/gocode';
const HINT = 'Go with go-oidc not found: install it with `apt-get install golang-go golang-github-coreos-go-oidc-dev golang-golang-x-oauth2-dev` (or set LATCHKEY_GOPATH)';
const available =
  spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0 &&
  existsSync(join(GOPATH, 'src/github.com/coreos/go-oidc')) &&
  existsSync(join(GOPATH, 'src/golang.org/x/oauth2'));

const CLIENT = { id: 'go-oidc-rp', secret: 'go-oidc-rp-secret-0123456789abcdef', redirect: 'http://127.0.0.1/go/cb' };
const alice: UserChoices = { username: 'alice', password: TEST_PASSWORD, decision: 'allow' };
const clients = [{ id: CLIENT.id, name: 'go-oidc RP', secret: CLIENT.secret, redirectUris: [CLIENT.redirect], grantTypes: ['authorization_code' as const, 'refresh_token' as const] }];

let binDir = '';
let binary = '';
let buildError = '';

beforeAll(() => {
  if (!available) return;
  binDir = mkdtempSync(join(tmpdir(), 'latchkey-go-rp-'));
  binary = join(binDir, 'go-oidc-rp');
  const build = spawnSync('go', ['build', '-o', binary, '.'], {
    cwd: join(import.meta.dirname, 'go-oidc-rp'),
    encoding: 'utf8',
    timeout: 170_000,
    // A stable cache under tmp when the environment names none, so a second run does not recompile everything.
    env: { ...process.env, GO111MODULE: 'off', GOPATH, GOPROXY: 'off', GOFLAGS: '', GOCACHE: process.env['GOCACHE'] ?? join(tmpdir(), 'latchkey-go-cache') },
  });
  if (build.status !== 0) buildError = `go build failed: ${build.stderr || String(build.error)}`;
});

afterAll(() => {
  if (binDir) rmSync(binDir, { recursive: true, force: true });
});

async function signInWithGo(server: TestServer, extra: string[] = []): Promise<RpLine> {
  if (buildError) throw new Error(buildError);
  const { authorizationUrl, result } = await signInWith(server, binary, [server.url, CLIENT.id, CLIENT.secret, CLIENT.redirect, ...extra], alice);
  expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256');
  expect(authorizationUrl.searchParams.get('nonce')).toBeTruthy();
  return result;
}

describe('go-oidc (Go) relying party against Latchkey (OpenID Connect Core §3.1)', () => {
  // go-oidc v2 verifies RS256, ES256 and PS256 signatures (oidc.go), not EdDSA; its Verifier takes the provider's
  // advertised list. RS256 is the default; ES256 is the client's registered id_token_signed_response_alg.
  for (const alg of ['RS256', 'ES256'] as const) {
    it(`signs in with NewProvider discovery, code + PKCE S256 + nonce, an ${alg} ID token Verifier.Verify accepts (Core §3.1.3.7) with at_hash, UserInfo with the same sub (Core §5.3.2) and a refresh (Core §12.2)`, async (ctx) => {
      requireTool(ctx, available, HINT);
      const server = await startServer({ clients: alg === 'RS256' ? clients : [{ ...clients[0]!, idTokenSignedResponseAlg: alg }] });
      try {
        const summary = await signInWithGo(server);
        expect(summary).not.toHaveProperty('error');
        const idToken = summary['id_token'] as Record<string, unknown>;
        expect(idToken).toMatchObject({ iss: server.url, aud: [CLIENT.id], nonce: summary['nonce_sent'], at_hash: true, alg });
        expect(typeof idToken['sub']).toBe('string');
        expect(summary['userinfo']).toEqual({ sub: idToken['sub'], name: 'Alice Liddell', email: 'alice@example.com' });
        expect(summary['refresh']).toMatchObject({ sub: idToken['sub'], new_id_token: true, new_access_token: true });
      } finally {
        await server.close();
      }
    });
  }

  it('lets the Go relying party reject an ID token whose nonce is not the one it expects (Core §3.1.3.7 step 11)', async (ctx) => {
    requireTool(ctx, available, HINT);
    const server = await startServer({ clients });
    try {
      // The signature and claims pass Verify; the nonce comparison, go-oidc v2's documented caller duty, fails.
      expect(await signInWithGo(server, ['--expect-nonce', 'a-nonce-never-sent'])).toMatchObject({ error: 'nonce' });
    } finally {
      await server.close();
    }
  });

  it('keeps validating across a signing key rotation with the JWKS it cached: the next key is published before it signs (issue 11 "Keys")', async (ctx) => {
    requireTool(ctx, available, HINT);
    if (buildError) throw new Error(buildError);
    // The server's clock is fake so the publish-ahead time can pass; it starts at the real time because go-oidc
    // checks exp against its own clock.
    const clock = new FakeClock(Math.floor(Date.now() / 1000));
    const server = await startServer({ clients }, { clock });
    const rp = await startRelyingParty(binary, [server.url, CLIENT.id, CLIENT.secret, CLIENT.redirect, '--pause-before-refresh']);
    try {
      const keys = server.latchkey.deps.keys;
      const oldKid = await keys.keyring.currentKid('RS256');
      // A scheduled rotation: the next RS256 key is in the JWKS at once and signs publishAheadSeconds (600 s) later.
      await keys.rotate('RS256', false);
      const out = await authorizeAsUser(server, rp.authorizationUrl, alice);
      if (!out.location) throw new Error(`expected a redirect to the relying party, got ${out.status} ${out.page ?? ''}`);
      // The relying party verified the first ID token, so it now holds the JWKS (Cache-Control max-age=300).
      expect(await rp.send(out.location)).toEqual({ paused: true });

      clock.advance(601);
      const newKid = await keys.keyring.currentKid('RS256');
      expect(newKid).not.toBe(oldKid);
      // go-oidc v2 refetches the JWKS only after its cached copy expires (jwks.go); in real time it has not, so the new
      // kid must already be in the copy it holds.
      const summary = await rp.finish('go on');
      expect(summary).not.toHaveProperty('error');
      expect((summary['id_token'] as Record<string, unknown>)['kid']).toBe(oldKid);
      expect(summary['refresh']).toMatchObject({ new_id_token: true, kid: newKid });
    } finally {
      rp.kill();
      await server.close();
    }
  });

  it('fails, as the README warns for `keys rotate --now`, when the new key signs before it was published: go-oidc v2 holds its cached JWKS', async (ctx) => {
    requireTool(ctx, available, HINT);
    if (buildError) throw new Error(buildError);
    const server = await startServer({ clients });
    const rp = await startRelyingParty(binary, [server.url, CLIENT.id, CLIENT.secret, CLIENT.redirect, '--pause-before-refresh']);
    try {
      const out = await authorizeAsUser(server, rp.authorizationUrl, alice);
      if (!out.location) throw new Error(`expected a redirect to the relying party, got ${out.status} ${out.page ?? ''}`);
      expect(await rp.send(out.location)).toEqual({ paused: true });
      // A compromised key: the replacement signs at once, absent from the copy of the JWKS the relying party holds.
      await server.latchkey.deps.keys.rotate('RS256', true);
      expect(await rp.finish('go on')).toMatchObject({ error: 'verify-refreshed' });
    } finally {
      rp.kill();
      await server.close();
    }
  });
});
