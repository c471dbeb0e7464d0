import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, ROOT } from '../support/cli.ts';
import { authorizeUrl, UserAgent } from '../support/user-agent.ts';

/**
 * `latchkey start` as a person runs it (issue 15): the log format on a terminal and in a pipe, the redaction of
 * secrets in both, and on a restart with the demo still present, a command to get in again that works as printed.
 */

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-cli-start-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

interface Started {
  url: string;
  child: ChildProcess;
  output(): string;
  /** Waits (bounded by output, not by time) until stdout holds `text`. */
  waitFor(text: string): Promise<void>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/**
 * `latchkey start` on a free port (or `port`, to restart on the same issuer), on stdout a pipe (not a terminal);
 * resolves once it listens.
 */
async function start(args: string[], env: Record<string, string> = {}, port?: number): Promise<Started> {
  port ??= await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [BIN, 'start', '--port', String(port), '--host', '127.0.0.1', '--issuer', url, ...args], { cwd: ROOT, env: cleanEnv(env) });
  let out = '';
  let waiters: (() => void)[] = [];
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    for (const w of waiters) w();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (out.includes(text)) resolve();
      };
      waiters.push(check);
      void exited.then(() => reject(new Error(`latchkey start exited before printing ${JSON.stringify(text)}:\n${out}`)));
      check();
    });
  // The banner ends with this line or with the demo's lines, all written in the same tick (start.ts).
  await waitFor('account: ');
  return {
    url,
    child,
    output: () => out,
    waitFor,
    async stop() {
      child.kill('SIGTERM');
      const code = await exited;
      waiters = [];
      return code;
    },
  };
}

/** Runs a command line in a shell, exactly as printed, from the directory `latchkey start` ran in. */
function sh(command: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', command], { cwd: ROOT, env: cleanEnv(env), timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
    });
  });
}

const SECRET_CODE = 'lk_ac_never-in-a-log-0123456789';
const SECRET_PASSWORD = 'hunter2-never-in-a-log';
const secretUrl = (url: string) => `${url}/oauth2/authorize?client_id=nobody&code=${SECRET_CODE}&password=${encodeURIComponent(SECRET_PASSWORD)}`;

describe('log lines on a terminal and in a pipe', () => {
  it('--log-format pretty: human-readable lines (time, level, message, key=value), secrets in URLs still redacted', async () => {
    const server = await start(['-d', join(dir, 'pretty.db')], { LATCHKEY_DEMO: 'false' });
    await server.stop();
    const pretty = await start(['-d', join(dir, 'pretty.db'), '--log-format', 'pretty']);
    const res = await fetch(secretUrl(pretty.url));
    expect(res.status).toBe(400);
    await pretty.waitFor('request completed');
    expect(await pretty.stop()).toBe(0);
    const lines = pretty.output().split('\n');
    const logLines = lines.filter((l) => /^\d\d:\d\d:\d\d\.\d{3} /.test(l));
    expect(logLines.length).toBeGreaterThanOrEqual(3);
    expect(lines.filter((l) => l.startsWith('{'))).toEqual([]);
    expect(logLines).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}incoming request {2}reqId=\S+ req\.method=GET req\.url="\/oauth2\/authorize\?client_id=nobody&code=\[redacted\]&password=\[redacted\]"/));
    expect(logLines).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}request completed {2}reqId=\S+ res\.statusCode=400 responseTime=[\d.]+$/));
    expect(pretty.output()).not.toContain(SECRET_CODE);
    expect(pretty.output()).not.toContain(encodeURIComponent(SECRET_PASSWORD));
    expect(pretty.output()).not.toContain(SECRET_PASSWORD);
  });

  it('auto (the default) in a pipe, and --log-format json: one JSON object a line, secrets redacted', async () => {
    for (const flags of [[], ['--log-format', 'json']]) {
      const server = await start(['-d', join(dir, 'json.db'), ...flags], { LATCHKEY_DEMO: 'false' });
      expect((await fetch(secretUrl(server.url))).status).toBe(400);
      await server.waitFor('request completed');
      expect(await server.stop()).toBe(0);
      const logLines = server.output().split('\n').filter((l) => l.startsWith('{'));
      const records = logLines.map((l) => JSON.parse(l) as { msg: string; req?: { url: string } });
      const incoming = records.find((r) => r.msg === 'incoming request' && r.req?.url.startsWith('/oauth2/authorize'));
      expect(incoming?.req?.url).toBe('/oauth2/authorize?client_id=nobody&code=[redacted]&password=[redacted]');
      expect(server.output()).not.toContain(SECRET_CODE);
      expect(server.output()).not.toContain(SECRET_PASSWORD);
    }
  });

  it('refuses an unknown --log-format, naming the key', async () => {
    const run = await sh(`node ${BIN} start -d ${join(dir, 'x.db')} --log-format fancy`);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^latchkey: invalid configuration:\n {2}logFormat: /);
  });
});

