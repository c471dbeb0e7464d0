import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freshConfigHome, runLatchkey } from './run-token.ts';

/**
 * How `latchkey token --grant device` polls (RFC 8628 §3.4, §3.5), against a scripted token endpoint: each poll gets
 * the next answer of the script, and the test checks what the command did with each, by the polls it counted.
 */

interface Scripted {
  url: string;
  polls: string[];
  server: Server;
}

let current: Scripted | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (current ? current.server.close(() => resolve()) : resolve()));
  current = undefined;
});

async function scripted(answers: readonly (string | 'token')[]): Promise<Scripted> {
  const polls: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify(value));
      };
      if (req.url === '/device') {
        // The smallest interval oauth4webapi accepts; the test counts polls, it never measures time.
        return json(200, { device_code: 'dc-1', user_code: 'WDJB-MJHT', verification_uri: `${url}/activate`, verification_uri_complete: `${url}/activate?user_code=WDJB-MJHT`, expires_in: 600, interval: 1 });
      }
      const params = new URLSearchParams(body);
      expect(params.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:device_code');
      expect(params.get('device_code')).toBe('dc-1');
      const answer = answers[polls.length] ?? 'expired_token';
      polls.push(answer);
      if (answer === 'token') return json(200, { access_token: 'at-from-device', token_type: 'Bearer', expires_in: 60 });
      return json(400, { error: answer });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  current = { url, polls, server };
  return current;
}

const device = (s: Scripted) =>
  runLatchkey(['token', '--token-endpoint', `${s.url}/token`, '--device-authorization-endpoint', `${s.url}/device`, '--client-id', 'tv', '--grant', 'device', '--no-qr', '--print', 'access_token'], {
    env: { XDG_CONFIG_HOME: freshConfigHome() },
  });

describe('latchkey token --grant device polling', () => {
  it('keeps polling through authorization_pending and slow_down, then prints the token (RFC 8628 §3.5)', async () => {
    const s = await scripted(['authorization_pending', 'slow_down', 'authorization_pending', 'token']);
    const run = await device(s);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('at-from-device\n');
    expect(s.polls).toEqual(['authorization_pending', 'slow_down', 'authorization_pending', 'token']);
    expect(run.stderr).toContain(`latchkey: to sign in, visit ${s.url}/activate and enter the code WDJB-MJHT\n`);
  });

  it('stops at access_denied with one line and exit status 1 (RFC 8628 §3.5)', async () => {
    const s = await scripted(['authorization_pending', 'access_denied']);
    const run = await device(s);
    expect(run.code).toBe(1);
    expect(s.polls).toEqual(['authorization_pending', 'access_denied']);
    expect(run.stderr.split('\n').at(-2)).toBe('latchkey: the sign-in was refused on the device page: access_denied');
  });

  it('stops at expired_token with one line and exit status 1 (RFC 8628 §3.5)', async () => {
    const s = await scripted(['expired_token']);
    const run = await device(s);
    expect(run.code).toBe(1);
    expect(s.polls).toEqual(['expired_token']);
    expect(run.stderr.split('\n').at(-2)).toBe('latchkey: the device code expired before anyone approved it: expired_token');
  });
});
