import { claimsPatch } from './config/claims-schema.ts';
import { ConfigError } from './config/load.ts';
import { BUILT_IN_SCOPES, type ClientConfig, type Config } from './config/schema.ts';
import { ADMIN_SCOPE } from './core/scope.ts';
import type { Logger } from './core/context.ts';
import { randomId, randomToken, sha256 } from './core/crypto.ts';
import { defaultResponseTypes, type Client } from './core/model.ts';
import { applyClaimsEdit } from './core/oidc/claims-edit.ts';
import { assertionAuthOf } from './core/client-auth/metadata.ts';
import { storedSecret } from './core/client-auth/secret-encryption.ts';
import { oidcMetadataProblems } from './core/oidc/client-metadata.ts';
import { syncDeclaredResources } from './resources-bootstrap.ts';
import { syncDeclaredTrustedIssuers } from './trusted-issuers-bootstrap.ts';
import { hashPassword } from './interaction/passwords.ts';
import type { Repositories, NewClient } from './core/repositories.ts';
import { DEMO_CALLBACK_PATH, DEMO_CLIENT_ID, demoAuthorizationUrl } from './http/page-routes.ts';

/**
 * Turns a client declared in configuration into the stored shape (secret hashed). Given the KEK, a client_secret_jwt
 * client's secret is also stored encrypted (core/client-auth/secret-encryption.ts); without it (checks only) it is not.
 */
export function clientFromConfig(c: ClientConfig, kek?: Buffer): NewClient {
  const method = c.tokenEndpointAuthMethod;
  const hmac = method === 'client_secret_jwt';
  return {
    id: c.id,
    name: c.name,
    type: c.type,
    secretHash: c.secret ? sha256(c.secret) : null,
    ...(hmac ? { tokenEndpointAuthMethod: method } : {}),
    ...(kek === undefined ? {} : { secretEncrypted: c.secret ? storedSecret(c.secret, c.id, method, kek).secretEncrypted : null }),
    redirectUris: c.redirectUris,
    grantTypes: c.grantTypes,
    responseTypes: c.responseTypes ?? defaultResponseTypes(c.grantTypes),
    scopes: c.scopes,
    accessTokenTtl: c.accessTokenTtl ?? null,
    refreshTokenTtl: c.refreshTokenTtl ?? null,
    codeTtl: c.codeTtl ?? null,
    requirePkce: c.requirePkce ?? null,
    introspectAny: c.introspectAny,
    requirePushedAuthorizationRequests: c.requirePushedAuthorizationRequests ?? null,
    requireSignedRequestObject: c.requireSignedRequestObject ?? null,
    dpopBoundAccessTokens: c.dpopBoundAccessTokens,
    // Absent from the file: none (the file is the whole truth for a declared client, as for its other settings).
    tokenExchange: c.tokenExchange ?? null,
    oidc: {
      idTokenSignedResponseAlg: c.idTokenSignedResponseAlg ?? null,
      userinfoSignedResponseAlg: c.userinfoSignedResponseAlg ?? null,
      subjectType: c.subjectType,
      defaultMaxAge: c.defaultMaxAge ?? null,
      requireAuthTime: c.requireAuthTime,
      postLogoutRedirectUris: c.postLogoutRedirectUris,
      backchannelLogoutUri: c.backchannelLogoutUri ?? null,
      backchannelLogoutSessionRequired: c.backchannelLogoutSessionRequired,
    },
    // Validated at load (config/load.ts): set for private_key_jwt clients only.
    assertionAuth: assertionAuthOf({ type: c.type, hasSecret: c.secret !== undefined, method: c.tokenEndpointAuthMethod, signingAlg: c.tokenEndpointAuthSigningAlg, jwks: c.jwks, jwksUri: c.jwksUri }),
  };
}

/**
 * Makes the database match what the configuration declares: scopes, clients and users are created or updated, so a
 * deployment, a test or a demo is reproducible. Entities created by other means are left alone.
 */
