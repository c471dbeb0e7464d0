import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { syncDeclared } from '../../src/bootstrap.ts';
import { parseConfig } from '../../src/config/load.ts';
import { backends, type OpenedBackend } from '../support/storage-backends.ts';

/** Declared users' claims (OpenID Connect Core §5.1) are synced at each start, as their name and email are. */

const sqlite = backends.find((b) => b.name === 'sqlite');
if (!sqlite) throw new Error('the sqlite backend is always there');
const NOW = 1_800_000_000;
const config = (claims?: Record<string, unknown>, email = 'ada@example.com') =>
  parseConfig({ users: [{ username: 'ada', password: 'a long password', email, ...(claims ? { claims } : {}) }] });

describe('syncDeclared: declared user claims', () => {
  let opened: OpenedBackend;
  beforeEach(async () => {
    opened = await sqlite.open();
  });
  afterEach(async () => {
    await opened.dispose();
  });
  const ada = () => opened.storage.repos.users.findByUsername('ada');

  it('creates the user with the declared claims, replaces them at the next start, and keeps updated_at when nothing changed', async () => {
    const { repos } = opened.storage;
    await syncDeclared(repos, config({ nickname: 'ada', email_verified: true, address: { country: 'UK' } }), NOW);
    expect(await ada()).toMatchObject({ claims: { nickname: 'ada', email_verified: true, address: { country: 'UK' } }, updatedAt: NOW });
    await syncDeclared(repos, config({ nickname: 'ada', email_verified: true, address: { country: 'UK' } }), NOW + 10);
    expect((await ada())?.updatedAt).toBe(NOW);
    await syncDeclared(repos, config({ given_name: 'Ada' }), NOW + 20);
    expect(await ada()).toMatchObject({ claims: { given_name: 'Ada' }, updatedAt: NOW + 20 });
  });

  it('leaves claims edited elsewhere alone when the file declares none', async () => {
    const { repos } = opened.storage;
    await syncDeclared(repos, config(), NOW);
    const user = await ada();
    await repos.users.update(user?.id ?? '', { claims: { nickname: 'countess', email_verified: true } });
    await syncDeclared(repos, config(), NOW + 10);
    expect((await ada())?.claims).toEqual({ nickname: 'countess', email_verified: true });
  });

  it('refuses a declared claim that fails validation, naming the key', () => {
    expect(() => config({ website: 'ftp://ada.example' })).toThrow(/users\.0\.claims\.website: an absolute http:\/\/ or https:\/\/ URL/);
  });
});
