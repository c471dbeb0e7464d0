import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withPage } from '../../support/browser.ts';
import { BIN, cleanEnv, ROOT, type Run } from '../../support/cli.ts';
import { startServer, type TestServer } from '../../support/server.ts';
import { freshConfigHome } from './run-token.ts';

/**
 * The README's "The same steps in one command", run exactly as printed by bash (with `latchkey` on the PATH, as
 * after an install), against a first-start Latchkey with its demo application and user. Only the address changes:
 * http://localhost:3000 becomes the test server's.
 */

let server: TestServer;
let commands: string[];
beforeAll(async () => {
  server = await startServer({ demo: true, clients: [], users: [] });
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### The same steps in one command'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  commands = block.split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => l.replaceAll('http://localhost:3000', server.url));
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

function bash(command: string, env: Record<string, string>, onStderr?: (text: string, write: (s: string) => void) => void): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', command], { cwd: ROOT, env: cleanEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      onStderr?.(stderr, (s) => child.stdin.write(s));
    });
    if (onStderr === undefined) child.stdin.end();
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('README: the same steps in one command', () => {
  it('has the four commands, and each works as printed', async (ctx) => {
    expect(commands).toHaveLength(4);
    const demo = server.latchkey.demo;
    if (demo === undefined) throw new Error('no demo credentials');
    const env = { PATH: pathWithLatchkey(), XDG_CONFIG_HOME: freshConfigHome(), CLIENT_SECRET: demo.clientSecret };
    const [codeFlow, userinfo, logout, machine] = commands as [string, string, string, string];

    // Steps 1-4: the person opens the address, signs in, allows, and pastes the address of the demo page.
    let pasteInto: ((s: string) => void) | undefined;
    let found: (u: string) => void = () => undefined;
    const url = new Promise<string>((resolve) => (found = resolve));
    const flow = bash(codeFlow, env, (text, write) => {
      pasteInto = write;
      const m = /\n {2}(http:\/\/127\.0\.0\.1:\d+\/\S+)\n/.exec(text);
      if (m?.[1]) found(m[1]);
    });
    await withPage(ctx, async (page) => {
      const ended = flow.then((r) => Promise.reject(new Error(`the command ended before printing the address: ${r.stderr}`)));
      await page.goto(await Promise.race([url, ended]));
      await page.getByLabel('Username').fill(demo.username);
      await page.getByLabel('Password').fill(demo.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Allow' }).click();
      await page.waitForURL(/\/demo\/callback\?/);
      pasteInto?.(`${page.url()}\n`);
    });
    const first = await flow;
    expect(first.stderr).not.toContain(demo.clientSecret);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ token_type: 'bearer', scope: 'openid profile' });

    // Step 5: the cached token calls userinfo.
    const me = await bash(userinfo, env);
    expect(me.code).toBe(0);
    expect(JSON.parse(me.stdout)).toMatchObject({ name: 'Demo User' });

    // Step 7: revoked and forgotten; the next call has to sign in again.
    const out = await bash(logout, env);
    expect(out.stderr).toBe('latchkey: signed out: the cached tokens are revoked and forgotten\n');
    expect(out.code).toBe(0);

    // Step 8.
    const m2m = await bash(machine, env);
    expect(m2m.stderr).toBe('');
    expect(m2m.stdout).toMatch(/^lk_at_\S+\n$/);
  });
});
