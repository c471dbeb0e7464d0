import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { hash, verify } from '@node-rs/argon2';
import Provider, { type Adapter, type AdapterPayload } from 'oidc-provider';
import { announce, BENCH, idTokenAlgOf, loginFormHtml, onStop, readBody } from '../common.ts';
import { freePort } from './free-port.ts';

/**
 * node-oidc-provider, set up to be as fast as it can be while doing the same job as Latchkey:
 * - an in-memory adapter on plain Maps (no eviction, O(1) grant index), so storage costs next to nothing;
 * - opaque access tokens (no resource indicators), refresh tokens issued to the client and rotated on every use,
 *   tokens that do not expire with the login session (as Latchkey's), PKCE S256 required;
 * - a host route that completes login and consent in one step, after checking the password with the same argon2id
 *   parameters as Latchkey (19 MiB, t=2, p=1), so a fresh login costs the same hashing work on both;
 * - ID tokens signed with the same algorithm as Latchkey's (BENCH_ID_TOKEN_ALG, RS256 by default, the OpenID Connect
 *   default), so the ID-token comparison is like for like: oidc-provider signs one at every code exchange and refresh
 *   of an `openid` grant, as Latchkey does. Its userinfo needs the openid scope, so its auth_code flow is an OpenID
 *   Connect one too (BENCH.opaqueScope is not possible here).
 */

type Entry = { payload: AdapterPayload; expiresAt: number };
const store = new Map<string, Entry>();
const byUid = new Map<string, string>();
const byUserCode = new Map<string, string>();
const byGrant = new Map<string, Set<string>>();

class MapAdapter implements Adapter {
  readonly model: string;
  constructor(model: string) {
    this.model = model;
  }
  private key(id: string) {
    return `${this.model}:${id}`;
  }
  async upsert(id: string, payload: AdapterPayload, expiresIn?: number) {
    const key = this.key(id);
    store.set(key, { payload, expiresAt: typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Infinity });
    if (this.model === 'Session' && payload.uid) byUid.set(payload.uid, id);
    if (payload.userCode) byUserCode.set(payload.userCode, id);
    if (payload.grantId) {
      let members = byGrant.get(payload.grantId);
      if (!members) byGrant.set(payload.grantId, (members = new Set()));
      members.add(key);
    }
  }
  async find(id: string) {
    const entry = store.get(this.key(id));
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      store.delete(this.key(id));
      return undefined;
    }
    return entry.payload;
  }
  async findByUid(uid: string) {
    const id = byUid.get(uid);
    return id === undefined ? undefined : this.find(id);
  }
  async findByUserCode(userCode: string) {
    const id = byUserCode.get(userCode);
    return id === undefined ? undefined : this.find(id);
  }
  async consume(id: string) {
    const entry = store.get(this.key(id));
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id: string) {
    store.delete(this.key(id));
  }
  async revokeByGrantId(grantId: string) {
    for (const key of byGrant.get(grantId) ?? []) store.delete(key);
    byGrant.delete(grantId);
  }
}

const { version } = JSON.parse(readFileSync(new URL('../../node_modules/oidc-provider/package.json', import.meta.url), 'utf8')) as { version: string };
const port = await freePort();
const issuer = `http://127.0.0.1:${port}`;
const idTokenAlg = idTokenAlgOf(process.env);
const keyPair =
  idTokenAlg === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 })
  : idTokenAlg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
  : generateKeyPairSync('ed25519');
const signingKey = { ...keyPair.privateKey.export({ format: 'jwk' }), alg: idTokenAlg, use: 'sig', kid: 'bench' };
const accountId = 'alice-0001';
const passwordHash = await hash(BENCH.password, { algorithm: 2 });

