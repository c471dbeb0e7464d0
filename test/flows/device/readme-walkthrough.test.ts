import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/clock.ts';
import { BIN, cleanEnv, ROOT } from '../../support/cli.ts';
import { startServer, type TestServer } from '../../support/server.ts';
import { answer } from './helpers.ts';

/**
 * The README's "Devices without a browser" walkthrough, run as printed: its shell blocks through bash (only the port
 * of the test server, and the test database for the CLI, put in), its JSON blocks compared with what came back.
 */

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const section = /## Devices without a browser\n([\s\S]*?)\n## /.exec(README)?.[1] ?? '';
const blocks = (lang: string) => [...section.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1] ?? '');

function sh(script: string, env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', ['-c', script], { cwd: ROOT, env: cleanEnv(env), timeout: 60_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${String(err)}\n${stderr}`)) : resolve(stdout)));
  });
}

const keys = (json: string) => Object.keys(JSON.parse(json) as object);

let server: TestServer;
const clock = new FakeClock(Math.floor(Date.now() / 1000));

beforeAll(async () => {
  server = await startServer({}, { clock });
});
afterAll(async () => {
  await server?.close();
});

describe('README: Devices without a browser', () => {
  it('works as printed: register the client, ask for a code, poll (pending), approve, poll (tokens)', async () => {
    const [register = '', ask = '', pollBlock = ''] = blocks('sh');
    const [askAnswer = '', pending = '', tokens = ''] = blocks('json');
    const local = (s: string) => s.replaceAll('http://localhost:3000', server.url);
    // The CLI step, against the running server's database.
    const created = await sh(`${register.trim().replace('npm run latchkey --', `"${process.execPath}" "${BIN}"`)} --database "${server.latchkey.deps.config.database}"`);
    expect(created).toContain('Created public client "Living Room TV"');

    const issued = await sh(local(ask));
    expect(keys(issued)).toEqual(keys(askAnswer));
    const d = JSON.parse(issued) as { device_code: string; user_code: string; verification_uri: string; interval: number; expires_in: number };
    expect(d.verification_uri).toBe(`${server.url}/device`);
    expect(JSON.parse(askAnswer)).toMatchObject({ interval: d.interval, expires_in: d.expires_in });

    expect(JSON.parse(await sh(local(pollBlock), { DEVICE_CODE: d.device_code }))).toEqual(JSON.parse(pending));
    const done = await answer(server.url, d.user_code, 'allow');
    expect(done.html).toContain('Device connected');
    // The device waits its interval before polling again.
    clock.advance(d.interval);
    const got = await sh(local(pollBlock), { DEVICE_CODE: d.device_code });
    expect(keys(got)).toEqual(keys(tokens));
  });
});
