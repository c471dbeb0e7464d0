import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/**
 * node-oidc-provider, "the server that nobody here wrote", with what `latchkey token` speaks: the code flow for a
 * native public client (loopback redirect, any port), client_credentials with client_secret_basic/post and
 * private_key_jwt, the device flow (RFC 8628), PAR (RFC 9126), DPoP (RFC 9449), introspection and revocation.
 * Its interaction pages are one form: sign in as alice and approve, or deny.
 */

export const OP_SECRET = 'op-client-secret-0123456789abcdef-xyz';
export const OP_PASSWORD = 'op alice password';

export interface OidcProviderFixture {
  issuer: string;
  /** The private JWK (with kid) registered for the private_key_jwt client `op-jwt`. */
  clientPrivateJwk: JsonWebKey & { kid: string };
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

const FORM = (uid: string) =>
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in</title></head><body>' +
  `<form method="post" action="/interaction/${uid}/login">` +
  '<label>Username <input name="username"></label><label>Password <input type="password" name="password"></label>' +
  '<button type="submit" name="decision" value="allow">Sign in and allow</button>' +
  '<button type="submit" name="decision" value="deny">Deny</button></form></body></html>';

export async function startOidcProvider(): Promise<OidcProviderFixture> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const signing = { ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }), alg: 'ES256', use: 'sig', kid: 'op-1' };
  const clientKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const clientPrivateJwk = { ...clientKey.privateKey.export({ format: 'jwk' }), kid: 'cli-key-1' };
  const clientPublicJwk = { ...clientKey.publicKey.export({ format: 'jwk' }), kid: 'cli-key-1', alg: 'ES256', use: 'sig' };
  const loopback = ['http://127.0.0.1/callback'];
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'op-public',
        token_endpoint_auth_method: 'none',
        application_type: 'native',
        redirect_uris: loopback,
        grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
        response_types: ['code'],
      },
      {
        client_id: 'op-secret',
        client_secret: OP_SECRET,
        application_type: 'native',
        redirect_uris: loopback,
        grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
        response_types: ['code'],
        scope: 'openid profile email offline_access api:read',
      },
      {
        client_id: 'op-post',
        client_secret: OP_SECRET,
        token_endpoint_auth_method: 'client_secret_post',
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        scope: 'api:read',
      },
      {
        client_id: 'op-jwt',
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [clientPublicJwk] },
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        scope: 'api:read',
      },
    ],
    jwks: { keys: [signing] },
    cookies: { keys: ['op-fixture-cookie-key-0123456789'] },
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    scopes: ['openid', 'profile', 'email', 'offline_access', 'api:read'],
    claims: { openid: ['sub'], profile: ['name'], email: ['email'] },
    features: {
      devInteractions: { enabled: false },
      introspection: { enabled: true },
      revocation: { enabled: true },
      clientCredentials: { enabled: true },
      deviceFlow: { enabled: true },
      pushedAuthorizationRequests: { enabled: true },
      dPoP: { enabled: true },
    },
    pkce: { required: () => true },
    // Every grant gets a refresh token, so the cache's refresh path is exercised (not only with offline_access).
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(t: string): boolean }) => client.grantTypeAllowed('refresh_token'),
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    findAccount: async (_ctx: unknown, sub: string) => ({ accountId: sub, claims: async () => ({ sub, name: 'Alice Liddell', email: 'alice@example.com' }) }),
  });
  provider.on('server_error', (_ctx, err) => process.stderr.write(`oidc-provider server_error: ${String(err)}\n`));
  const handler = provider.callback();
  const route = /^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/;
  server.on('request', (req, res) => {
    const m = route.exec(req.url ?? '');
    if (!m) return handler(req, res);
    void (async () => {
      try {
        const details = await provider.interactionDetails(req, res);
        if (!m[2]) {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          return res.end(FORM(details.uid));
        }
        const form = new URLSearchParams(await readBody(req));
        if (form.get('decision') === 'deny') {
          return await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'alice said no' }, { mergeWithLastSubmission: false });
        }
        if (form.get('username') !== 'alice' || form.get('password') !== OP_PASSWORD) {
          res.writeHead(401, { 'content-type': 'text/html; charset=utf-8' });
          return res.end(FORM(details.uid));
        }
        const grant = new provider.Grant({ accountId: 'alice', clientId: String(details.params['client_id']) });
        grant.addOIDCScope(String(details.params['scope'] ?? 'openid'));
        const grantId = await grant.save();
        await provider.interactionFinished(req, res, { login: { accountId: 'alice' }, consent: { grantId } }, { mergeWithLastSubmission: false });
      } catch (err) {
        if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' });
        res.end(`interaction failed: ${String(err)}`);
      }
    })();
  });
  return {
    issuer,
    clientPrivateJwk,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
