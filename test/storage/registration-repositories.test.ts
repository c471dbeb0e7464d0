import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OIDC_CLIENT_DEFAULTS } from '../../src/core/model.ts';
import type { Storage } from '../../src/storage/index.ts';
import type { NewClient, Repositories } from '../../src/core/repositories.ts';
import { backends } from '../support/storage-backends.ts';

/** Migration 018 (dynamic client registration) on every backend: the client columns and the initial access tokens. */
const NOW = 1_800_000_000;

const client = (over: Partial<NewClient> = {}): NewClient => ({
  id: 'dyn-1',
  name: 'Registered App',
  type: 'public',
  secretHash: null,
  redirectUris: ['com.example.app:/cb'],
  grantTypes: ['authorization_code'],
  responseTypes: ['code'],
  scopes: [],
  accessTokenTtl: null,
  refreshTokenTtl: null,
  codeTtl: null,
  requirePkce: null,
  introspectAny: false,
  oidc: OIDC_CLIENT_DEFAULTS,
  ...over,
});

const iat = (id: string, over: { expiresAt?: number | null; maxUses?: number | null } = {}) => ({
  id,
  hash: `hash-${id}`,
  createdAt: NOW,
  expiresAt: over.expiresAt ?? null,
  maxUses: over.maxUses ?? null,
  uses: 0,
  revokedAt: null,
});

describe.each(backends)('registration repositories on $name', (backend) => {
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

  it('round-trips a dynamically registered client: origin dynamic, auth method, token hash, metadata, disabled_at', async () => {
    const registered = client({
      origin: 'dynamic',
      tokenEndpointAuthMethod: 'none',
      registrationTokenHash: 'rat-hash',
      registrationMetadata: { clientUri: 'https://app.example', contacts: ['a@example.com', 'b"@example.com'], applicationType: 'native' },
    });
    const created = await repos.clients.create(registered, NOW);
    expect(created).toEqual({ ...registered, createdAt: NOW, updatedAt: NOW });
    expect(await repos.clients.findById('dyn-1', { fresh: true })).toEqual(created);
    const disabled = await repos.clients.update('dyn-1', { disabledAt: NOW + 5 }, NOW + 5);
    expect(disabled?.disabledAt).toBe(NOW + 5);
    const enabled = await repos.clients.update('dyn-1', { disabledAt: null, registrationMetadata: null }, NOW + 6);
    expect(enabled?.disabledAt).toBeUndefined();
    expect(enabled?.registrationMetadata).toBeUndefined();
    expect(enabled?.origin).toBe('dynamic');
  });

  it('reads an operator-created client without any of the registration members', async () => {
    const created = await repos.clients.create(client({ id: 'own' }), NOW);
    const found = await repos.clients.findById('own', { fresh: true });
    expect(found).toEqual(created);
    expect(found).not.toHaveProperty('origin');
    expect(found).not.toHaveProperty('disabledAt');
  });

  it('lists initial access tokens and finds a live one by hash without counting a use', async () => {
    await repos.registrationTokens.create(iat('a', { maxUses: 2 }));
    await repos.registrationTokens.create(iat('b', { expiresAt: NOW + 10 }));
    expect((await repos.registrationTokens.list()).map((t) => t.id)).toEqual(['a', 'b']);
    expect(await repos.registrationTokens.findLive('hash-a', NOW)).toMatchObject({ id: 'a', uses: 0, maxUses: 2, expiresAt: null });
    expect(await repos.registrationTokens.findLive('hash-a', NOW)).toMatchObject({ uses: 0 });
    expect(await repos.registrationTokens.findLive('nope', NOW)).toBeUndefined();
  });

  it('counts uses up to max_uses, then the token is no longer live', async () => {
    await repos.registrationTokens.create(iat('a', { maxUses: 2 }));
    expect(await repos.registrationTokens.use('hash-a', NOW)).toMatchObject({ uses: 1 });
    expect(await repos.registrationTokens.use('hash-a', NOW)).toMatchObject({ uses: 2 });
    expect(await repos.registrationTokens.use('hash-a', NOW)).toBeUndefined();
    expect(await repos.registrationTokens.findLive('hash-a', NOW)).toBeUndefined();
    expect((await repos.registrationTokens.list())[0]?.uses).toBe(2);
  });

  it('treats a token at or after its expiry, or revoked, as not live; revokes once', async () => {
    await repos.registrationTokens.create(iat('a', { expiresAt: NOW + 10 }));
    await repos.registrationTokens.create(iat('b'));
    expect(await repos.registrationTokens.use('hash-a', NOW + 9)).toMatchObject({ id: 'a' });
    expect(await repos.registrationTokens.use('hash-a', NOW + 10)).toBeUndefined();
    expect(await repos.registrationTokens.revoke('b', NOW)).toBe(true);
    expect(await repos.registrationTokens.revoke('b', NOW)).toBe(false);
    expect(await repos.registrationTokens.revoke('unknown', NOW)).toBe(false);
    expect(await repos.registrationTokens.use('hash-b', NOW)).toBeUndefined();
    expect((await repos.registrationTokens.list()).find((t) => t.id === 'b')?.revokedAt).toBe(NOW);
  });

  it('gives the last use of a token to exactly one of many racing registrations, across two nodes', async () => {
    await repos.registrationTokens.create(iat('a', { maxUses: 1 }));
    const other = await peer();
    const attempts = Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? repos : other.repos).registrationTokens.use('hash-a', NOW));
    const won = (await Promise.all(attempts)).filter((r) => r !== undefined);
    expect(won).toHaveLength(1);
  });
});
