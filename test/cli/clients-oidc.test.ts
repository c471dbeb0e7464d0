import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latchkey } from '../support/cli.ts';

/** `latchkey clients create|update` with the OpenID Connect client metadata (Registration 1.0 §2), run as the real bin. */

let dir: string;
let db: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-cli-oidc-'));
  db = join(dir, 'latchkey.db');
  expect((await latchkey(['migrate', '-d', db])).code).toBe(0);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('latchkey clients with OpenID Connect metadata', () => {
  it('creates a client with its algorithms, default max age and logout URIs, and shows them', async () => {
    const created = await latchkey([
      'clients', 'create', '--id', 'rp', '--name', 'RP', '--redirect-uri', 'https://rp.example/cb',
      '--id-token-alg', 'EdDSA', '--userinfo-alg', 'ES256', '--default-max-age', '600', '--require-auth-time',
      '--post-logout-redirect-uri', 'https://rp.example/bye', '--backchannel-logout-uri', 'https://rp.example/bc',
      '--backchannel-logout-session-required', '--json', '-d', db,
    ]);
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({
      idTokenSignedResponseAlg: 'EdDSA',
      userinfoSignedResponseAlg: 'ES256',
      subjectType: 'public',
      defaultMaxAge: 600,
      requireAuthTime: true,
      postLogoutRedirectUris: ['https://rp.example/bye'],
      backchannelLogoutUri: 'https://rp.example/bc',
      backchannelLogoutSessionRequired: true,
    });
    const shown = await latchkey(['clients', 'show', 'rp', '-d', db]);
    expect(shown.stdout).toMatch(/ID token alg:\s+EdDSA/);
    expect(shown.stdout).toMatch(/UserInfo:\s+signed JWT \(ES256\)/);
  });

  it('updates them and resets with default and none', async () => {
    const run = await latchkey(['clients', 'update', 'rp', '--id-token-alg', 'default', '--userinfo-alg', 'none', '--backchannel-logout-uri', 'none', '--no-backchannel-logout-session-required', '--json', '-d', db]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ idTokenSignedResponseAlg: null, userinfoSignedResponseAlg: null, backchannelLogoutUri: null, backchannelLogoutSessionRequired: false, defaultMaxAge: 600 });
  });

  it('refuses an unknown algorithm, and pairwise without oidc.pairwiseSalt, naming the option (exit 2)', async () => {
    const badAlg = await latchkey(['clients', 'update', 'rp', '--id-token-alg', 'HS256', '-d', db]);
    expect(badAlg.code).not.toBe(0);
    expect(badAlg.stderr).toContain('--id-token-alg "HS256": use one of RS256, ES256, EdDSA');
    const pairwise = await latchkey(['clients', 'update', 'rp', '--subject-type', 'pairwise', '-d', db]);
    expect(pairwise.code).not.toBe(0);
    expect(pairwise.stderr).toContain('--subject-type: pairwise subjects need oidc.pairwiseSalt');
  });

  it('takes the OpenID Connect response types, whose words are joined by spaces, in any order (Core §3.3)', async () => {
    const run = await latchkey(['clients', 'update', 'rp', '--response-type', 'code', '--response-type', 'id_token code,token id_token', '--json', '-d', db]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ responseTypes: ['code', 'code id_token', 'id_token token'] });
    expect(run.stderr).toContain('needs features.implicit');
  });

  it('refuses a post-logout redirect URI with a fragment', async () => {
    const run = await latchkey(['clients', 'update', 'rp', '--post-logout-redirect-uri', 'https://rp.example/bye#x', '-d', db]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('--post-logout-redirect-uri: https://rp.example/bye#x must not have a fragment');
  });

  it('registers a typical relying party with the command the README prints ("Connecting a relying party")', async () => {
    // The README's command, word for word (a shell would split it the same way), with only the database added.
    const run = await latchkey([
      'clients', 'create', '--id', 'grafana', '--name', 'Grafana',
      '--redirect-uri', 'https://grafana.example.com/login/generic_oauth',
      '--post-logout-redirect-uri', 'https://grafana.example.com/login',
      '--scope', 'openid profile email offline_access',
      '-d', db,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Created confidential client "Grafana"');
    expect(run.stdout).toMatch(/client_id:\s+grafana/);
    expect(run.stdout).toMatch(/client_secret:\s+lk_cs_\S+/);
    const shown = JSON.parse((await latchkey(['clients', 'show', 'grafana', '--json', '-d', db])).stdout) as Record<string, unknown>;
    expect(shown).toMatchObject({
      redirectUris: ['https://grafana.example.com/login/generic_oauth'],
      postLogoutRedirectUris: ['https://grafana.example.com/login'],
      scopes: ['openid', 'profile', 'email', 'offline_access'],
      grantTypes: ['authorization_code', 'refresh_token'],
    });
  });
});
