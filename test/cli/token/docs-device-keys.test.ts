import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withPage } from '../../support/browser.ts';
import { signIn } from '../../support/browser-flows.ts';
import { BIN, cleanEnv, ROOT, type Run } from '../../support/cli.ts';
import { startServer, TEST_PASSWORD, type TestServer } from '../../support/server.ts';
import { freshConfigHome } from './run-token.ts';

/**
 * docs/cli.md "Against Latchkey: a device, a private key, an administrator without a browser", and the README lines
 * that repeat its commands, run exactly as printed by bash (with `latchkey` on the PATH, in a folder holding
 * billing-private.json), against a Latchkey with the clients the section names. Only http://localhost:3000 changes.
 */

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const cliMd = readFileSync(join(ROOT, 'docs', 'cli.md'), 'utf8');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const section = cliMd.slice(cliMd.indexOf('### Against Latchkey: a device, a private key'));
const printed = [...section.matchAll(/```sh\n([\s\S]*?)```/g)][0]?.[1]?.split('\n').filter((l) => l !== '' && !l.startsWith('#')) ?? [];
const sample = /```\n(latchkey: to sign in[\s\S]*?)```/.exec(section)?.[1] ?? '';

let server: TestServer;
let cwd: string;
beforeAll(async () => {
  cwd = mkdtempSync(join(tmpdir(), 'latchkey-docs-keys-'));
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  writeFileSync(join(cwd, 'billing-private.json'), JSON.stringify({ ...(await exportJWK(privateKey)), kid: 'billing-2026' }), { mode: 0o600 });
  server = await startServer({
    deviceFlow: { interval: 1 },
    users: [{ username: 'alice', password: TEST_PASSWORD, admin: true }],
    clients: [
      { id: 'tv-app', name: 'Living Room TV', type: 'public', grantTypes: [DEVICE_GRANT, 'refresh_token'], responseTypes: [] },
      { id: 'billing', name: 'Billing', tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'billing-2026' }] }, grantTypes: ['client_credentials'], responseTypes: [] },
    ],
  });
});
afterAll(async () => {
  await server?.close();
});

/** A `latchkey` on the PATH that runs this checkout's bin. */
function pathWithLatchkey(): string {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-bin-'));
  writeFileSync(join(dir, 'latchkey'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(dir, 'latchkey'), 0o755);
  return `${dir}:${process.env['PATH'] ?? ''}`;
}

/** Runs one printed line in bash; `onVerify` gets the device page address as soon as the command prints it. */
function bash(line: string, env: Record<string, string>, onVerify?: (url: string) => void): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', line.replaceAll('http://localhost:3000', server.url)], { cwd, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let told = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      const complete = /latchkey: or open (\S+)\n/.exec(stderr)?.[1];
      if (complete !== undefined && !told && onVerify) {
        told = true;
        onVerify(complete);
      }
    });
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

async function allow(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await signIn(page);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.getByRole('heading', { name: 'Device connected' }).waitFor();
}

describe('docs/cli.md: against Latchkey, a device, a private key, an administrator without a browser', () => {
  it('has the four commands, the README repeats three, and the device lines print as shown', () => {
    expect(printed).toHaveLength(4);
    const [device, keyed, login] = printed as [string, string, string, string];
    expect(readme).toContain(`\`${device}\``);
    expect(readme).toContain(`\`${keyed}\``);
    expect(readme).toContain(`\`${login}\``);
    expect(sample).toMatch(/^latchkey: to sign in, visit http:\/\/localhost:3000\/device and enter the code ([A-Z]{4}-[A-Z]{4})\nlatchkey: or open http:\/\/localhost:3000\/device\?user_code=\1\n$/);
  });

  it('runs each command as printed: the device grant approved in Chromium, private_key_jwt, admin login --device, clients list', async (ctx) => {
    const [device, keyed, login, list] = printed as [string, string, string, string];
    const env = { PATH: pathWithLatchkey(), XDG_CONFIG_HOME: freshConfigHome() };
    const approvals: Promise<void>[] = [];
    const approveIn = (url: string) => approvals.push(withPage(ctx, (page) => allow(page, url)));

    const tv = await bash(device, env, approveIn);
    await Promise.all(approvals);
    expect(tv.code).toBe(0);
    expect(tv.stderr).toMatch(new RegExp(`^latchkey: to sign in, visit ${server.url}/device and enter the code [A-Z]{4}-[A-Z]{4}\\nlatchkey: or open ${server.url}/device\\?user_code=[A-Z]{4}-[A-Z]{4}\\n`));
    expect(JSON.parse(tv.stdout)).toMatchObject({ scope: 'openid profile', id_token: expect.any(String) });

    const billing = await bash(keyed, env);
    expect(billing.stderr).toBe('');
    expect(billing.code).toBe(0);
    expect(billing.stdout).toMatch(/^\S+\n$/);

    const admin = await bash(login, env, approveIn);
    await Promise.all(approvals);
    expect(admin.code).toBe(0);
    const clients = await bash(list, env);
    expect(clients.stderr).toBe('');
    expect(clients.code).toBe(0);
    expect(clients.stdout).toMatch(/^latchkey-cli /m);

    // The cached admin token, printed as docs/cli.md says after a device sign-in.
    const cached = await bash(`latchkey token --issuer ${server.url} --client-id latchkey-cli --scope admin --grant device --print access_token`, env);
    expect(cached.stderr).toBe('');
    const api = await fetch(`${server.url}/admin/api/v1/users`, { headers: { authorization: `Bearer ${cached.stdout.trim()}` } });
    expect(api.status).toBe(200);
  });
});