export async function syncDeclared(repos: Repositories, config: Config, now: number, kek?: Buffer): Promise<void> {
  for (const scope of config.scopes) await repos.scopes.upsert(scope);
  // A built-in scope missing from the resolved list was removed on purpose ({ "name": ..., "remove": true }).
  const removed = BUILT_IN_SCOPES.map((b) => b.name).filter((name) => !config.scopes.some((s) => s.name === name));
  for (const name of removed) await repos.scopes.delete(name);
  await checkClientScopes(repos, config);
  for (const c of config.clients) {
    const client = clientFromConfig(c, kek);
    const existing = await repos.clients.findById(c.id);
    if (existing) await repos.clients.update(c.id, client, now);
    else await repos.clients.create(client, now);
  }
  await syncDeclaredResources(repos, config, now);
  await syncDeclaredTrustedIssuers(repos, config, now);
  for (const u of config.users) {
    const existing = await repos.users.findByUsername(u.username);
    const passwordHash = await hashPassword(u.password);
    // Declared claims replace the user's (null clears those not declared); undeclared, they stay as edited elsewhere.
    const claims = u.claims && { ...Object.fromEntries(Object.keys(claimsPatch.shape).map((k) => [k, null])), ...u.claims };
    const edit = { name: u.name ?? null, email: u.email ?? null, ...(claims ? { claims } : {}) };
    if (existing) await repos.users.update(existing.id, { ...applyClaimsEdit(existing, edit, now), isAdmin: u.admin, passwordHash });
    else {
      const profile = applyClaimsEdit({ name: null, email: null, claims: {} }, edit, now);
      const { name = null, email = null, claims: created } = profile;
      await repos.users.create({ id: randomId(), username: u.username, passwordHash, name, email, isAdmin: u.admin, ...(created ? { claims: created } : {}) }, now);
    }
  }
}

/**
 * A declared client that lists a scope nobody declared would fail every authorization with invalid_scope: stop
 * start-up instead, naming both. Known: the config file's scopes, those made with the CLI or the console, and admin.
 */
async function checkClientScopes(repos: Pick<Repositories, 'scopes'>, config: Config): Promise<void> {
  const known = new Set([...(await repos.scopes.list()).map((s) => s.name), ADMIN_SCOPE]);
  const problems = config.clients.flatMap((c, i) =>
    c.scopes.filter((s) => !known.has(s)).map((s) => `  clients.${i}.scopes: client "${c.id}" lists the unknown scope "${s}"; declare it under scopes`),
  );
  // OpenID Connect metadata as a whole (pairwise needs one sector host and a salt; logout URIs well formed).
  config.clients.forEach((c, i) => {
    for (const [field, problem] of Object.entries(oidcMetadataProblems(clientFromConfig(c), config.oidc))) problems.push(`  clients.${i}.${field}: ${problem}`);
  });
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
}

export interface DemoCredentials {
  client: Client;
  clientSecret: string;
  username: string;
  password: string;
  authorizationUrl: string;
}

/** First start with no clients: a demo application and user, so a person can try the whole flow at once. */
export async function createDemo(repos: Repositories, config: Config, now: number, logger: Logger): Promise<DemoCredentials | undefined> {
  if (!config.demo || (await repos.clients.count()) > 0 || (await repos.users.list()).length > 0) return undefined;
  const clientSecret = randomToken('clientSecret');
  const password = randomId(12);
  const redirectUri = config.issuer + DEMO_CALLBACK_PATH;
  const client = await repos.clients.create(
    {
      id: DEMO_CLIENT_ID,
      name: 'Demo Application',
      type: 'confidential',
      secretHash: sha256(clientSecret),
      redirectUris: [redirectUri],
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
      responseTypes: ['code'],
      scopes: [],
      accessTokenTtl: null,
      refreshTokenTtl: null,
      codeTtl: null,
      // The walkthrough exchanges the code with curl; PKCE stays on for every other client.
      requirePkce: false,
      introspectAny: false,
    },
    now,
  );
  await repos.users.create(
    { id: randomId(), username: 'demo', passwordHash: await hashPassword(password), name: 'Demo User', email: 'demo@example.com', isAdmin: true },
    now,
  );
  logger.info({ event: 'demo_created', clientId: client.id }, 'created the demo application and user');
  return { client, clientSecret, username: 'demo', password, authorizationUrl: demoAuthorizationUrl(config) };
}
