import { Writable } from 'node:stream';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../../support/server.ts';
import { UserAgent } from '../../support/user-agent.ts';
import { deviceConfig, discover, insecure, none, openDevicePage, poll, startDevice, tv } from './helpers.ts';

/** Neither the device code nor the user code reaches a log line (DESIGN.md "Errors": no credential in a log). */

let server: TestServer;
let log = '';

beforeAll(async () => {
  const logStream = new Writable({
    write(chunk: Buffer, _enc, done) {
      log += chunk.toString();
      done();
    },
  });
  server = await startServer(deviceConfig({ logLevel: 'info' }), { logStream });
});
afterAll(async () => {
  await server?.close();
});

describe('device grant logs', () => {
  it('logs requests to /device?user_code=… and the polls without the codes', async () => {
    const as = await discover(server.url);
    const d = await startDevice(as);
    const agent = new UserAgent(server.url);
    const url = new URL(d.verification_uri_complete ?? '');
    const page = await openDevicePage(agent, url.pathname + url.search);
    await agent.consent(await agent.submit(page, { user_code: d.user_code }), 'allow');
    await poll(as, d.device_code);
    // A device code in the query string (where it does not belong) is not logged either.
    await fetch(`${server.url}/oauth2/token?device_code=${encodeURIComponent(d.device_code)}`, { method: 'POST', body: new URLSearchParams({ client_id: 'tv-app', grant_type: 'x' }) });
    await oauth.deviceCodeGrantRequest(as, tv, none, d.device_code, insecure);
    expect(log).toContain('/device');
    expect(log).not.toContain(d.user_code);
    expect(log).not.toContain(d.user_code.replace('-', ''));
    expect(log).not.toContain(d.device_code);
  });
});