describe('a restart with the demo still present', () => {
  it('prints the command to set a new demo password; run as printed, it works, and the demo user signs in with it', async () => {
    const db = join(dir, 'demo.db');
    const first = await start(['-d', db]);
    // The demo's lines may reach the pipe in a later chunk than the banner's: wait for them, not for a clock.
    await first.waitFor('The demo user is an administrator');
    expect(await first.stop()).toBe(0);
    expect(first.output()).toContain('First start: created a demo application and user');
    expect(first.output()).not.toContain('still here');

    // On the same issuer: the demo application's redirect URI is the first start's /demo/callback, matched exactly.
    const again = await start(['-d', db], {}, Number(new URL(first.url).port));
    await again.waitFor(`set-password demo -d ${db}\n`);
    const printed = /^ {2}(node \S+ users set-password demo -d \S+)$/m.exec(again.output())?.[1];
    expect(printed, again.output()).toBe(`node bin/latchkey.mjs users set-password demo -d ${db}`);
    expect(again.output()).toContain('The demo application (demo-app) and user (demo) from the first start are still here');

    // Exactly as printed, in a shell, from the same directory.
    const run = await sh(printed ?? '');
    expect(run, run.stderr).toMatchObject({ code: 0 });
    const password = /^ {2}password: (\S+)$/m.exec(run.stdout)?.[1] ?? '';
    expect(password.length).toBeGreaterThanOrEqual(16);

    // The server that printed it accepts the new password (the consent page follows the sign-in).
    const agent = new UserAgent(again.url);
    const page = await agent.start(authorizeUrl({ url: again.url }, { response_type: 'code', client_id: 'demo-app', redirect_uri: `${again.url}/demo/callback`, scope: 'openid', state: 's' }));
    expect(page.page).toBe('login');
    expect((await agent.login(page, 'demo', password)).page).toBe('consent');
    expect(await again.stop()).toBe(0);
  });

  it('started through npm (`npm start`), it prints the npm form, which works as printed', async () => {
    const db = join(dir, 'demo-npm.db');
    const first = await start(['-d', db]);
    await first.stop();
    const again = await start(['-d', db], { npm_package_name: 'latchkey', npm_lifecycle_event: 'start' });
    // Wait for the hint itself (it may reach the pipe in a later chunk than the banner), then stop.
    await again.waitFor(`set-password demo -d ${db}\n`);
    await again.stop();
    const printed = /^ {2}(npm run latchkey -- users set-password demo -d \S+)$/m.exec(again.output())?.[1];
    expect(printed, again.output()).toBe(`npm run latchkey -- users set-password demo -d ${db}`);
    const run = await sh(printed ?? '');
    expect(run, run.stderr).toMatchObject({ code: 0 });
    expect(run.stdout).toMatch(/New password for "demo"/);
  });

  it('says nothing about the demo when its user is gone', async () => {
    const db = join(dir, 'demo-gone.db');
    await (await start(['-d', db])).stop();
    expect((await sh(`node ${BIN} users delete demo -d ${db}`)).code).toBe(0);
    const again = await start(['-d', db]);
    await again.stop();
    expect(again.output()).not.toContain('set-password');
  });
});
