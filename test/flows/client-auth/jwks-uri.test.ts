import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/clock.ts';
import { expectJsonError } from '../../support/flow-helpers.ts';
import { startServer, testConfig, type TestServer } from '../../support/server.ts';
import { assertion, clientCredentials, clientKey, serveJwks, type ClientKey, type JwksHost } from './support.ts';

/**
 * private_key_jwt with keys at the client's jwks_uri (OpenID Connect Registration 1.0 §2): fetched once and cached,
 * fetched again when an assertion names an unknown kid (a key rotation), but at most once per
 * clientAssertions.jwksRefetchSeconds, so an attacker's unknown kids cannot make Latchkey hammer the client's host.
 * Bounded by counts of fetches, never by time: the server's clock is a FakeClock the test moves.
 */

const clock = new FakeClock(Math.floor(Date.now() / 1000));
let server: TestServer;
let host: JwksHost;
let first: ClientKey;
let rotated: ClientKey;

beforeAll(async () => {
  [first, rotated] = await Promise.all([clientKey('PS256'), clientKey('EdDSA')]);
  host = await serveJwks([first.publicJwk]);
  server = await startServer(
    {
      clients: [...(testConfig().clients ?? []), { id: 'remote-keys', name: 'Remote keys', tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: host.url, grantTypes: ['client_credentials'] }],
      // Loopback http for the test's JWKS host: a development switch, off by default (https only).
      clientAssertions: { jwksUriAllowLoopbackHttp: true, jwksRefetchSeconds: 60 },
    },
    { clock },
  );
});

afterAll(async () => {
  await server?.close();
  await host?.close();
});

const at = (key: ClientKey) => assertion(key, 'remote-keys', server.url, { iat: clock.now(), exp: clock.now() + 60 });

describe('jwks_uri keys for private_key_jwt', () => {
  it('fetches jwks_uri once and serves later assertions from the cache', async () => {
    expect((await clientCredentials(server, await at(first))).status).toBe(200);
    expect((await clientCredentials(server, await at(first))).status).toBe(200);
    expect(host.fetches).toBe(1);
  });

  it('refetches once on an unknown kid, then refuses it with invalid_client without fetching again', async () => {
    // Past the least time between two fetches of one jwks_uri (the first fetch was moments ago).
    clock.advance(61);
    const before = host.fetches;
    await expectJsonError(await clientCredentials(server, await at(rotated)), 401, 'invalid_client');
    expect(host.fetches).toBe(before + 1);
    await expectJsonError(await clientCredentials(server, await at(rotated)), 401, 'invalid_client');
    await expectJsonError(await clientCredentials(server, await at(rotated)), 401, 'invalid_client');
    expect(host.fetches).toBe(before + 1);
  });

  it('picks up a rotated key once the refetch interval has passed', async () => {
    host.keys = [first.publicJwk, rotated.publicJwk];
    clock.advance(61);
    const before = host.fetches;
    expect((await clientCredentials(server, await at(rotated))).status).toBe(200);
    expect(host.fetches).toBe(before + 1);
  });
});

describe('jwks_uri is an outbound fetch: bounded in size, no redirects, https only', () => {
  it('refuses with invalid_client when the jwks_uri answers too large a document, a redirect or an error, each fetched once', async () => {
    const { createServer } = await import('node:http');
    let hits = 0;
    const bad = createServer((req, res) => {
      hits++;
      if (req.url === '/huge') res.end(JSON.stringify({ keys: [first.publicJwk], padding: 'x'.repeat(200_000) }));
      else if (req.url === '/redirect') res.writeHead(302, { location: host.url }).end();
      else res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => bad.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(bad.address() as { port: number }).port}`;
    const other = await startServer(
      {
        clients: ['huge', 'redirect', 'error'].map((id) => ({ id, name: id, tokenEndpointAuthMethod: 'private_key_jwt' as const, jwksUri: `${base}/${id}`, grantTypes: ['client_credentials' as const] })),
        clientAssertions: { jwksUriAllowLoopbackHttp: true },
      },
      { clock },
    );
    try {
      for (const id of ['huge', 'redirect', 'error']) {
        const jwt = await assertion(first, id, other.url, { iat: clock.now(), exp: clock.now() + 60 });
        await expectJsonError(await clientCredentials(other, jwt), 401, 'invalid_client');
        // A failing host is not asked again at once (clientAssertions.jwksRefetchSeconds).
        await expectJsonError(await clientCredentials(other, await assertion(first, id, other.url, { iat: clock.now(), exp: clock.now() + 60 })), 401, 'invalid_client');
      }
      expect(hits).toBe(3);
    } finally {
      await other.close();
      await new Promise<void>((resolve) => bad.close(() => resolve()));
    }
  });

  it('refuses a client whose jwks_uri is http when the development switch is off', async () => {
    await expect(
      startServer({ clients: [{ id: 'plain', name: 'Plain', tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: 'http://keys.example/jwks.json', grantTypes: ['client_credentials'] }] }),
    ).rejects.toThrow(/jwksUri/);
  });

  it('refuses a client_secret_jwt client without a secret, or with keys, at configuration', async () => {
    await expect(
      startServer({ clients: [{ id: 'hmac', name: 'HMAC', tokenEndpointAuthMethod: 'client_secret_jwt', grantTypes: ['client_credentials'] }] }),
    ).rejects.toThrow(/clients\.0\.secret/);
    await expect(
      startServer({ clients: [{ id: 'hmac', name: 'HMAC', secret: 'hmac-secret-0123456789abcdef', tokenEndpointAuthMethod: 'client_secret_jwt', jwksUri: 'https://keys.example/jwks.json', grantTypes: ['client_credentials'] }] }),
    ).rejects.toThrow(/jwksUri/);
  });
});
