import { createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { BENCH } from '../common.ts';
import type { Target } from './types.ts';

/** What a relying party checks of an ID token (OpenID Connect Core §3.1.3.7), with keys prepared once. */
export interface IdTokenChecker {
  /** undefined when the token is valid; else why not. */
  check(idToken: string | undefined, nonce: string): string | undefined;
}

/** Reads the server's discovery document and JWKS once (setup, before the warm-up), as a relying party caches them. */
export async function idTokenChecker(target: Target): Promise<IdTokenChecker> {
  const meta = (await (await fetch(target.origin + (target.endpoints.openidConfiguration ?? ''))).json()) as { issuer: string; jwks_uri: string };
  const jwks = (await (await fetch(meta.jwks_uri)).json()) as { keys: (JsonWebKey & { kid?: string })[] };
  const keys = new Map<string, KeyObject>();
  for (const jwk of jwks.keys) if (jwk.kid) keys.set(jwk.kid, createPublicKey({ key: jwk, format: 'jwk' }));
  return {
    check(idToken, nonce) {
      if (!idToken) return 'missing';
      const [h = '', p = '', s = ''] = idToken.split('.');
      const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { alg?: string; kid?: string };
      const key = keys.get(header.kid ?? '');
      if (!key) return `unknown kid ${header.kid ?? ''}`;
      const data = Buffer.from(`${h}.${p}`);
      const sig = Buffer.from(s, 'base64url');
      const ok =
        header.alg === 'RS256' ? verify('sha256', data, key, sig)
        : header.alg === 'ES256' ? verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, sig)
        : header.alg === 'EdDSA' ? verify(null, data, key, sig)
        : false;
      if (!ok) return `bad signature (${header.alg ?? '?'})`;
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as { iss?: string; aud?: string | string[]; exp?: number; nonce?: string };
      if (claims.iss !== meta.issuer) return 'iss';
      if (!(Array.isArray(claims.aud) ? claims.aud : [claims.aud]).includes(BENCH.clientId)) return 'aud';
      if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) return 'exp';
      if (claims.nonce !== nonce) return 'nonce';
      return undefined;
    },
  };
}
