import { exportJWK, generateKeyPair } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, testConfig, type TestServer } from '../../support/server.ts';
import { alice, authorizeGet, codeRequest, expectErrorPage, insecure, WEB_REDIRECT } from './par-setup.ts';
import { authorizeAsUser } from '../../support/user-agent.ts';

/**
 * Request objects (RFC 9101 §6.1) verified against the keys the client registered for private_key_jwt (its `jwks`),
 * with no test key source: the server's own wiring. The same client also authenticates with its key.
 */

let server: TestServer;
let as: oauth.AuthorizationServer;
let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
const client: oauth.Client = { client_id: 'keyed-app' };

beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  privateKey = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  server = await startServer({
    clients: [
      ...(testConfig().clients ?? []),
      { id: 'keyed-app', name: 'Keyed App', tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [jwk] }, redirectUris: [WEB_REDIRECT], requireSignedRequestObject: true },
    ],
  });
  const issuer = new URL(server.url);
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
});
afterAll(async () => {
  await server?.close();
});

describe('request objects against the client\'s registered keys (RFC 9101 §6.1)', () => {
  it('completes a signed, pushed code flow: private_key_jwt at the PAR and token endpoints, the request object verified by the registered jwks', async () => {
    const { params, verifier, state } = await codeRequest('keyed-app', WEB_REDIRECT);
    const request = await oauth.issueRequestObject(as, client, params, { key: privateKey, kid: 'k1' });
    const auth = oauth.PrivateKeyJwt({ key: privateKey, kid: 'k1' });
    const pushed = await oauth.processPushedAuthorizationResponse(as, client, await oauth.pushedAuthorizationRequest(as, client, auth, new URLSearchParams({ request }), insecure));
    const out = await authorizeAsUser(server, authorizeGet.url(server, { client_id: 'keyed-app', request_uri: pushed.request_uri }), alice);
    const callback = oauth.validateAuthResponse(as, client, out.location as URL, state);
    const res = await oauth.authorizationCodeGrantRequest(as, client, auth, callback, WEB_REDIRECT, verifier, insecure);
    expect((await oauth.processAuthorizationCodeResponse(as, client, res, { expectedNonce: oauth.expectNoNonce })).access_token).toBeTruthy();
  });

  it('refuses a request object of a client that registered no keys with invalid_request_object', async () => {
    const { params } = await codeRequest('web-app', WEB_REDIRECT);
    const request = await oauth.issueRequestObject(as, { client_id: 'web-app' }, params, { key: privateKey, kid: 'k1' });
    await expectErrorPage(await authorizeGet(server, { client_id: 'web-app', request }), 'invalid_request_object');
  });
});
