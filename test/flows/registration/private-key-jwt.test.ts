import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../../support/server.ts';
import { clientKey, type ClientKey } from '../client-auth/support.ts';
import { expectRegistered, expectRegistrationError, manage, register, type Json } from './helpers.ts';

/**
 * RFC 7591 §2 token_endpoint_auth_method private_key_jwt (RFC 7523 §2.2) with the OpenID Connect Registration 1.0 §2
 * members jwks, jwks_uri and token_endpoint_auth_signing_alg: a client registers its public key, gets no secret, and
 * authenticates with signed assertions (oauth4webapi's PrivateKeyJwt).
 */

const insecure = { [oauth.allowInsecureRequests]: true } as const;
let server: TestServer;
let key: ClientKey;

beforeAll(async () => {
  key = await clientKey('ES256');
  server = await startServer({ registration: { mode: 'open', grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'], perHour: 0 } });
});
afterAll(async () => {
  await server?.close();
});

const keyed = (extra: Json = {}): Json => ({ client_name: 'Keyed', grant_types: ['client_credentials'], response_types: [], token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [key.publicJwk] }, ...extra });

describe('registering a private_key_jwt client (RFC 7591 §2, RFC 7523 §2.2)', () => {
  it('registers with jwks and token_endpoint_auth_signing_alg, issues no secret, and the client gets a token with PrivateKeyJwt', async () => {
    const issuer = new URL(server.url);
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
    const res = await oauth.dynamicClientRegistrationRequest(as, keyed({ token_endpoint_auth_signing_alg: 'ES256' }) as Partial<oauth.Client>, insecure);
    const registered = await oauth.processDynamicClientRegistrationResponse(res);
    expect(registered).not.toHaveProperty('client_secret');
    expect(registered).not.toHaveProperty('client_secret_expires_at');
    expect(registered).toMatchObject({ token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256', jwks: { keys: [key.publicJwk] } });
    expect(registered).not.toHaveProperty('jwks_uri');

    const c: oauth.Client = { client_id: registered.client_id, token_endpoint_auth_signing_alg: 'ES256' };
    const tokenRes = await oauth.clientCredentialsGrantRequest(as, c, oauth.PrivateKeyJwt({ key: key.privateKey, kid: key.kid }), new URLSearchParams(), insecure);
    const tokens = await oauth.processClientCredentialsResponse(as, c, tokenRes);
    expect(tokens.access_token).toEqual(expect.any(String));

    // RFC 7592 §2.1: the read answers the same members.
    const read = (await (await manage(String(registered['registration_client_uri']), 'GET', String(registered['registration_access_token']))).json()) as Json;
    expect(read).toMatchObject({ token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256', jwks: { keys: [key.publicJwk] } });
  });

  it('registers with a jwks_uri and answers it back', async () => {
    const body = await expectRegistered(await register(server, keyed({ jwks: undefined, jwks_uri: 'https://keys.example/jwks.json' })));
    expect(body).toMatchObject({ token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'https://keys.example/jwks.json' });
    expect(body).not.toHaveProperty('jwks');
    expect(body).not.toHaveProperty('client_secret');
  });

  it('refuses private_key_jwt without keys, with both jwks and jwks_uri, with a private key, with an http jwks_uri, or with HS256, with invalid_client_metadata naming the member (RFC 7591 §3.2.2)', async () => {
    await expectRegistrationError(await register(server, keyed({ jwks: undefined })), 400, 'invalid_client_metadata', 'jwks');
    await expectRegistrationError(await register(server, keyed({ jwks_uri: 'https://keys.example/jwks.json' })), 400, 'invalid_client_metadata', 'jwks');
    await expectRegistrationError(await register(server, keyed({ jwks: { keys: [{ ...key.publicJwk, d: 'AAAA' }] } })), 400, 'invalid_client_metadata', 'jwks');
    await expectRegistrationError(await register(server, keyed({ jwks: undefined, jwks_uri: 'http://keys.example/jwks.json' })), 400, 'invalid_client_metadata', 'jwks_uri');
    await expectRegistrationError(await register(server, keyed({ token_endpoint_auth_signing_alg: 'HS256' })), 400, 'invalid_client_metadata', 'token_endpoint_auth_signing_alg');
  });

  it('refuses keys with a secret method, and client_secret_jwt, with invalid_client_metadata', async () => {
    await expectRegistrationError(await register(server, keyed({ token_endpoint_auth_method: 'client_secret_basic' })), 400, 'invalid_client_metadata', 'jwks');
    await expectRegistrationError(await register(server, keyed({ token_endpoint_auth_method: 'client_secret_jwt' })), 400, 'invalid_client_metadata', 'token_endpoint_auth_method');
  });
});
