import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.ts';
import type { ConfigInput } from '../../src/config/schema.ts';
import { startServer, type TestServer } from '../support/server.ts';

/**
 * Rotation without an outage (issue 11 "Keys"), end to end over HTTP with a fake clock: the next key is published
 * before it signs, a relying party that cached the JWKS keeps validating across the change, and a retired key stays
 * published until the tokens it signed have expired.
 */

const DAY = 86_400;
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setUp(keys: ConfigInput['keys'] = { rotationDays: 1, jwksMaxAgeSeconds: 60 }) {
  const clock = new FakeClock();
  server = await startServer({ keys }, { clock });
  const s = server;
  const jwks = async (): Promise<JSONWebKeySet> => (await (await fetch(`${s.url}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
  const kids = async () => (await jwks()).keys.map((k) => k.kid);
  const sign = (alg: 'RS256' | 'ES256' | 'EdDSA' = 'ES256') =>
    s.latchkey.deps.keys.keyring.sign({ iss: s.url, sub: 'alice', aud: 'web-app', iat: clock.now(), exp: clock.now() + 3600 }, { alg });
  /** A relying party holding `cached`, validating at the fake clock's time. */
  const validates = async (jwt: string, cached: JSONWebKeySet) => {
    const { protectedHeader } = await jwtVerify(jwt, createLocalJWKSet(cached), { issuer: s.url, audience: 'web-app', currentDate: new Date(clock.now() * 1000) });
    return protectedHeader.kid;
  };
  return { clock, s, jwks, kids, sign, validates, keys: s.latchkey.deps.keys };
}

describe('automatic rotation (keys.rotationDays)', () => {
  it('publishes the next key before it signs, keeps cached relying parties validating, and unpublishes the old key after its tokens expire', async () => {
    const { clock, s, jwks, kids, sign, validates, keys } = await setUp();
    const first = await keys.keyring.currentKid('ES256');
    const before = await jwks();
    expect(await validates(await sign(), before)).toBe(first);

    // Not yet due: nothing changes.
    clock.advance(DAY - 10);
    await s.latchkey.janitor.runOnce();
    expect(await kids()).toHaveLength(3);

    // Due: a next key per algorithm is published at once and does not sign yet.
    clock.advance(10);
    await s.latchkey.janitor.runOnce();
    const published = await jwks();
    expect(published.keys).toHaveLength(6);
    expect(await keys.keyring.currentKid('ES256')).toBe(first);
    const next = (await keys.list()).find((k) => k.alg === 'ES256' && k.state === 'next');
    expect(next?.activatesAt).toBe(clock.now() + 120);

    // publishAheadSeconds (2 × 60 s) later the next key signs; the relying party's copy, fetched before, has it.
    clock.advance(119);
    expect(await keys.keyring.currentKid('ES256')).toBe(first);
    // The last token the old key signs, valid for an hour.
    const oldToken = await sign();
    clock.advance(1);
    expect(await keys.keyring.currentKid('ES256')).toBe(next?.kid);
    expect(await validates(await sign(), published)).toBe(next?.kid);
    // The retired key is still published: tokens it signed still validate for a relying party that refetches.
    expect(await kids()).toContain(first);
    expect(await validates(oldToken, await jwks())).toBe(first);
    expect((await keys.list()).find((k) => k.kid === first)?.state).toBe('retired');

    // Retired at activation, kept for the longest signed-token lifetime (3600 s) + 60 s of skew, then gone.
    clock.advance(3659);
    expect(await kids()).toContain(first);
    clock.advance(1);
    expect(await kids()).not.toContain(first);
    expect(await kids()).toHaveLength(3);
    await s.latchkey.janitor.runOnce();
    expect((await s.latchkey.storage.repos.signingKeys.list()).map((k) => k.kid)).not.toContain(first);
  });

  it('never rotates on its own with keys.rotationDays 0', async () => {
    const { clock, s, kids } = await setUp({ rotationDays: 0 });
    const before = await kids();
    clock.advance(3650 * DAY);
    await s.latchkey.janitor.runOnce();
    expect(await kids()).toEqual(before);
  });

  it('rotates at start-up a key that fell due while no node ran', async () => {
    const { clock, s } = await setUp();
    const config = s.latchkey.deps.config;
    await s.latchkey.close();
    server = undefined;
    clock.advance(2 * DAY);
    const { buildLatchkey } = await import('../../src/main.ts');
    const again = await buildLatchkey(config, { clock });
    try {
      expect((await again.deps.keys.list()).filter((k) => k.state === 'next')).toHaveLength(3);
    } finally {
      await again.close();
    }
  });
});

describe('manual rotation and retirement (latchkey keys rotate / retire)', () => {
  it('rotate publishes a next key that signs after publishAheadSeconds; --now signs with it at once', async () => {
    const { clock, keys, kids } = await setUp();
    const first = await keys.keyring.currentKid('RS256');
    const { created } = await keys.rotate('RS256', false);
    expect(await kids()).toContain(created[0]?.kid);
    expect(await keys.keyring.currentKid('RS256')).toBe(first);
    clock.advance(120);
    expect(await keys.keyring.currentKid('RS256')).toBe(created[0]?.kid);
    const urgent = await keys.rotate('RS256', true);
    expect(await keys.keyring.currentKid('RS256')).toBe(urgent.created[0]?.kid);
  });

  it('a second rotate replaces a pending next key, which leaves the JWKS at once (it never signed)', async () => {
    const { keys, kids } = await setUp();
    const a = (await keys.rotate('EdDSA', false)).created[0]?.kid;
    const b = (await keys.rotate('EdDSA', false)).created[0]?.kid;
    expect(await kids()).toContain(b);
    expect(await kids()).not.toContain(a);
  });

  it('retire stops the active key signing at once, a fresh key replaces it, and it stays published until its tokens expire', async () => {
    const { clock, keys, kids, sign, validates, jwks } = await setUp();
    const first = await keys.keyring.currentKid('ES256');
    const token = await sign();
    const outcome = await keys.retire(first, false);
    expect(outcome?.replacement?.alg).toBe('ES256');
    expect(await keys.keyring.currentKid('ES256')).toBe(outcome?.replacement?.kid);
    expect(await validates(token, await jwks())).toBe(first);
    clock.advance(3660);
    expect(await kids()).not.toContain(first);
  });

  it('retire --unpublish removes a compromised key from the JWKS at once, so its tokens stop validating', async () => {
    const { keys, kids, sign, validates, jwks } = await setUp();
    const first = await keys.keyring.currentKid('ES256');
    const token = await sign();
    await keys.retire(first, true);
    expect(await kids()).not.toContain(first);
    await expect(validates(token, await jwks())).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
  });

  it('retire of an unknown kid changes nothing', async () => {
    const { keys, kids } = await setUp();
    const before = await kids();
    expect(await keys.retire('no-such-kid', false)).toBeUndefined();
    expect(await kids()).toEqual(before);
  });
});
