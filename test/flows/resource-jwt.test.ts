import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, IntrospectionError, TokenVerificationError, type Verifier } from '../../src/index.ts';
import { newKey, startJwtIssuer, type JwtIssuer } from '../support/jwt-issuer.ts';

/**
 * RFC 9068 §4: a resource validating JWT access tokens locally, against the keys the issuer publishes at its
 * jwks_uri (discovered from RFC 8414 metadata), with no call to the authorization server per request.
 */

const RESOURCE = 'https://notes.example/mcp';
const OTHER_RESOURCE = 'https://calendar.example/mcp';

let issuer: JwtIssuer;
let verifier: Verifier;
let clockMs = Date.now();

async function expectRefused(promise: Promise<unknown>, error: string, status: number): Promise<TokenVerificationError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TokenVerificationError);
  const tve = err as TokenVerificationError;
  expect({ error: tve.error, status: tve.status }).toEqual({ error, status });
  return tve;
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

beforeAll(async () => {
  issuer = await startJwtIssuer(['ES256', 'RS256', 'EdDSA', 'PS256']);
  verifier = createVerifier({ issuer: issuer.url, resource: RESOURCE, format: 'jwt', now: () => clockMs, clockToleranceSeconds: 30 });
});

afterAll(async () => {
  await issuer?.close();
});

describe('JWT access tokens validated locally (RFC 9068 §4)', () => {
  it('accepts an at+jwt for this resource signed with each published key type, and exposes its claims', async () => {
    for (const key of issuer.keys) {
      const token = await issuer.mint(RESOURCE, { scope: 'notes:read notes:write', username: 'alice' }, {}, key);
      const out = await verifier.verify(token, { scope: 'notes:read' });
      expect(out).toMatchObject({ active: true, format: 'jwt', sub: 'user-1', clientId: 'mcp-client', scope: ['notes:read', 'notes:write'], aud: [RESOURCE], username: 'alice' });
      expect(typeof out.jti).toBe('string');
    }
  });

  it('accepts the media type spelled in full, typ "application/at+jwt" (RFC 9068 §4 item 1)', async () => {
    const token = await issuer.mint(RESOURCE, {}, { typ: 'application/at+jwt' });
    await expect(verifier.verify(token)).resolves.toMatchObject({ format: 'jwt' });
  });

  it('accepts an aud array that contains this resource (RFC 7519 §4.1.3)', async () => {
    await expect(verifier.verify(await issuer.mint([OTHER_RESOURCE, RESOURCE]))).resolves.toMatchObject({ aud: [OTHER_RESOURCE, RESOURCE] });
  });

  it('refuses a JWT whose typ is not at+jwt, such as an ID token, with invalid_token 401 (RFC 9068 §4 item 1)', async () => {
    await expectRefused(verifier.verify(await issuer.mint(RESOURCE, {}, { typ: 'JWT' })), 'invalid_token', 401);
    await expectRefused(verifier.verify(await issuer.mint(RESOURCE, {}, { typ: undefined })), 'invalid_token', 401);
  });

  it("refuses a token meant for another resource with invalid_token 401 (RFC 9068 §4 item 4, RFC 8707)", async () => {
    const err = await expectRefused(verifier.verify(await issuer.mint(OTHER_RESOURCE)), 'invalid_token', 401);
    expect(err.message).toMatch(/not meant for this resource/);
  });

  it('refuses a token from another issuer, compared exactly (RFC 9068 §4 item 3)', async () => {
    await expectRefused(verifier.verify(await issuer.mint(RESOURCE, { iss: `${issuer.url}/` })), 'invalid_token', 401);
    await expectRefused(verifier.verify(await issuer.mint(RESOURCE, { iss: 'https://evil.example' })), 'invalid_token', 401);
  });

  it('refuses alg none, whatever the claims say (RFC 8725 §3.1)', async () => {
    const payload = { iss: issuer.url, aud: RESOURCE, sub: 'u', client_id: 'c', jti: 'j', iat: 1, exp: 9_999_999_999 };
    const unsigned = `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(payload)}.`;
    await expectRefused(verifier.verify(unsigned), 'invalid_token', 401);
    const fakeSig = `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(payload)}.AAAA`;
    await expectRefused(verifier.verify(fakeSig), 'invalid_token', 401);
  });

  it('refuses HS256 signed with the public key as the secret: no symmetric algorithms (RFC 8725 §3.2)', async () => {
    const key = issuer.keys.find((k) => k.alg === 'RS256');
    const secret = new TextEncoder().encode(JSON.stringify(key?.publicJwk));
    const token = await new SignJWT({ client_id: 'c', jti: 'j' })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: key?.kid ?? '' })
      .setIssuer(issuer.url).setSubject('u').setAudience(RESOURCE).setIssuedAt().setExpirationTime('5m')
      .sign(secret);
    const err = await expectRefused(verifier.verify(token), 'invalid_token', 401);
    expect(err.message).toMatch(/algorithm/);
  });

  it('refuses a token signed by a key that is not published, under a published kid', async () => {
    const impostor = await newKey('ES256', issuer.keys[0]?.kid);
    const err = await expectRefused(verifier.verify(await issuer.mint(RESOURCE, {}, {}, impostor)), 'invalid_token', 401);
    expect(err.message).toMatch(/signature is invalid/);
  });

  it('refuses a token whose payload was altered after signing', async () => {
    const [h, , s] = (await issuer.mint(RESOURCE, { scope: 'notes:read' })).split('.');
    const forged = `${h}.${b64({ iss: issuer.url, aud: RESOURCE, sub: 'admin', client_id: 'c', jti: 'j', iat: 1, exp: 9_999_999_999, scope: 'notes:admin' })}.${s}`;
    await expectRefused(verifier.verify(forged), 'invalid_token', 401);
  });

  it('refuses an expired token, with a small leeway for clock drift (RFC 9068 §4 item 6)', async () => {
    const nowS = Math.floor(clockMs / 1000);
    await expect(verifier.verify(await issuer.mint(RESOURCE, { exp: nowS - 10 }))).resolves.toMatchObject({ format: 'jwt' });
    await expectRefused(verifier.verify(await issuer.mint(RESOURCE, { exp: nowS - 31 })), 'invalid_token', 401);
  });

  it('refuses a token that is not valid yet (nbf) or issued in the future (iat), beyond the leeway', async () => {
    const nowS = Math.floor(clockMs / 1000);
    await expectRefused(verifier.verify(await issuer.mint(RESOURCE, { nbf: nowS + 120 })), 'invalid_token', 401);
    await expectRefused(verifier.verify(await issuer.mint(RESOURCE, { iat: nowS + 120 })), 'invalid_token', 401);
  });

  it('refuses a token without the required claims sub, client_id or jti (RFC 9068 §2.2)', async () => {
    for (const missing of ['sub', 'client_id', 'jti']) {
      await expectRefused(verifier.verify(await issuer.mint(RESOURCE, { [missing]: undefined })), 'invalid_token', 401);
    }
  });

  it('refuses a token lacking a required scope with insufficient_scope 403 naming the scope (RFC 6750 §3.1)', async () => {
    const err = await expectRefused(verifier.verify(await issuer.mint(RESOURCE, { scope: 'notes:read' }), { scope: 'notes:write' }), 'insufficient_scope', 403);
    expect(err.scope).toBe('notes:write');
  });

  it('refuses what is not a JWT at all when only JWTs are expected', async () => {
    await expectRefused(verifier.verify('lk_at_opaque-token'), 'invalid_token', 401);
    await expectRefused(verifier.verify('a.b.c'), 'invalid_token', 401);
  });
});