const provider = new Provider(issuer, {
  adapter: MapAdapter,
  clients: [
    {
      client_id: BENCH.clientId,
      client_secret: BENCH.clientSecret,
      redirect_uris: [BENCH.redirectUri],
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: idTokenAlg,
      scope: `${BENCH.userScope} ${BENCH.clientScope}`,
    },
  ],
  jwks: { keys: [signingKey] },
  cookies: { keys: ['bench-cookie-key-0123456789abcdef'] },
  scopes: ['openid', 'profile', 'email', BENCH.clientScope],
  claims: { openid: ['sub'], profile: ['name', 'preferred_username'], email: ['email'] },
  features: {
    devInteractions: { enabled: false },
    introspection: { enabled: true },
    clientCredentials: { enabled: true },
    revocation: { enabled: true },
    // client_credentials_jwt: the like-for-like peer of Latchkey's JWT resource (RFC 8707, RFC 9068); requests
    // without `resource` still get opaque tokens (no default resource).
    resourceIndicators: {
      enabled: true,
      defaultResource: async () => undefined,
      useGrantedResource: async () => false,
      getResourceServerInfo: async (_ctx: unknown, resource: string) => {
        if (resource !== BENCH.jwtResource) throw new Error('unknown resource');
        // Signed with its one key, of BENCH_ID_TOKEN_ALG: Latchkey's JWT access tokens default to the same algorithm.
        return { scope: BENCH.clientScope, audience: resource, accessTokenTTL: BENCH.accessTokenTtl, accessTokenFormat: 'jwt', jwt: { sign: { alg: idTokenAlg } } };
      },
    },
  },
  pkce: { required: () => true },
  rotateRefreshToken: true,
  issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(t: string): boolean }) => client.grantTypeAllowed('refresh_token'),
  expiresWithSession: async () => false,
  ttl: {
    AccessToken: BENCH.accessTokenTtl,
    ClientCredentials: BENCH.accessTokenTtl,
    AuthorizationCode: BENCH.codeTtl,
    RefreshToken: BENCH.refreshTokenTtl,
    IdToken: BENCH.accessTokenTtl,
    Interaction: 600,
    Session: 24 * 3600,
    Grant: BENCH.refreshTokenTtl,
  },
  findAccount: async (_ctx: unknown, sub: string) =>
    sub === accountId
      ? { accountId: sub, claims: async () => ({ sub, name: BENCH.userName, preferred_username: BENCH.username, email: BENCH.email }) }
      : undefined,
});
// Errors the workloads provoke on purpose must not be printed for every request.
provider.on('server_error', (_ctx, err) => process.stderr.write(`oidc-provider server_error: ${String(err)}\n`));

const handler = provider.callback();
const interaction = /^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/;

const server = createServer((req, res) => {
  const m = interaction.exec(req.url ?? '');
  if (!m) return handler(req, res);
  void (async () => {
    try {
      const details = await provider.interactionDetails(req, res);
      if (!m[2]) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        return res.end(loginFormHtml(`/interaction/${details.uid}/login`, {}));
      }
      if (req.method !== 'POST') throw new Error('method');
      const form = new URLSearchParams(await readBody(req));
      if (form.get('username') !== BENCH.username || !(await verify(passwordHash, form.get('password') ?? ''))) {
        res.writeHead(401, { 'content-type': 'text/html; charset=utf-8' });
        return res.end(loginFormHtml(`/interaction/${details.uid}/login`, {}));
      }
      // Login and consent in one step: the grant covers the requested scopes.
      const grant = new provider.Grant({ accountId, clientId: String(details.params['client_id']) });
      grant.addOIDCScope(String(details.params['scope'] ?? ''));
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { login: { accountId }, consent: { grantId } }, { mergeWithLastSubmission: false });
    } catch {
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('interaction failed');
    }
  })();
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => {
  announce({
    port,
    version,
    endpoints: { token: '/token', introspection: '/token/introspection', authorization: '/auth', resource: '/me', openidConfiguration: '/.well-known/openid-configuration', jwtAccessTokens: true },
    notes: ['in-memory Map adapter', `opaque tokens (${idTokenAlg} JWTs for the JWT resource)`, 'refresh rotation on', `${idTokenAlg} ID tokens`, 'login+consent host route (argon2id)'],
  });
});
onStop(
  () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
);
