import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { OIDC_CLIENT_DEFAULTS, type AuthorizationCode } from '../../src/core/model.ts';
import type { Storage } from '../../src/storage/index.ts';
import type { NewClient, NewToken, Repositories } from '../../src/core/repositories.ts';
import { backends } from '../support/storage-backends.ts';
import type { SigningKey } from '../../src/core/keys/port.ts';
import { ensureKeys } from '../../src/core/keys/rotation.ts';
import type { PushedRequest } from '../../src/core/authorize/par-port.ts';

/**
 * One suite, run on every storage backend (DESIGN.md "Storage"): SQLite, and PostgreSQL on the suite's throwaway
 * server (test/support/storage-backends.ts).
 */
const NOW = 1_800_000_000;

const client = (over: Partial<NewClient> = {}): NewClient => ({
  id: 'web-app',
  name: 'Web App',
  type: 'confidential',
  secretHash: 'hash-of-secret',
  redirectUris: ['https://client.example/callback', 'http://127.0.0.1/cb'],
  grantTypes: ['authorization_code', 'refresh_token'],
  responseTypes: ['code'],
  scopes: ['openid', 'profile'],
  accessTokenTtl: null,
  refreshTokenTtl: null,
  codeTtl: null,
  requirePkce: null,
  introspectAny: false,
  oidc: OIDC_CLIENT_DEFAULTS,
  ...over,
});

const code = (over: Partial<AuthorizationCode> = {}): Omit<AuthorizationCode, 'consumedAt'> => ({
  hash: 'code-hash',
  grantId: 'grant-1',
  clientId: 'web-app',
  userId: 'user-1',
  redirectUri: 'https://client.example/callback',
  redirectUriProvided: true,
  scope: ['openid', 'profile'],
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  codeChallengeMethod: 'S256',
  authTime: NOW - 10,
  expiresAt: NOW + 60,
  nonce: null,
  ...over,
});

const signingKey = (over: Partial<SigningKey> = {}): SigningKey => ({
  kid: 'kid-1',
  alg: 'ES256',
  publicJwk: { kty: 'EC', kid: 'kid-1', use: 'sig', alg: 'ES256', crv: 'P-256', x: 'x-coordinate', y: 'y-coordinate' },
  encryptedPrivateKey: 'v1.iv.ciphertext.tag',
  createdAt: NOW,
  activatesAt: NOW,
  retiredAt: null,
  expiresAt: null,
  ...over,
});

const token = (over: Partial<NewToken> = {}): NewToken => ({
  hash: 'token-hash',
  type: 'access_token',
  grantId: 'grant-1',
  clientId: 'web-app',
  userId: 'user-1',
  scope: ['openid'],
  issuedAt: NOW,
  expiresAt: NOW + 3600,
  ...over,
});

