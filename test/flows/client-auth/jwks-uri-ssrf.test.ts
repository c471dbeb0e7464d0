import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectJsonError } from '../../support/flow-helpers.ts';
import { startServer, testConfig, type TestServer } from '../../support/server.ts';
import { expectRegistered, register } from '../registration/helpers.ts';
import { assertion, clientCredentials, clientKey, serveJwks, type ClientKey, type JwksHost } from './support.ts';

/**
 * A jwks_uri chosen by a client that registered itself (RFC 7591) is fetched through the SSRF-guarded fetch, which
 * refuses loopback and private addresses (OWASP SSRF Prevention Cheat Sheet); an operator-made client's jwks_uri is
 * fetched as before. The JWKS host listens on 127.0.0.1: jwksUriAllowLoopbackHttp lets the operator's client use it,
 * while the guard's development switch (clientMetadataDocuments.allowLoopbackHttp) stays off, so 127.0.0.1 stands
 * for any private address.
 */

let server: TestServer;
let host: JwksHost;
let key: ClientKey;
let dynamicId: string;

beforeAll(async () => {
  key = await clientKey('ES256');
  host = await serveJwks([key.publicJwk]);
  const client = (id: string) => ({ id, name: id, tokenEndpointAuthMethod: 'private_key_jwt' as const, jwksUri: host.url, grantTypes: ['client_credentials' as const] });
  server = await startServer({
    clients: [...(testConfig().clients ?? []), client('operator-keys')],
    clientAssertions: { jwksUriAllowLoopbackHttp: true },
    registration: { mode: 'open', grantTypes: ['client_credentials'], perHour: 0 },
  });
  // RFC 7591: the client registers itself, choosing its jwks_uri (the registration's https rule has the same switch).
  const res = await register(server, { client_name: 'Self-registered', grant_types: ['client_credentials'], response_types: [], token_endpoint_auth_method: 'private_key_jwt', jwks_uri: host.url });
  dynamicId = String((await expectRegistered(res))['client_id']);
});

afterAll(async () => {
  await server?.close();
  await host?.close();
});

describe('jwks_uri chosen by a client goes through the SSRF guard', () => {
  it('refuses a dynamically registered client whose jwks_uri is a private address with invalid_client (RFC 6749 §5.2), without fetching it', async () => {
    await expectJsonError(await clientCredentials(server, await assertion(key, dynamicId, server.url)), 401, 'invalid_client');
    expect(host.fetches).toBe(0);
  });

  it('still fetches an operator-made client\'s jwks_uri on the same host', async () => {
    expect((await clientCredentials(server, await assertion(key, 'operator-keys', server.url))).status).toBe(200);
    expect(host.fetches).toBe(1);
  });
});
