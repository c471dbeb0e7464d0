import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { syncDeclared } from '../../src/bootstrap.ts';
import { parseConfig } from '../../src/config/load.ts';
import { backends, type OpenedBackend } from '../support/storage-backends.ts';

/** Declared trusted issuers (tokenExchange.trustedIssuers) are written into the database at each start, like resources. */

const sqlite = backends.find((b) => b.name === 'sqlite');
if (!sqlite) throw new Error('the sqlite backend is always there');
const NOW = 1_800_000_000;
const PUBLIC = { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' };
const config = (trusted: Record<string, unknown>[]) => parseConfig({ tokenExchange: { trustedIssuers: trusted } });

describe('syncDeclared: declared trusted issuers', () => {
  let opened: OpenedBackend;
  beforeEach(async () => {
    opened = await sqlite.open();
  });
  afterEach(async () => {
    await opened.dispose();
  });

  it('creates a declared issuer (named by its iss when unnamed), updates it at the next start, and leaves others alone', async () => {
    const { repos } = opened.storage;
    await repos.trustedIssuers.create({ issuer: 'https://made-in-console.example', name: 'Console', jwks: null, jwksUri: 'https://made-in-console.example/jwks', userClaim: 'sub', userBy: 'id' }, NOW - 1);
    await syncDeclared(repos, config([{ issuer: 'https://idp.example', jwks: { keys: [PUBLIC] } }]), NOW);
    expect(await repos.trustedIssuers.find('https://idp.example')).toEqual({
      issuer: 'https://idp.example', name: 'https://idp.example', jwks: { keys: [PUBLIC] }, jwksUri: null, userClaim: 'sub', userBy: 'username', createdAt: NOW, updatedAt: NOW,
    });
    await syncDeclared(repos, config([{ issuer: 'https://idp.example', jwks: { keys: [PUBLIC] } }]), NOW + 10);
    expect((await repos.trustedIssuers.find('https://idp.example'))?.updatedAt).toBe(NOW);
    await syncDeclared(repos, config([{ issuer: 'https://idp.example', name: 'IdP', jwksUri: 'https://idp.example/jwks', userClaim: 'email' }]), NOW + 20);
    expect(await repos.trustedIssuers.find('https://idp.example')).toMatchObject({ name: 'IdP', jwks: null, jwksUri: 'https://idp.example/jwks', userClaim: 'email', updatedAt: NOW + 20 });
    expect((await repos.trustedIssuers.list()).map((t) => t.issuer)).toEqual(['https://made-in-console.example', 'https://idp.example']);
  });

  it('refuses to start with a private or symmetric key in a declared jwks, naming the key and storing nothing', async () => {
    const { repos } = opened.storage;
    const privateKey = { ...PUBLIC, d: 'jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI' };
    await expect(syncDeclared(repos, config([{ issuer: 'https://idp.example', jwks: { keys: [PUBLIC, privateKey] } }]), NOW)).rejects.toThrow(
      /tokenExchange\.trustedIssuers\.0\.jwks: key 1 is a private or secret key: give the issuer's public keys only/,
    );
    await expect(syncDeclared(repos, config([{ issuer: 'https://idp.example', jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } }]), NOW)).rejects.toThrow(
      /tokenExchange\.trustedIssuers\.0\.jwks: key 0 is a private or secret key/,
    );
    expect(await repos.trustedIssuers.list()).toEqual([]);
  });

  it('refuses the same issuer declared twice', async () => {
    const twice = config([{ issuer: 'https://idp.example', jwksUri: 'https://idp.example/jwks' }, { issuer: 'https://idp.example', jwksUri: 'https://idp.example/jwks2' }]);
    await expect(syncDeclared(opened.storage.repos, twice, NOW)).rejects.toThrow(/tokenExchange\.trustedIssuers\.1\.issuer: "https:\/\/idp\.example" is declared twice/);
  });
});