describe.each(backends)('repositories on $name', (backend) => {
  let storage: Storage;
  let repos: Repositories;
  let dispose: () => Promise<void>;
  let peer: () => Promise<Storage>;

  beforeEach(async () => {
    const opened = await backend.open();
    storage = opened.storage;
    repos = storage.repos;
    dispose = opened.dispose;
    peer = opened.peer;
  });

  afterEach(async () => {
    await dispose();
  });

  describe('migrations', () => {
    it('are idempotent: a second run applies nothing', async () => {
      expect(await storage.migrate()).toEqual([]);
    });
  });

  describe('clients', () => {
    it('round-trips a client, with its JSON list columns and nulls', async () => {
      const created = await repos.clients.create(client(), NOW);
      expect(created).toEqual({ ...client(), createdAt: NOW, updatedAt: NOW });
      expect(await repos.clients.findById('web-app')).toEqual(created);
    });

    it('round-trips dpopBoundAccessTokens (migration 023, RFC 9449 §5.2), set and cleared by update', async () => {
      await repos.clients.create(client({ dpopBoundAccessTokens: true }), NOW);
      expect((await repos.clients.findById('web-app'))?.dpopBoundAccessTokens).toBe(true);
      await repos.clients.update('web-app', { dpopBoundAccessTokens: false }, NOW + 1);
      expect((await repos.clients.findById('web-app'))?.dpopBoundAccessTokens).toBeUndefined();
    });

    it('round-trips a token exchange policy (migration 025, RFC 8693 §5), set, replaced and cleared by update; none reads as absent', async () => {
      const policy = { subjectTokenTypes: ['access_token' as const, 'jwt' as const], resources: ['https://api.example/'], scopes: ['read'], impersonation: true, delegation: false, otherClientsTokens: true, refreshTokens: false };
      await repos.clients.create(client({ tokenExchange: policy }), NOW);
      expect((await repos.clients.findById('web-app'))?.tokenExchange).toEqual(policy);
      await repos.clients.update('web-app', { tokenExchange: { ...policy, delegation: true, resources: [] } }, NOW + 1);
      expect((await repos.clients.findById('web-app'))?.tokenExchange).toEqual({ ...policy, delegation: true, resources: [] });
      // An update that does not name it leaves it as it was.
      await repos.clients.update('web-app', { name: 'Renamed' }, NOW + 2);
      expect((await repos.clients.findById('web-app'))?.tokenExchange).toEqual({ ...policy, delegation: true, resources: [] });
      await repos.clients.update('web-app', { tokenExchange: null }, NOW + 3);
      expect((await repos.clients.findById('web-app'))?.tokenExchange).toBeUndefined();
      await repos.clients.create(client({ id: 'plain' }), NOW);
      expect((await repos.clients.findById('plain'))?.tokenExchange).toBeUndefined();
    });

    it('round-trips the OpenID Connect client metadata (migration 012), and a client created without it reads as the defaults', async () => {
      const oidc = {
        idTokenSignedResponseAlg: 'EdDSA' as const,
        userinfoSignedResponseAlg: 'ES256' as const,
        subjectType: 'pairwise' as const,
        defaultMaxAge: 600,
        requireAuthTime: true,
        postLogoutRedirectUris: ['https://client.example/bye', 'https://client.example/bye?x="1"'],
        backchannelLogoutUri: 'https://client.example/backchannel',
        backchannelLogoutSessionRequired: true,
      };
      await repos.clients.create(client({ id: 'rp', oidc }), NOW);
      expect((await repos.clients.findById('rp'))?.oidc).toEqual(oidc);
      const { oidc: _none, ...plain } = client({ id: 'plain' });
      expect((await repos.clients.create(plain, NOW)).oidc).toEqual(OIDC_CLIENT_DEFAULTS);
      expect((await repos.clients.findById('plain'))?.oidc).toEqual(OIDC_CLIENT_DEFAULTS);
      const updated = await repos.clients.update('rp', { oidc: { ...oidc, backchannelLogoutUri: null, defaultMaxAge: null } }, NOW + 1);
      expect(updated?.oidc).toMatchObject({ backchannelLogoutUri: null, defaultMaxAge: null, subjectType: 'pairwise' });
    });

    it("round-trips a refresh token lifetime of 'never', a number and null", async () => {
      await repos.clients.create(client({ id: 'never', refreshTokenTtl: 'never' }), NOW);
      await repos.clients.create(client({ id: 'finite', refreshTokenTtl: 86_400, accessTokenTtl: 300, codeTtl: 30 }), NOW);
      await repos.clients.create(client({ id: 'default' }), NOW);
      expect((await repos.clients.findById('never'))?.refreshTokenTtl).toBe('never');
      const finite = await repos.clients.findById('finite');
      expect(finite?.refreshTokenTtl).toBe(86_400);
      expect(finite?.accessTokenTtl).toBe(300);
      expect(finite?.codeTtl).toBe(30);
      expect((await repos.clients.findById('default'))?.refreshTokenTtl).toBeNull();
    });

    it('round-trips requirePkce true, false and null, and a public client without a secret', async () => {
      await repos.clients.create(client({ id: 'a', requirePkce: true }), NOW);
      await repos.clients.create(client({ id: 'b', requirePkce: false }), NOW);
      await repos.clients.create(client({ id: 'spa', type: 'public', secretHash: null }), NOW);
      expect((await repos.clients.findById('a'))?.requirePkce).toBe(true);
      expect((await repos.clients.findById('b'))?.requirePkce).toBe(false);
      const spa = await repos.clients.findById('spa');
      expect(spa?.requirePkce).toBeNull();
      expect(spa?.type).toBe('public');
      expect(spa?.secretHash).toBeNull();
    });

    it('round-trips empty lists and list values that need JSON escaping', async () => {
      await repos.clients.create(client({ redirectUris: ['https://c.example/cb?a="b"&c=\\d'], scopes: [] }), NOW);
      const found = await repos.clients.findById('web-app');
      expect(found?.redirectUris).toEqual(['https://c.example/cb?a="b"&c=\\d']);
      expect(found?.scopes).toEqual([]);
    });

    it('round-trips a previous secret with its expiry, and clears it given null (rotation with grace)', async () => {
      await repos.clients.create(client(), NOW);
      const rotated = await repos.clients.update('web-app', { secretHash: 'new-hash', previousSecret: { hash: 'hash-of-secret', expiresAt: NOW + 3600 } }, NOW);
      expect(rotated?.previousSecret).toEqual({ hash: 'hash-of-secret', expiresAt: NOW + 3600 });
      expect((await repos.clients.findById('web-app'))?.previousSecret).toEqual({ hash: 'hash-of-secret', expiresAt: NOW + 3600 });
      await repos.clients.update('web-app', { previousSecret: null }, NOW);
      const cleared = await repos.clients.findById('web-app');
      expect(cleared?.previousSecret).toBeUndefined();
      expect(cleared?.secretHash).toBe('new-hash');
    });

    it('returns undefined for an unknown client id', async () => {
      expect(await repos.clients.findById('nobody')).toBeUndefined();
    });

    it('refuses a second client with the same id', async () => {
      await repos.clients.create(client(), NOW);
      await expect(repos.clients.create(client({ name: 'Other' }), NOW)).rejects.toThrow();
      expect((await repos.clients.findById('web-app'))?.name).toBe('Web App');
    });

    it('updates only the given fields and bumps updatedAt', async () => {
      await repos.clients.create(client(), NOW);
      const updated = await repos.clients.update('web-app', { name: 'Renamed', redirectUris: ['https://new.example/cb'], refreshTokenTtl: 'never' }, NOW + 5);
      expect(updated).toEqual({
        ...client(),
        name: 'Renamed',
        redirectUris: ['https://new.example/cb'],
        refreshTokenTtl: 'never',
        createdAt: NOW,
        updatedAt: NOW + 5,
      });
      expect(await repos.clients.findById('web-app')).toEqual(updated);
    });

    it('updates a nullable field back to null', async () => {
      await repos.clients.create(client({ accessTokenTtl: 300, requirePkce: false }), NOW);
      const updated = await repos.clients.update('web-app', { accessTokenTtl: null, requirePkce: null }, NOW + 1);
      expect(updated?.accessTokenTtl).toBeNull();
      expect(updated?.requirePkce).toBeNull();
    });

    it('returns undefined when updating an unknown client', async () => {
      expect(await repos.clients.update('nobody', { name: 'x' }, NOW)).toBeUndefined();
    });

    it('lists clients in creation order and counts them', async () => {
      expect(await repos.clients.count()).toBe(0);
      await repos.clients.create(client({ id: 'b' }), NOW);
      await repos.clients.create(client({ id: 'a' }), NOW + 1);
      expect((await repos.clients.list()).map((c) => c.id)).toEqual(['b', 'a']);
      expect(await repos.clients.count()).toBe(2);
    });

    it('keeps a metadata-document client\'s origin and document state, and counts clients by origin (migrations 018, 019)', async () => {
      const url = 'https://app.example/client.json';
      const state = { fetchedAt: NOW, expiresAt: NOW + 300, logoUri: 'https://app.example/logo.png', clientUri: null };
      const created = await repos.clients.create(client({ id: url, type: 'public', secretHash: null, origin: 'metadata-document', metadataDocument: state }), NOW);
      expect(created.origin).toBe('metadata-document');
      expect(await repos.clients.findById(url)).toEqual(created);
      await repos.clients.create(client(), NOW);
      expect((await repos.clients.findById('web-app'))?.origin).toBeUndefined();
      expect(await repos.clients.countByOrigin('metadata-document')).toBe(1);
      // Disabled as any client (the one disabledAt), with its document due again at once (as enabling it does).
      const disabled = await repos.clients.update(url, { disabledAt: NOW + 9, metadataDocument: { ...state, expiresAt: NOW + 9 } }, NOW + 9);
      expect({ disabledAt: disabled?.disabledAt, origin: disabled?.origin }).toEqual({ disabledAt: NOW + 9, origin: 'metadata-document' });
      expect((await repos.clients.findById(url, { fresh: true }))?.metadataDocument).toEqual({ ...state, expiresAt: NOW + 9 });
    });

    it('deletes a client once', async () => {
      await repos.clients.create(client(), NOW);
      expect(await repos.clients.delete('web-app', NOW)).toBe(0);
      expect(await repos.clients.delete('web-app', NOW)).toBeUndefined();
      expect(await repos.clients.findById('web-app')).toBeUndefined();
    });
  });

  describe('users', () => {
    const user = { id: 'user-1', username: 'alice', passwordHash: '$argon2id$x', name: 'Alice', email: 'alice@example.com', isAdmin: false };

    it('round-trips a user and finds it by id and by username', async () => {
      const created = await repos.users.create(user, NOW);
      expect(created).toEqual({ ...user, claims: {}, createdAt: NOW, updatedAt: NOW, disabledAt: null });
      expect(await repos.users.findById('user-1')).toEqual(created);
      expect(await repos.users.findByUsername('alice')).toEqual(created);
    });

    it('refuses a second user with the same username', async () => {
      await repos.users.create(user, NOW);
      await expect(repos.users.create({ ...user, id: 'user-2' }, NOW)).rejects.toThrow();
      expect((await repos.users.list()).map((u) => u.id)).toEqual(['user-1']);
    });

    it('matches usernames exactly', async () => {
      await repos.users.create(user, NOW);
      expect(await repos.users.findByUsername('alice ')).toBeUndefined();
      expect(await repos.users.findByUsername('alic%')).toBeUndefined();
    });

    it('updates the password, profile and admin flag; an empty patch changes nothing', async () => {
      await repos.users.create(user, NOW);
      expect(await repos.users.update('user-1', {})).toEqual({ ...user, claims: {}, createdAt: NOW, updatedAt: NOW, disabledAt: null });
      const updated = await repos.users.update('user-1', { passwordHash: '$argon2id$y', name: null, isAdmin: true });
      expect(updated).toEqual({ ...user, passwordHash: '$argon2id$y', name: null, isAdmin: true, claims: {}, createdAt: NOW, updatedAt: NOW, disabledAt: null });
    });

    it('round-trips the standard claims of OpenID Connect Core §5.1: strings, booleans and the address object', async () => {
      const claims = {
        given_name: 'Ãlice', family_name: "O'Hara \"Q\"", middle_name: 'M', nickname: 'al', gender: 'female',
        profile: 'https://example.com/alice', picture: 'https://example.com/a.png', website: 'http://alice.example',
        birthdate: '0000-02-29', zoneinfo: 'Europe/Paris', locale: 'fr-CA', phone_number: '+33612345678',
        email_verified: true, phone_number_verified: false,
        address: { formatted: '1 rue X\n75001 Paris', street_address: '1 rue X', locality: 'Paris', postal_code: '75001', country: 'FR' },
      };
      const created = await repos.users.create({ ...user, claims }, NOW);
      expect(created.claims).toEqual(claims);
      expect((await repos.users.findById('user-1'))?.claims).toEqual(claims);
      expect((await repos.users.list())[0]?.claims).toEqual(claims);
    });

    it('replaces the claims and sets updated_at when told, leaving both alone otherwise (Core §5.1 updated_at)', async () => {
      await repos.users.create({ ...user, claims: { nickname: 'al', email_verified: true } }, NOW);
      const renamed = await repos.users.update('user-1', { claims: { given_name: 'Alice' }, updatedAt: NOW + 60 });
      expect(renamed).toMatchObject({ claims: { given_name: 'Alice' }, updatedAt: NOW + 60 });
      const admin = await repos.users.update('user-1', { isAdmin: true });
      expect(admin).toMatchObject({ claims: { given_name: 'Alice' }, updatedAt: NOW + 60 });
      expect(await repos.users.findById('user-1')).toMatchObject({ claims: { given_name: 'Alice' }, updatedAt: NOW + 60 });
    });

    it('returns undefined when updating or finding an unknown user', async () => {
      expect(await repos.users.update('nobody', { name: 'x' })).toBeUndefined();
      expect(await repos.users.findById('nobody')).toBeUndefined();
      expect(await repos.users.findByUsername('nobody')).toBeUndefined();
    });

    it('lists users by username and deletes one once', async () => {
      await repos.users.create({ ...user, id: 'u2', username: 'bob' }, NOW);
      await repos.users.create(user, NOW);
      expect((await repos.users.list()).map((u) => u.username)).toEqual(['alice', 'bob']);
      expect(await repos.users.delete('u2', NOW)).toBe(0);
      expect(await repos.users.delete('u2', NOW)).toBeUndefined();
    });
  });

  describe('scopes', () => {
    it('inserts a scope and replaces its description and claims on a second upsert', async () => {
      await repos.scopes.upsert({ name: 'profile', description: 'Old', claims: ['name'] });
      await repos.scopes.upsert({ name: 'profile', description: 'See your profile', claims: ['name', 'preferred_username'] });
      expect(await repos.scopes.list()).toEqual([{ name: 'profile', description: 'See your profile', claims: ['name', 'preferred_username'] }]);
    });

    it('finds only the named scopes, and nothing for an empty list', async () => {
      await repos.scopes.upsert({ name: 'openid', description: 'Who you are', claims: [] });
      await repos.scopes.upsert({ name: 'email', description: 'Email', claims: ['email'] });
      expect((await repos.scopes.findMany(['email', 'unknown'])).map((s) => s.name)).toEqual(['email']);
      expect(await repos.scopes.findMany([])).toEqual([]);
    });

    it('deletes a scope once', async () => {
      await repos.scopes.upsert({ name: 'openid', description: 'x', claims: [] });
      expect(await repos.scopes.delete('openid')).toBe(true);
      expect(await repos.scopes.delete('openid')).toBe(false);
      expect(await repos.scopes.list()).toEqual([]);
    });
  });

  describe('resources (migration 017)', () => {
    const resource = { id: 'https://api.example/', name: 'Example API', scopes: ['read', 'write'], accessTokenFormat: 'jwt' as const, accessTokenTtl: 300, introspectionClientId: 'api-introspector', dpopBoundAccessTokensRequired: false };

    it('round-trips a resource with its scope list, format, lifetime and introspection client', async () => {
      expect(await repos.resources.create(resource, NOW)).toEqual({ ...resource, createdAt: NOW, updatedAt: NOW });
      expect(await repos.resources.findById('https://api.example/')).toEqual({ ...resource, createdAt: NOW, updatedAt: NOW });
      expect(await repos.resources.findById('https://api.example')).toBeUndefined();
    });

    it('keeps whether a resource requires DPoP-bound access tokens, and changes it alone (migration 028, RFC 9449 §7.2)', async () => {
      expect(await repos.resources.create({ ...resource, dpopBoundAccessTokensRequired: true }, NOW)).toMatchObject({ dpopBoundAccessTokensRequired: true });
      expect((await repos.resources.findById('https://api.example/'))?.dpopBoundAccessTokensRequired).toBe(true);
      const off = await repos.resources.update('https://api.example/', { dpopBoundAccessTokensRequired: false }, NOW + 1);
      expect(off).toEqual({ ...resource, dpopBoundAccessTokensRequired: false, createdAt: NOW, updatedAt: NOW + 1 });
      await repos.resources.update('https://api.example/', { dpopBoundAccessTokensRequired: true }, NOW + 2);
      expect((await repos.resources.list()).map((r) => r.dpopBoundAccessTokensRequired)).toEqual([true]);
      // Another field's change leaves it as it was.
      expect((await repos.resources.update('https://api.example/', { name: 'Renamed' }, NOW + 3))?.dpopBoundAccessTokensRequired).toBe(true);
    });

    it('reads a resource written before migration 028 (a null column) as not requiring DPoP', async () => {
      await storage.db
        .insertInto('resources')
        .values({ id: 'https://old.example/', name: 'Old', scopes: '[]', access_token_format: 'opaque', access_token_ttl: null, introspection_client_id: null, dpop_bound_access_tokens_required: null, created_at: NOW, updated_at: NOW })
        .execute();
      expect((await repos.resources.findById('https://old.example/'))?.dpopBoundAccessTokensRequired).toBe(false);
    });

    it('refuses a second resource with the same identifier', async () => {
      await repos.resources.create(resource, NOW);
      await expect(repos.resources.create(resource, NOW)).rejects.toThrow();
    });

    it('updates only the given fields, back to null where told, and bumps updatedAt; undefined for an unknown one', async () => {
      await repos.resources.create(resource, NOW);
      const updated = await repos.resources.update('https://api.example/', { name: 'Renamed', accessTokenTtl: null, introspectionClientId: null }, NOW + 5);
      expect(updated).toEqual({ ...resource, name: 'Renamed', accessTokenTtl: null, introspectionClientId: null, createdAt: NOW, updatedAt: NOW + 5 });
      expect(await repos.resources.update('https://other.example/', { name: 'x' }, NOW)).toBeUndefined();
    });

    it('lists resources in creation order', async () => {
      await repos.resources.create({ ...resource, id: 'https://b.example/' }, NOW);
      await repos.resources.create({ ...resource, id: 'https://a.example/', accessTokenFormat: 'opaque' }, NOW + 1);
      expect((await repos.resources.list()).map((r) => [r.id, r.accessTokenFormat])).toEqual([['https://b.example/', 'jwt'], ['https://a.example/', 'opaque']]);
    });

    it('deletes a resource once, revoking the access tokens issued for it and no others', async () => {
      await repos.resources.create(resource, NOW);
      await repos.tokens.createMany([token({ hash: 'for-api', resource: 'https://api.example/' }), token({ hash: 'no-resource' })]);
      expect(await repos.resources.delete('https://api.example/', NOW + 1)).toBe(1);
      expect(await repos.resources.delete('https://api.example/', NOW + 2)).toBeUndefined();
      expect((await repos.tokens.findByHash('for-api'))?.revokedAt).toBe(NOW + 1);
      expect((await repos.tokens.findByHash('no-resource'))?.revokedAt).toBeNull();
    });

    it("keeps a grant's resources and an access token's resource (RFC 8707 §2)", async () => {
      await repos.grants.create({ id: 'g-res', clientId: 'web-app', userId: 'u1', scope: ['read'], createdAt: NOW, resources: ['https://a.example/', 'https://b.example/'] });
      await repos.grants.create({ id: 'g-none', clientId: 'web-app', userId: 'u1', scope: ['read'], createdAt: NOW });
      expect((await repos.grants.findById('g-res'))?.resources).toEqual(['https://a.example/', 'https://b.example/']);
      expect((await repos.grants.findById('g-none'))?.resources).toBeUndefined();
      await repos.tokens.createMany([token({ hash: 'at', grantId: 'g-res', resource: 'https://a.example/' }), token({ hash: 'rt', type: 'refresh_token', grantId: 'g-res' })]);
      expect((await repos.tokens.findByHash('at'))?.resource).toBe('https://a.example/');
      expect((await repos.tokens.findByHash('rt'))?.resource).toBeUndefined();
    });
  });

  describe('trusted issuers (migration 026)', () => {
    const jwks = { keys: [{ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', kid: 'k1' }] };
    const issuer = { issuer: 'https://idp.example', name: 'Example IdP', jwks, jwksUri: null, userClaim: 'email', userBy: 'username' as const };

    it('round-trips an issuer with its inline JWK Set, found by its exact iss only', async () => {
      expect(await repos.trustedIssuers.create(issuer, NOW)).toEqual({ ...issuer, createdAt: NOW, updatedAt: NOW });
      expect(await repos.trustedIssuers.find('https://idp.example')).toEqual({ ...issuer, createdAt: NOW, updatedAt: NOW });
      expect(await repos.trustedIssuers.find('https://idp.example/')).toBeUndefined();
      expect(await repos.trustedIssuers.find('https://IDP.example')).toBeUndefined();
    });

    it('refuses a second issuer with the same iss', async () => {
      await repos.trustedIssuers.create(issuer, NOW);
      await expect(repos.trustedIssuers.create({ ...issuer, name: 'Again' }, NOW)).rejects.toThrow();
    });

    it('replaces every field but the iss and moves updatedAt; undefined for an unknown issuer', async () => {
      await repos.trustedIssuers.create(issuer, NOW);
      const changes = { name: 'Renamed', jwks: null, jwksUri: 'https://idp.example/jwks', userClaim: 'sub', userBy: 'id' as const };
      expect(await repos.trustedIssuers.update('https://idp.example', changes, NOW + 5)).toEqual({ issuer: 'https://idp.example', ...changes, createdAt: NOW, updatedAt: NOW + 5 });
      expect(await repos.trustedIssuers.find('https://idp.example')).toEqual({ issuer: 'https://idp.example', ...changes, createdAt: NOW, updatedAt: NOW + 5 });
      expect(await repos.trustedIssuers.update('https://other.example', changes, NOW)).toBeUndefined();
    });

    it('lists issuers in creation order and deletes one once', async () => {
      await repos.trustedIssuers.create({ ...issuer, issuer: 'https://b.example' }, NOW);
      await repos.trustedIssuers.create({ ...issuer, issuer: 'https://a.example' }, NOW + 1);
      expect((await repos.trustedIssuers.list()).map((t) => t.issuer)).toEqual(['https://b.example', 'https://a.example']);
      expect(await repos.trustedIssuers.delete('https://b.example')).toBe(true);
      expect(await repos.trustedIssuers.delete('https://b.example')).toBe(false);
      expect((await repos.trustedIssuers.list()).map((t) => t.issuer)).toEqual(['https://a.example']);
    });

    it('forgets a deleted issuer at once on the node that deleted it, though it had just read (and cached) the list', async () => {
      await repos.trustedIssuers.create(issuer, NOW);
      expect(await repos.trustedIssuers.find('https://idp.example')).toBeDefined();
      expect(await repos.trustedIssuers.delete('https://idp.example')).toBe(true);
      expect(await repos.trustedIssuers.find('https://idp.example')).toBeUndefined();
    });
  });

  describe('consents', () => {
    it('stores one consent per user and client, replaced by a later upsert', async () => {
      await repos.consents.upsert({ userId: 'u1', clientId: 'c1', scope: ['openid'], grantedAt: NOW });
      await repos.consents.upsert({ userId: 'u1', clientId: 'c1', scope: ['openid', 'email'], grantedAt: NOW + 10 });
      await repos.consents.upsert({ userId: 'u1', clientId: 'c2', scope: ['profile'], grantedAt: NOW });
      expect(await repos.consents.find('u1', 'c1')).toEqual({ userId: 'u1', clientId: 'c1', scope: ['openid', 'email'], grantedAt: NOW + 10 });
      expect((await repos.consents.find('u1', 'c2'))?.scope).toEqual(['profile']);
    });

    it('finds nothing for another user or client, and forgets a deleted consent', async () => {
      await repos.consents.upsert({ userId: 'u1', clientId: 'c1', scope: ['openid'], grantedAt: NOW });
      expect(await repos.consents.find('u2', 'c1')).toBeUndefined();
      expect(await repos.consents.find('u1', 'c2')).toBeUndefined();
      await repos.consents.delete('u1', 'c1');
      expect(await repos.consents.find('u1', 'c1')).toBeUndefined();
    });
  });

  describe('sessions', () => {
    const session = { hash: 'sess-hash', userId: 'u1', authTime: NOW, expiresAt: NOW + 100 };

    it('finds a session before it expires; last used at its sign-in until touched', async () => {
      await repos.sessions.create(session);
      expect(await repos.sessions.findActive('sess-hash', NOW + 99)).toEqual({ ...session, clientId: null, address: null, userAgent: null, lastUsedAt: NOW, sid: expect.any(String), acr: null, amr: null });
    });

    it('round-trips how the person signed in, acr and the amr list (OpenID Connect Core §2; migration 016)', async () => {
      await repos.sessions.create({ ...session, acr: 'urn:latchkey:acr:password-second-factor', amr: ['pwd', 'otp'] });
      expect(await repos.sessions.findActive('sess-hash', NOW)).toMatchObject({ acr: 'urn:latchkey:acr:password-second-factor', amr: ['pwd', 'otp'] });
    });

    it('gives each session its own random public sid unless one is given (Back-Channel Logout 1.0 §2.4; migration 014)', async () => {
      await repos.sessions.create(session);
      await repos.sessions.create({ ...session, hash: 'sess-2' });
      await repos.sessions.create({ ...session, hash: 'sess-3', sid: 'given-sid' });
      const a = await repos.sessions.findActive('sess-hash', NOW);
      const b = await repos.sessions.findActive('sess-2', NOW);
      expect(a?.sid).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(b?.sid).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(a?.sid).not.toBe(b?.sid);
      expect((await repos.sessions.findActive('sess-3', NOW))?.sid).toBe('given-sid');
    });

    it('round-trips the client, address and user agent of the sign-in, the user agent cut to 512 characters', async () => {
      await repos.sessions.create({ ...session, clientId: 'web-app', address: '203.0.113.7', userAgent: 'Mozilla/5.0 '.padEnd(600, 'x') });
      const found = await repos.sessions.findActive('sess-hash', NOW);
      expect(found).toMatchObject({ clientId: 'web-app', address: '203.0.113.7', lastUsedAt: NOW });
      expect(found?.userAgent).toHaveLength(512);
    });

    it('touches the last-used time only when it is older than the bound, so concurrent touches write once', async () => {
      await repos.sessions.create(session);
      expect(await repos.sessions.touch('sess-hash', NOW + 30, NOW + 30 - 60)).toBe(false);
      expect((await repos.sessions.findActive('sess-hash', NOW + 30))?.lastUsedAt).toBe(NOW);
      expect(await repos.sessions.touch('sess-hash', NOW + 60, NOW)).toBe(true);
      expect(await repos.sessions.touch('sess-hash', NOW + 61, NOW + 1)).toBe(false);
      expect((await repos.sessions.findActive('sess-hash', NOW + 61))?.lastUsedAt).toBe(NOW + 60);
      expect(await repos.sessions.touch('other', NOW + 90, NOW)).toBe(false);
    });

    it('does not find a session at or after its expiry', async () => {
      await repos.sessions.create(session);
      expect(await repos.sessions.findActive('sess-hash', NOW + 100)).toBeUndefined();
      expect(await repos.sessions.findActive('sess-hash', NOW + 1000)).toBeUndefined();
    });

    it('does not find an unknown or deleted session', async () => {
      await repos.sessions.create(session);
      expect(await repos.sessions.findActive('other', NOW)).toBeUndefined();
      await repos.sessions.delete('sess-hash');
      expect(await repos.sessions.findActive('sess-hash', NOW)).toBeUndefined();
    });

    it("deletes all of a user's sessions and only theirs", async () => {
      await repos.sessions.create(session);
      await repos.sessions.create({ ...session, hash: 'sess-2' });
      await repos.sessions.create({ ...session, hash: 'sess-bob', userId: 'u2' });
      await repos.sessions.deleteAllForUser('u1');
      expect(await repos.sessions.findActive('sess-hash', NOW)).toBeUndefined();
      expect(await repos.sessions.findActive('sess-2', NOW)).toBeUndefined();
      expect(await repos.sessions.findActive('sess-bob', NOW)).toBeDefined();
    });

    it("ends the user's open interactions with their sessions, and only theirs (issue 10)", async () => {
      const ix = { browserHash: 'browser', request: '{}', userId: null, authTime: null, expiresAt: NOW + 600 };
      await repos.interactions.create({ ...ix, id: 'ix-u1' });
      await repos.interactions.setLogin('ix-u1', 'u1', NOW);
      await repos.interactions.create({ ...ix, id: 'ix-u2' });
      await repos.interactions.setLogin('ix-u2', 'u2', NOW);
      await repos.interactions.create({ ...ix, id: 'ix-anonymous' });
      await repos.sessions.deleteAllForUser('u1');
      expect(await repos.interactions.find('ix-u1', NOW)).toBeUndefined();
      expect(await repos.interactions.find('ix-u2', NOW)).toBeDefined();
      expect(await repos.interactions.find('ix-anonymous', NOW)).toBeDefined();
    });
  });

  describe('interactions', () => {
    const interaction = { id: 'ix-1', browserHash: 'browser', request: '{"client_id":"web-app"}', userId: null, authTime: null, expiresAt: NOW + 600 };

    it('round-trips an interaction and records the login on it', async () => {
      await repos.interactions.create(interaction);
      expect(await repos.interactions.find('ix-1', NOW)).toEqual(interaction);
      await repos.interactions.setLogin('ix-1', 'u1', NOW + 5);
      expect(await repos.interactions.find('ix-1', NOW + 6)).toEqual({ ...interaction, userId: 'u1', authTime: NOW + 5 });
    });

    it('does not find an expired, unknown or deleted interaction', async () => {
      await repos.interactions.create(interaction);
      expect(await repos.interactions.find('ix-1', NOW + 600)).toBeUndefined();
      expect(await repos.interactions.find('ix-2', NOW)).toBeUndefined();
      await repos.interactions.delete('ix-1');
      expect(await repos.interactions.find('ix-1', NOW)).toBeUndefined();
    });

    it('deletes an interaction once: the first delete says true, a second false (a decision is made once)', async () => {
      await repos.interactions.create(interaction);
      expect(await repos.interactions.delete('ix-1')).toBe(true);
      expect(await repos.interactions.delete('ix-1')).toBe(false);
      expect(await repos.interactions.delete('ix-unknown')).toBe(false);
    });

    it('lets exactly one of 20 parallel deletes of an interaction report true', async () => {
      await repos.interactions.create(interaction);
      const results = await Promise.all(Array.from({ length: 20 }, () => repos.interactions.delete('ix-1')));
      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });

  describe('throttle', () => {
    it('counts failures per key and passes the count to the lock policy', async () => {
      const seen: number[] = [];
      const policy = (n: number) => {
        seen.push(n);
        return n >= 3 ? 60 : 0;
      };
      expect(await repos.throttle.recordFailure('user:alice', NOW, 3600, policy)).toEqual({ failures: 1, lockedUntil: NOW });
      expect(await repos.throttle.recordFailure('user:alice', NOW + 1, 3600, policy)).toEqual({ failures: 2, lockedUntil: NOW + 1 });
      expect(await repos.throttle.recordFailure('user:alice', NOW + 2, 3600, policy)).toEqual({ failures: 3, lockedUntil: NOW + 62 });
      expect(seen).toEqual([1, 2, 3]);
      expect(await repos.throttle.get('user:alice')).toEqual({ failures: 3, lockedUntil: NOW + 62 });
      expect(await repos.throttle.get('user:bob')).toBeUndefined();
    });

    it('counts every one of 20 concurrent failures', async () => {
      await Promise.all(Array.from({ length: 20 }, () => repos.throttle.recordFailure('ip:203.0.113.7', NOW, 3600, () => 0)));
      expect((await repos.throttle.get('ip:203.0.113.7'))?.failures).toBe(20);
    });

    it('starts again from zero after a reset', async () => {
      await repos.throttle.recordFailure('user:alice', NOW, 3600, () => 30);
      await repos.throttle.reset('user:alice');
      expect(await repos.throttle.get('user:alice')).toBeUndefined();
      expect((await repos.throttle.recordFailure('user:alice', NOW, 3600, () => 0)).failures).toBe(1);
    });

    it('forgets failures older than the window: a shared address is not locked forever by old mistakes', async () => {
      await repos.throttle.recordFailure('ip:198.51.100.1', NOW, 600, () => 0);
      await repos.throttle.recordFailure('ip:198.51.100.1', NOW + 10, 600, () => 0);
      expect((await repos.throttle.recordFailure('ip:198.51.100.1', NOW + 20, 600, () => 0)).failures).toBe(3);
      // More than 600 s after the last failure: counting starts afresh.
      expect((await repos.throttle.recordFailure('ip:198.51.100.1', NOW + 621, 600, () => 0)).failures).toBe(1);
    });

    // Issue 10 defect 3: an attempt is counted before the password is checked, so parallel attempts cannot all pass.
    const fiveFree = (n: number) => (n < 5 ? 0 : 60);

    it('of 20 concurrent attempts on one account, lets exactly the 5 free ones through (counted before the check)', async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, () => repos.throttle.attempt([{ key: 'user:alice', lockFor: fiveFree }], NOW, 3600)),
      );
      expect(results.filter((r) => r.allowed)).toHaveLength(5);
      for (const r of results.filter((r) => !r.allowed)) expect(r).toEqual({ allowed: false, lockedUntil: NOW + 60 });
      expect(await repos.throttle.get('user:alice')).toEqual({ failures: 5, lockedUntil: NOW + 60 });
    });

    it('lets an attempt through again once the lock has expired, and counts it', async () => {
      for (let i = 0; i < 5; i++) expect((await repos.throttle.attempt([{ key: 'user:alice', lockFor: fiveFree }], NOW, 3600)).allowed).toBe(true);
      expect((await repos.throttle.attempt([{ key: 'user:alice', lockFor: fiveFree }], NOW + 59, 3600)).allowed).toBe(false);
      expect((await repos.throttle.attempt([{ key: 'user:alice', lockFor: fiveFree }], NOW + 60, 3600)).allowed).toBe(true);
      expect(await repos.throttle.get('user:alice')).toEqual({ failures: 6, lockedUntil: NOW + 120 });
    });

    it('refuses an attempt when any of its keys is locked, and then counts it on none of them', async () => {
      await repos.throttle.attempt([{ key: 'ip:203.0.113.7', lockFor: () => 30 }], NOW, 3600);
      const refused = await repos.throttle.attempt(
        [{ key: 'user:alice', lockFor: fiveFree }, { key: 'ip:203.0.113.7', lockFor: () => 30 }],
        NOW + 1,
        3600,
      );
      expect(refused).toEqual({ allowed: false, lockedUntil: NOW + 30 });
      expect(await repos.throttle.get('user:alice')).toBeUndefined();
      expect(await repos.throttle.get('ip:203.0.113.7')).toEqual({ failures: 1, lockedUntil: NOW + 30 });
    });

    it('discounts one attempt on success without going below zero', async () => {
      await repos.throttle.attempt([{ key: 'ip:203.0.113.7', lockFor: () => 0 }], NOW, 3600);
      await repos.throttle.attempt([{ key: 'ip:203.0.113.7', lockFor: () => 0 }], NOW, 3600);
      await repos.throttle.discount('ip:203.0.113.7');
      expect((await repos.throttle.get('ip:203.0.113.7'))?.failures).toBe(1);
      await repos.throttle.discount('ip:203.0.113.7');
      await repos.throttle.discount('ip:203.0.113.7');
      expect((await repos.throttle.get('ip:203.0.113.7'))?.failures).toBe(0);
      await repos.throttle.discount('ip:unknown');
      expect(await repos.throttle.get('ip:unknown')).toBeUndefined();
    });
  });

  describe('grants, codes and tokens', () => {
    const grant = { id: 'grant-1', clientId: 'web-app', userId: 'user-1', scope: ['openid', 'profile'], createdAt: NOW };

    it('round-trips a grant, including one without a user (client_credentials)', async () => {
      await repos.grants.create(grant);
      await repos.grants.create({ ...grant, id: 'grant-cc', userId: null });
      expect(await repos.grants.findById('grant-1')).toEqual({ ...grant, revokedAt: null, authTime: null, claims: null, sid: null, acr: null, amr: null });
      expect((await repos.grants.findById('grant-cc'))?.userId).toBeNull();
      expect(await repos.grants.findById('nope')).toBeUndefined();
    });

    it('consumes a code once: the first call gets { code }, later ones { replayed } (RFC 6749 §4.1.2)', async () => {
      await repos.codes.create(code());
      const first = await repos.codes.consume('code-hash', NOW + 1);
      expect(first).toEqual({ code: { ...code(), consumedAt: NOW + 1 } });
      const second = await repos.codes.consume('code-hash', NOW + 2);
      expect(second).toEqual({ replayed: { ...code(), consumedAt: NOW + 1 } });
    });

    it('round-trips the OpenID Connect members: a code\'s nonce, a grant\'s auth_time and claims request (migration 012)', async () => {
      const claims = { userinfo: ['email'], idToken: ['name', 'auth_time'] };
      await repos.grants.create({ ...grant, id: 'grant-oidc', authTime: NOW - 30, claims, sid: 'session-sid' });
      expect(await repos.grants.findById('grant-oidc')).toMatchObject({ authTime: NOW - 30, claims, sid: 'session-sid' });
      const nonce = 'n-0S6_WzA2Mj +/=é';
      await repos.codes.create(code({ nonce }));
      const result = await repos.codes.consume('code-hash', NOW);
      expect(result && 'code' in result ? result.code.nonce : undefined).toBe(nonce);
    });

    it('finds the user of a client\'s grant in an SSO session by its sid, for a pairwise ID token (Core §8.1), and nothing for another client or session', async () => {
      await repos.grants.create({ ...grant, id: 'grant-in-session', sid: 'sid-of-session' });
      expect(await repos.grants.userOfSession('sid-of-session', grant.clientId)).toBe(grant.userId);
      expect(await repos.grants.userOfSession('sid-of-session', 'another-client')).toBeUndefined();
      expect(await repos.grants.userOfSession('another-sid', grant.clientId)).toBeUndefined();
    });

    it('round-trips the acr and amr a grant\'s ID tokens carry, for refreshes (Core §12.2; migration 016)', async () => {
      await repos.grants.create({ ...grant, id: 'grant-acr', acr: 'urn:latchkey:acr:password', amr: ['pwd'] });
      expect(await repos.grants.findById('grant-acr')).toMatchObject({ acr: 'urn:latchkey:acr:password', amr: ['pwd'] });
    });

    it('round-trips a delegated grant\'s act (RFC 8693 §4.1; migration 027), absent from every other grant', async () => {
      const act = { sub: 'gateway', act: { sub: 'first-actor' } };
      await repos.grants.create({ ...grant, id: 'grant-delegated', act });
      await repos.grants.create({ ...grant, id: 'grant-plain' });
      expect((await repos.grants.findById('grant-delegated'))?.act).toEqual(act);
      expect(await repos.grants.findById('grant-plain')).not.toHaveProperty('act');
    });

    it('round-trips a code\'s dpop_jkt (migration 023, RFC 9449 §10), absent when none was requested', async () => {
      await repos.codes.create(code({ hash: 'bound', dpopJkt: 'j'.repeat(43) }));
      await repos.codes.create(code({ hash: 'free' }));
      expect(await repos.codes.find('bound')).toMatchObject({ dpopJkt: 'j'.repeat(43) });
      expect((await repos.codes.find('free'))?.dpopJkt).toBeUndefined();
    });

    it('round-trips a code without PKCE and with an omitted redirect_uri', async () => {
      await repos.codes.create(code({ codeChallenge: null, codeChallengeMethod: null, redirectUriProvided: false }));
      const result = await repos.codes.consume('code-hash', NOW);
      expect(result && 'code' in result ? result.code : undefined).toMatchObject({ codeChallenge: null, codeChallengeMethod: null, redirectUriProvided: false });
    });

    it('finds a code by hash without consuming it (the demo page shows its remaining lifetime)', async () => {
      await repos.codes.create(code());
      expect(await repos.codes.find('code-hash')).toEqual({ ...code(), consumedAt: null });
      expect(await repos.codes.find('no-such-code')).toBeUndefined();
      expect(await repos.codes.consume('code-hash', NOW + 1)).toHaveProperty('code');
      expect((await repos.codes.find('code-hash'))?.consumedAt).toBe(NOW + 1);
    });

    it('returns undefined when consuming an unknown code', async () => {
      expect(await repos.codes.consume('no-such-code', NOW)).toBeUndefined();
    });

    it('lets exactly one of 20 parallel redemptions of a code win', async () => {
      await repos.codes.create(code());
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => repos.codes.consume('code-hash', NOW + i)));
      const winners = results.filter((r) => r !== undefined && 'code' in r);
      const replays = results.filter((r) => r !== undefined && 'replayed' in r);
      expect(winners).toHaveLength(1);
      expect(replays).toHaveLength(19);
    });

    it('lets exactly one of 20 parallel redemptions win across two connections (two nodes)', async () => {
      await repos.codes.create(code());
      const other = (await peer()).repos;
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? repos : other).codes.consume('code-hash', NOW + i)),
      );
      expect(results.filter((r) => r !== undefined && 'code' in r)).toHaveLength(1);
      expect(results.filter((r) => r !== undefined && 'replayed' in r)).toHaveLength(19);
    });

    it('round-trips tokens, including one that never expires', async () => {
      await repos.tokens.createMany([token(), token({ hash: 'rt', type: 'refresh_token', expiresAt: null, userId: null })]);
      expect(await repos.tokens.findByHash('token-hash')).toEqual({ ...token(), revokedAt: null, consumedAt: null, dpopJkt: null });
      expect(await repos.tokens.findByHash('rt')).toMatchObject({ type: 'refresh_token', expiresAt: null, userId: null });
      expect(await repos.tokens.findByHash('nope')).toBeUndefined();
    });

    it('round-trips the DPoP key thumbprint a token pair is bound to (RFC 9449 §6), in both batch sizes', async () => {
      await repos.tokens.createMany([token({ hash: 'at1', dpopJkt: 'jkt-1' })]);
      await repos.tokens.createMany([token({ hash: 'at2', dpopJkt: 'jkt-2' }), token({ hash: 'rt2', type: 'refresh_token', dpopJkt: 'jkt-2' })]);
      expect(await repos.tokens.findByHash('at1')).toMatchObject({ dpopJkt: 'jkt-1' });
      expect(await repos.tokens.findByHash('rt2')).toMatchObject({ dpopJkt: 'jkt-2' });
      expect(await repos.tokens.consumeRefresh('rt2', NOW + 1)).toMatchObject({ token: { dpopJkt: 'jkt-2' } });
    });

    it('round-trips a delegated token\'s act claim (RFC 8693 §4.1), in both batch sizes, and leaves it out when none', async () => {
      const act = { sub: 'gateway', act: { sub: 'first-actor' } };
      await repos.tokens.createMany([token({ hash: 'delegated1', act })]);
      await repos.tokens.createMany([token({ hash: 'delegated2', act }), token({ hash: 'plain2', type: 'refresh_token' })]);
      expect((await repos.tokens.findByHash('delegated1'))?.act).toEqual(act);
      expect((await repos.tokens.findByHash('delegated2'))?.act).toEqual(act);
      expect(await repos.tokens.findByHash('plain2')).not.toHaveProperty('act');
    });

    it('hands a delegated refresh token\'s act to the refresh that spends it (RFC 8693 §4.1: the refreshed pair stays delegated)', async () => {
      const act = { sub: 'gateway' };
      await repos.tokens.createMany([token({ hash: 'delegated-rt', type: 'refresh_token', act })]);
      const spent = await repos.tokens.consumeRefresh('delegated-rt', NOW + 1);
      expect(spent && 'token' in spent ? spent.token.act : undefined).toEqual(act);
    });

    it('accepts an empty batch of tokens', async () => {
      await expect(repos.tokens.createMany([])).resolves.toBeUndefined();
    });

    it('rotates a refresh token once: { token } then { replayed } (RFC 6749 §10.4)', async () => {
      await repos.tokens.createMany([token({ hash: 'rt', type: 'refresh_token' })]);
      expect(await repos.tokens.consumeRefresh('rt', NOW + 1)).toMatchObject({ token: { hash: 'rt', consumedAt: NOW + 1 } });
      expect(await repos.tokens.consumeRefresh('rt', NOW + 2)).toMatchObject({ replayed: { hash: 'rt', consumedAt: NOW + 1 } });
    });

    it('does not consume an access token as a refresh token', async () => {
      await repos.tokens.createMany([token()]);
      expect(await repos.tokens.consumeRefresh('token-hash', NOW)).toBeUndefined();
      expect((await repos.tokens.findByHash('token-hash'))?.consumedAt).toBeNull();
    });

    it('lets exactly one of 20 parallel rotations of a refresh token win', async () => {
      await repos.tokens.createMany([token({ hash: 'rt', type: 'refresh_token' })]);
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => repos.tokens.consumeRefresh('rt', NOW + i)));
      expect(results.filter((r) => r !== undefined && 'token' in r)).toHaveLength(1);
      expect(results.filter((r) => r !== undefined && 'replayed' in r)).toHaveLength(19);
    });

    it('lets exactly one of 20 parallel rotations win across two connections (two nodes)', async () => {
      await repos.tokens.createMany([token({ hash: 'rt', type: 'refresh_token' })]);
      const other = (await peer()).repos;
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? repos : other).tokens.consumeRefresh('rt', NOW + i)),
      );
      expect(results.filter((r) => r !== undefined && 'token' in r)).toHaveLength(1);
      expect(results.filter((r) => r !== undefined && 'replayed' in r)).toHaveLength(19);
    });

    // Issue 10 defect 6: a retry within the refresh grace window replaces the lost answer, once (RFC 9700 §4.14.2).
    const rotated = () => [
      token({ hash: 'rt0', type: 'refresh_token' }),
      token({ hash: 'at1', parentHash: 'rt0' }),
      token({ hash: 'rt1', type: 'refresh_token', parentHash: 'rt0' }),
    ];

    it('supersedes the unused successor of a spent refresh token: it and its access token are revoked, the successor spent', async () => {
      await repos.tokens.createMany(rotated());
      await repos.tokens.consumeRefresh('rt0', NOW);
      expect(await repos.tokens.supersedeSuccessor('rt0', NOW + 5)).toBe(true);
      expect(await repos.tokens.findByHash('rt1')).toMatchObject({ revokedAt: NOW + 5, consumedAt: NOW + 5 });
      expect(await repos.tokens.findByHash('at1')).toMatchObject({ revokedAt: NOW + 5 });
      expect(await repos.tokens.findByHash('rt0')).toMatchObject({ revokedAt: null, consumedAt: NOW });
    });

    it('supersedes only once: the retry\'s own successor is not superseded again', async () => {
      await repos.tokens.createMany(rotated());
      expect(await repos.tokens.supersedeSuccessor('rt0', NOW + 5)).toBe(true);
      await repos.tokens.createMany([token({ hash: 'rt1b', type: 'refresh_token', parentHash: 'rt0' })]);
      expect(await repos.tokens.supersedeSuccessor('rt0', NOW + 6)).toBe(false);
      expect((await repos.tokens.findByHash('rt1b'))?.revokedAt).toBeNull();
    });

    it('does not supersede a successor that was used, or a token without one', async () => {
      await repos.tokens.createMany(rotated());
      await repos.tokens.consumeRefresh('rt1', NOW + 1);
      expect(await repos.tokens.supersedeSuccessor('rt0', NOW + 5)).toBe(false);
      expect((await repos.tokens.findByHash('at1'))?.revokedAt).toBeNull();
      expect(await repos.tokens.supersedeSuccessor('nope', NOW + 5)).toBe(false);
    });

    it('lets at most one of 20 parallel retries supersede, across two connections (two nodes)', async () => {
      await repos.tokens.createMany(rotated());
      const other = (await peer()).repos;
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? repos : other).tokens.supersedeSuccessor('rt0', NOW + i)),
      );
      expect(results.filter((r) => r)).toHaveLength(1);
    });

    it('revokes one token, keeping the first revocation time', async () => {
      await repos.tokens.createMany([token(), token({ hash: 'other' })]);
      await repos.tokens.revoke('token-hash', NOW + 5);
      await repos.tokens.revoke('token-hash', NOW + 9);
      expect((await repos.tokens.findByHash('token-hash'))?.revokedAt).toBe(NOW + 5);
      expect((await repos.tokens.findByHash('other'))?.revokedAt).toBeNull();
    });

    it('revokes a grant and every token issued under it, and nothing else', async () => {
      await repos.grants.create(grant);
      await repos.grants.create({ ...grant, id: 'grant-2' });
      await repos.tokens.createMany([
        token({ hash: 'at1' }),
        token({ hash: 'rt1', type: 'refresh_token' }),
        token({ hash: 'at1b' }),
        token({ hash: 'at2', grantId: 'grant-2' }),
      ]);
      await repos.grants.revoke('grant-1', NOW + 7);
      expect((await repos.grants.findById('grant-1'))?.revokedAt).toBe(NOW + 7);
      for (const h of ['at1', 'rt1', 'at1b']) expect((await repos.tokens.findByHash(h))?.revokedAt).toBe(NOW + 7);
      expect((await repos.grants.findById('grant-2'))?.revokedAt).toBeNull();
      expect((await repos.tokens.findByHash('at2'))?.revokedAt).toBeNull();
    });

    it('keeps the first revocation time of a grant revoked twice', async () => {
      await repos.grants.create(grant);
      await repos.tokens.createMany([token({ hash: 'at1' })]);
      await repos.grants.revoke('grant-1', NOW + 1);
      await repos.grants.revoke('grant-1', NOW + 2);
      expect((await repos.grants.findById('grant-1'))?.revokedAt).toBe(NOW + 1);
      expect((await repos.tokens.findByHash('at1'))?.revokedAt).toBe(NOW + 1);
    });

    it('revokes a grant atomically: inside a failed transaction, neither the grant nor its tokens are revoked', async () => {
      await repos.grants.create(grant);
      await repos.tokens.createMany([token({ hash: 'at1' }), token({ hash: 'rt1', type: 'refresh_token' })]);
      await expect(
        repos.transaction(async (tx) => {
          await tx.grants.revoke('grant-1', NOW + 1);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect((await repos.grants.findById('grant-1'))?.revokedAt).toBeNull();
      expect((await repos.tokens.findByHash('at1'))?.revokedAt).toBeNull();
      expect((await repos.tokens.findByHash('rt1'))?.revokedAt).toBeNull();
    });

    it("revokes every grant of a user for a client, and their tokens, but not other users' or clients'", async () => {
      await repos.grants.create(grant);
      await repos.grants.create({ ...grant, id: 'grant-1b' });
      await repos.grants.create({ ...grant, id: 'grant-bob', userId: 'user-2' });
      await repos.grants.create({ ...grant, id: 'grant-other-client', clientId: 'spa' });
      await repos.tokens.createMany([
        token({ hash: 'a', grantId: 'grant-1' }),
        token({ hash: 'b', grantId: 'grant-1b' }),
        token({ hash: 'c', grantId: 'grant-bob', userId: 'user-2' }),
        token({ hash: 'd', grantId: 'grant-other-client', clientId: 'spa' }),
      ]);
      await repos.grants.revokeByUserAndClient('user-1', 'web-app', NOW + 3);
      expect((await repos.tokens.findByHash('a'))?.revokedAt).toBe(NOW + 3);
      expect((await repos.tokens.findByHash('b'))?.revokedAt).toBe(NOW + 3);
      expect((await repos.tokens.findByHash('c'))?.revokedAt).toBeNull();
      expect((await repos.tokens.findByHash('d'))?.revokedAt).toBeNull();
      expect((await repos.grants.findById('grant-bob'))?.revokedAt).toBeNull();
    });

    it('does nothing when the user has no grant for the client', async () => {
      await expect(repos.grants.revokeByUserAndClient('nobody', 'web-app', NOW)).resolves.toBeUndefined();
    });
  });

  describe('DPoP proofs (RFC 9449 §11.1)', () => {
    it('accepts a proof key once while it lives, and again only after it expired', async () => {
      expect(await repos.dpopProofs.use('k1', NOW + 60, NOW)).toBe(true);
      expect(await repos.dpopProofs.use('k1', NOW + 60, NOW + 30)).toBe(false);
      expect(await repos.dpopProofs.use('k2', NOW + 60, NOW)).toBe(true);
      // Its window over, the row is taken over by the next use of the key (the iat check refuses old proofs anyway).
      expect(await repos.dpopProofs.use('k1', NOW + 200, NOW + 60)).toBe(true);
      expect(await repos.dpopProofs.use('k1', NOW + 200, NOW + 61)).toBe(false);
    });

    it('lets exactly one of several nodes racing on one jti record it', async () => {
      const nodes = [storage, await peer(), await peer()];
      for (const s of nodes) await s.repos.dpopProofs.deleteExpired(0, 1);
      const results = await Promise.all(nodes.flatMap((s) => [s, s].map((n) => n.repos.dpopProofs.use('raced', NOW + 60, NOW))));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('deletes expired records in batches and keeps live ones', async () => {
      for (const k of ['a', 'b', 'c']) await repos.dpopProofs.use(k, NOW, NOW - 10);
      await repos.dpopProofs.use('live', NOW + 60, NOW - 10);
      expect(await repos.dpopProofs.deleteExpired(NOW, 2)).toBe(2);
      expect(await repos.dpopProofs.deleteExpired(NOW, 2)).toBe(1);
      expect(await repos.dpopProofs.use('live', NOW + 60, NOW)).toBe(false);
    });
  });

  describe('signing keys', () => {
    it('round-trips a key with its public JWK, ciphertext and null retirement, oldest first', async () => {
      await repos.signingKeys.create(signingKey({ kid: 'later', createdAt: NOW + 5 }));
      await repos.signingKeys.create(signingKey());
      const keys = await repos.signingKeys.list();
      expect(keys.map((k) => k.kid)).toEqual(['kid-1', 'later']);
      expect(keys[0]).toEqual(signingKey());
    });

    it('refuses a second key with the same kid', async () => {
      await repos.signingKeys.create(signingKey());
      await expect(repos.signingKeys.create(signingKey({ alg: 'RS256' }))).rejects.toThrow();
    });

    it('sets retirement and expiry times on the named key only, and says when there is no such key', async () => {
      await repos.signingKeys.create(signingKey());
      await repos.signingKeys.create(signingKey({ kid: 'kid-2' }));
      expect(await repos.signingKeys.setRetirement('kid-1', NOW + 10, NOW + 3670)).toBe(true);
      expect(await repos.signingKeys.setRetirement('nope', NOW, NOW)).toBe(false);
      const [first, second] = await repos.signingKeys.list();
      expect(first).toMatchObject({ retiredAt: NOW + 10, expiresAt: NOW + 3670 });
      expect(second).toMatchObject({ retiredAt: null, expiresAt: null });
    });

    it('deletes keys unpublished by now, and keeps later and unexpiring ones', async () => {
      await repos.signingKeys.create(signingKey({ kid: 'gone', retiredAt: NOW - 100, expiresAt: NOW }));
      await repos.signingKeys.create(signingKey({ kid: 'later', retiredAt: NOW - 100, expiresAt: NOW + 1 }));
      await repos.signingKeys.create(signingKey({ kid: 'live' }));
      expect(await repos.signingKeys.deleteExpired(NOW)).toBe(1);
      expect((await repos.signingKeys.list()).map((k) => k.kid)).toEqual(['later', 'live']);
    });

    it('ends with one key per algorithm when several nodes create the first keys at once (start-up lock)', async () => {
      const kek = Buffer.alloc(32, 7);
      const settings = { rotateAfterSeconds: 0, publishAheadSeconds: 600, retainSeconds: 3660 };
      // SQLite's lock wait blocks the thread, so peers in one process would wait on each other: there the nodes
      // start one after another (separate processes wait for the write lock that exclusive() takes first).
      const nodes = [storage, await peer(), await peer()];
      // Connected before the race, so that no node is still connecting while another one finishes.
      for (const s of nodes) await s.repos.signingKeys.list();
      const start = (s: Storage) => s.exclusive((r) => ensureKeys(r.signingKeys, kek, NOW, settings));
      if (backend.name === 'sqlite') for (const s of nodes) await start(s);
      else await Promise.all(nodes.map(start));
      const keys = await repos.signingKeys.list();
      expect(keys.map((k) => k.alg).sort()).toEqual(['ES256', 'EdDSA', 'RS256']);
    });
  });

  describe('pushed requests and request object jtis (migration 022, RFC 9126, RFC 9101)', () => {
    const pushed = (over: Partial<PushedRequest> = {}): PushedRequest => ({ hash: 'uri-hash', clientId: 'web-app', params: '{"a":"b"}', signed: true, expiresAt: NOW + 60, ...over });

    it('round-trips the client settings require_pushed_authorization_requests and require_signed_request_object', async () => {
      await repos.clients.create(client({ id: 'strict', requirePushedAuthorizationRequests: true, requireSignedRequestObject: false }), NOW);
      await repos.clients.create(client({ id: 'default' }), NOW);
      expect(await repos.clients.findById('strict')).toMatchObject({ requirePushedAuthorizationRequests: true, requireSignedRequestObject: false });
      const unset = await repos.clients.findById('default');
      expect([unset?.requirePushedAuthorizationRequests, unset?.requireSignedRequestObject]).toEqual([undefined, undefined]);
      await repos.clients.update('strict', { requirePushedAuthorizationRequests: null }, NOW + 1);
      expect((await repos.clients.findById('strict'))?.requirePushedAuthorizationRequests).toBeUndefined();
    });

    it('consumes a pushed request once, for its own client only, and not after it expires', async () => {
      await repos.pushedRequests.push(pushed());
      await repos.pushedRequests.push(pushed({ hash: 'old', expiresAt: NOW }));
      expect(await repos.pushedRequests.consume('uri-hash', 'other-app', NOW)).toBeUndefined();
      expect(await repos.pushedRequests.consume('uri-hash', 'web-app', NOW)).toEqual(pushed());
      expect(await repos.pushedRequests.consume('uri-hash', 'web-app', NOW)).toBeUndefined();
      expect(await repos.pushedRequests.consume('old', 'web-app', NOW)).toBeUndefined();
    });

    it('lets exactly one of 20 parallel consumers of a request_uri win, across two connections (two nodes)', async () => {
      await repos.pushedRequests.push(pushed());
      const other = (await peer()).repos;
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? repos : other).pushedRequests.consume('uri-hash', 'web-app', NOW)));
      expect(results.filter((r) => r !== undefined)).toHaveLength(1);
    });

    it('records a jti once per client until it expires, then takes it again', async () => {
      expect(await repos.requestObjectJtis.record('web-app', 'j1', NOW + 60, NOW)).toBe(true);
      expect(await repos.requestObjectJtis.record('web-app', 'j1', NOW + 60, NOW)).toBe(false);
      expect(await repos.requestObjectJtis.record('other-app', 'j1', NOW + 60, NOW)).toBe(true);
      expect(await repos.requestObjectJtis.record('web-app', 'j1', NOW + 200, NOW + 60)).toBe(true);
      expect(await repos.requestObjectJtis.record('web-app', 'j1', NOW + 200, NOW + 61)).toBe(false);
    });

    it('lets exactly one of 20 parallel recordings of a jti win, across two connections (two nodes)', async () => {
      const other = (await peer()).repos;
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? repos : other).requestObjectJtis.record('web-app', 'race', NOW + 60, NOW)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });

  describe('private_key_jwt clients and the client assertion replay store (migration 020)', () => {
    const jwks = { keys: [{ kty: 'EC', crv: 'P-256', x: 'x-coordinate', y: 'y-coordinate', kid: 'k1', alg: 'ES256' }] };

    it('round-trips a client\'s inline jwks and signing alg, then a jwks_uri, and clears them given null', async () => {
      const created = await repos.clients.create(client({ secretHash: null, assertionAuth: { method: 'private_key_jwt', signingAlg: 'ES256', jwks, jwksUri: null } }), NOW);
      expect(created.assertionAuth).toEqual({ method: 'private_key_jwt', signingAlg: 'ES256', jwks, jwksUri: null });
      expect((await repos.clients.findById('web-app'))?.assertionAuth).toEqual({ method: 'private_key_jwt', signingAlg: 'ES256', jwks, jwksUri: null });
      const remote = { method: 'private_key_jwt' as const, signingAlg: null, jwks: null, jwksUri: 'https://client.example/jwks.json' };
      expect((await repos.clients.update('web-app', { assertionAuth: remote }, NOW + 1))?.assertionAuth).toEqual(remote);
      await repos.clients.update('web-app', { assertionAuth: null, secretHash: 'hash-of-secret' }, NOW + 2);
      expect((await repos.clients.findById('web-app'))?.assertionAuth).toBeUndefined();
    });

    it('round-trips a client_secret_jwt client\'s method and encrypted secret, replaces it on rotation and clears it given null', async () => {
      const created = await repos.clients.create(client({ tokenEndpointAuthMethod: 'client_secret_jwt', secretEncrypted: 'v1.iv.ct.tag' }), NOW);
      expect(created).toMatchObject({ tokenEndpointAuthMethod: 'client_secret_jwt', secretEncrypted: 'v1.iv.ct.tag', secretHash: 'hash-of-secret' });
      expect(await repos.clients.findById('web-app')).toMatchObject({ tokenEndpointAuthMethod: 'client_secret_jwt', secretEncrypted: 'v1.iv.ct.tag' });
      await repos.clients.update('web-app', { secretHash: 'new-hash', secretEncrypted: 'v1.iv2.ct2.tag2' }, NOW + 1);
      expect((await repos.clients.findById('web-app'))?.secretEncrypted).toBe('v1.iv2.ct2.tag2');
      await repos.clients.update('web-app', { secretEncrypted: null }, NOW + 2);
      expect((await repos.clients.findById('web-app'))?.secretEncrypted).toBeUndefined();
    });

    it('records a jti once per client: a second use is refused, another client\'s same jti is not', async () => {
      expect(await repos.clientAssertionJtis.use('web-app', 'jti-hash', NOW + 60, NOW)).toBe(true);
      expect(await repos.clientAssertionJtis.use('web-app', 'jti-hash', NOW + 60, NOW + 1)).toBe(false);
      expect(await repos.clientAssertionJtis.use('other-app', 'jti-hash', NOW + 60, NOW + 1)).toBe(true);
    });

    it('takes over a jti whose record has expired (its assertion can no longer pass the exp check)', async () => {
      expect(await repos.clientAssertionJtis.use('web-app', 'jti-hash', NOW + 60, NOW)).toBe(true);
      expect(await repos.clientAssertionJtis.use('web-app', 'jti-hash', NOW + 200, NOW + 60)).toBe(true);
      expect(await repos.clientAssertionJtis.use('web-app', 'jti-hash', NOW + 200, NOW + 61)).toBe(false);
    });

    it('lets exactly one of 20 racing uses of a jti through, across nodes (RFC 7523 §3 item 7)', async () => {
      const nodes = [storage, await peer(), await peer()];
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => nodes[i % nodes.length]!.repos.clientAssertionJtis.use('web-app', 'raced', NOW + 60, NOW)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });

  describe('transaction', () => {
    it('commits every write when the function returns, and returns its value', async () => {
      const value = await repos.transaction(async (tx) => {
        await tx.clients.create(client(), NOW);
        await tx.scopes.upsert({ name: 'openid', description: 'x', claims: [] });
        return 42;
      });
      expect(value).toBe(42);
      expect(await repos.clients.findById('web-app')).toBeDefined();
      expect(await repos.scopes.list()).toHaveLength(1);
    });

    it('rolls back every write when the function throws, and rethrows', async () => {
      await expect(
        repos.transaction(async (tx) => {
          await tx.clients.create(client(), NOW);
          await tx.grants.create({ id: 'g', clientId: 'web-app', userId: null, scope: [], createdAt: NOW });
          await tx.tokens.createMany([token({ grantId: 'g' })]);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await repos.clients.findById('web-app')).toBeUndefined();
      expect(await repos.grants.findById('g')).toBeUndefined();
      expect(await repos.tokens.findByHash('token-hash')).toBeUndefined();
    });

    it('rolls back a consumed code when the tokens cannot be issued, so the code is not burnt by a failed exchange', async () => {
      await repos.codes.create(code());
      await expect(
        repos.transaction(async (tx) => {
          expect(await tx.codes.consume('code-hash', NOW)).toHaveProperty('code');
          throw new Error('issuing failed');
        }),
      ).rejects.toThrow('issuing failed');
      expect(await repos.codes.consume('code-hash', NOW + 1)).toHaveProperty('code');
    });

    it('rolls back when a statement inside fails (a unique violation)', async () => {
      await repos.clients.create(client(), NOW);
      await expect(
        repos.transaction(async (tx) => {
          await tx.scopes.upsert({ name: 'openid', description: 'x', claims: [] });
          await tx.clients.create(client(), NOW);
        }),
      ).rejects.toThrow();
      expect(await repos.scopes.list()).toEqual([]);
    });
  });
});