describe('the JWKS cache (RFC 7517 §5): rotation picked up, refetching rate-limited', () => {
  it('fetches the JWKS once for many tokens, and again for a key published later (a rotation)', async () => {
    const local = createVerifier({ issuer: issuer.url, resource: RESOURCE, format: 'jwt', now: () => clockMs });
    const before = issuer.jwksFetches();
    for (let i = 0; i < 20; i++) await local.verify(await issuer.mint(RESOURCE));
    expect(issuer.jwksFetches() - before).toBe(1);
    clockMs += 31_000; // past the refetch cooldown
    const rotated = await issuer.addKey('ES256');
    await expect(local.verify(await issuer.mint(RESOURCE, {}, {}, rotated))).resolves.toMatchObject({ format: 'jwt' });
    expect(issuer.jwksFetches() - before).toBe(2);
  });

  it('refetches at most once per cooldown however many tokens carry unknown kids', async () => {
    const local = createVerifier({ issuer: issuer.url, resource: RESOURCE, format: 'jwt', now: () => clockMs });
    await local.verify(await issuer.mint(RESOURCE));
    const before = issuer.jwksFetches();
    const stranger = await newKey('ES256');
    const bogus = await Promise.all(Array.from({ length: 50 }, async () => issuer.mint(RESOURCE, {}, { kid: `made-up-${Math.random()}` }, stranger)));
    clockMs += 31_000;
    const results = await Promise.allSettled(bogus.map((t) => local.verify(t)));
    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof TokenVerificationError && r.reason.error === 'invalid_token')).toBe(true);
    expect(issuer.jwksFetches() - before).toBe(1);
    // Still within the cooldown: no more fetches.
    for (const t of bogus.slice(0, 10)) await expectRefused(local.verify(t), 'invalid_token', 401);
    expect(issuer.jwksFetches() - before).toBe(1);
  });

  it('keeps validating with the keys it has when a scheduled refresh of the JWKS fails', async () => {
    const local = createVerifier({ issuer: issuer.url, resource: RESOURCE, format: 'jwt', now: () => clockMs, jwksMaxAgeSeconds: 60 });
    await local.verify(await issuer.mint(RESOURCE));
    issuer.failJwks(true);
    try {
      clockMs += 61_000;
      const before = issuer.jwksFetches();
      await expect(local.verify(await issuer.mint(RESOURCE))).resolves.toMatchObject({ format: 'jwt' });
      expect(issuer.jwksFetches() - before).toBe(1);
    } finally {
      issuer.failJwks(false);
    }
  });

  it('refuses an algorithm name that only exists on Object.prototype in the allow-list', () => {
    expect(() => createVerifier({ issuer: issuer.url, resource: RESOURCE, format: 'jwt', algorithms: ['toString'] })).toThrow(/not accepted/);
  });

  it('answers IntrospectionError (503, not the caller’s fault) when the JWKS cannot be fetched', async () => {
    const broken = createVerifier({ issuer: issuer.url, resource: RESOURCE, format: 'jwt', jwksUri: 'http://127.0.0.1:1/jwks', timeoutMs: 2000 });
    await expect(broken.verify(await issuer.mint(RESOURCE))).rejects.toBeInstanceOf(IntrospectionError);
  });
});

