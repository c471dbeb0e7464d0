import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectJsonError } from '../../support/flow-helpers.ts';
import { startServer, testConfig, type TestServer } from '../../support/server.ts';
import { assertion, clientCredentials, clientKey, type ClientKey } from './support.ts';

/**
 * clientAssertions.acceptTokenEndpointAudience: for clients written to OpenID Connect Core §9, which named the token
 * endpoint URL as the audience. Off by default (draft-ietf-oauth-rfc7523bis); on, the token endpoint URL and the
 * issuer are accepted, and nothing else.
 */

let server: TestServer;
let key: ClientKey;
let logs = '';

beforeAll(async () => {
  key = await clientKey('RS256');
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs += chunk.toString();
      done();
    },
  });
  server = await startServer(
    {
      logLevel: 'info',
      clients: [...(testConfig().clients ?? []), { id: 'old-rp', name: 'Old RP', tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [key.publicJwk] }, grantTypes: ['client_credentials'] }],
      clientAssertions: { acceptTokenEndpointAudience: true },
    },
    { logStream },
  );
});

afterAll(async () => {
  await server?.close();
});

describe('the token endpoint URL as audience, when the operator allows it (OpenID Connect Core §9)', () => {
  it('accepts the token endpoint URL, the issuer, and both together', async () => {
    const endpoint = `${server.url}/oauth2/token`;
    expect((await clientCredentials(server, await assertion(key, 'old-rp', endpoint))).status).toBe(200);
    expect((await clientCredentials(server, await assertion(key, 'old-rp', server.url))).status).toBe(200);
    expect((await clientCredentials(server, await assertion(key, 'old-rp', server.url, { aud: [server.url, endpoint] }))).status).toBe(200);
  });

  it('still refuses any other audience, alone or beside an accepted one, with invalid_client', async () => {
    await expectJsonError(await clientCredentials(server, await assertion(key, 'old-rp', `${server.url}/oauth2/introspect`)), 401, 'invalid_client');
    await expectJsonError(await clientCredentials(server, await assertion(key, 'old-rp', server.url, { aud: [server.url, 'https://attacker.example'] })), 401, 'invalid_client');
  });
});

describe('why an assertion was refused: in the log, never in the answer', () => {
  it('logs the reason of an invalid_client (a replay) without the assertion, and answers one generic description', async () => {
    const jwt = await assertion(key, 'old-rp', server.url);
    expect((await clientCredentials(server, jwt)).status).toBe(200);
    const body = await expectJsonError(await clientCredentials(server, jwt), 401, 'invalid_client');
    expect(body['error_description']).toBe('client authentication failed');
    expect(logs).toMatch(/"reason":"replayed assertion/);
    expect(logs).not.toContain(jwt.split('.')[1]);
    expect(logs).not.toContain(jwt.split('.')[2]);
  });
});