describe('format auto: JWTs locally, opaque tokens by introspection', () => {
  /** A test double of the introspection endpoint answering with the given audience. */
  const introspectionSaying = (aud: unknown): typeof fetch => async (input) => {
    const url = String(input);
    if (url.endsWith('/introspect')) return Response.json({ active: true, client_id: 'api-client', scope: 'notes:read', aud, token_type: 'Bearer' });
    return fetch(input);
  };

  it('introspects an opaque token and validates an at+jwt locally', async () => {
    const auto = createVerifier({ issuer: issuer.url, resource: RESOURCE, clientId: 'api', clientSecret: 's', fetch: introspectionSaying(RESOURCE) });
    await expect(auto.verify('lk_at_opaque')).resolves.toMatchObject({ format: 'opaque', clientId: 'api-client', aud: [RESOURCE] });
    await expect(auto.verify(await issuer.mint(RESOURCE))).resolves.toMatchObject({ format: 'jwt', clientId: 'mcp-client' });
  });

  it('refuses an opaque token that introspection says is for another resource (RFC 8707 §2, RFC 7662 §2.2 aud)', async () => {
    const auto = createVerifier({ issuer: issuer.url, resource: RESOURCE, clientId: 'api', clientSecret: 's', fetch: introspectionSaying([OTHER_RESOURCE]) });
    await expectRefused(auto.verify('lk_at_opaque'), 'invalid_token', 401);
  });
});

describe('configuration mistakes fail at start-up', () => {
  it('refuses JWT validation without a resource identifier: the audience could not be checked (RFC 9068 §4)', () => {
    expect(() => createVerifier({ issuer: issuer.url, format: 'jwt' })).toThrow(/resource/);
  });

  it('refuses none and HS* in the algorithm allow-list (RFC 8725 §3.1, §3.2)', () => {
    for (const alg of ['none', 'HS256']) {
      expect(() => createVerifier({ issuer: issuer.url, resource: RESOURCE, format: 'jwt', algorithms: [alg] })).toThrow(/never none or HS/);
    }
  });

  it('refuses a resource identifier with a fragment or that is not absolute (RFC 8707 §2)', () => {
    expect(() => createVerifier({ issuer: issuer.url, resource: 'https://api.example/#x', format: 'jwt' })).toThrow(/fragment/);
    expect(() => createVerifier({ issuer: issuer.url, resource: '/api', format: 'jwt' })).toThrow(/absolute/);
  });

  it('refuses introspection without client credentials', () => {
    expect(() => createVerifier({ issuer: issuer.url, resource: RESOURCE })).toThrow(/clientId/);
  });
});
