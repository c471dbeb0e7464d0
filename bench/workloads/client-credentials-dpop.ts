import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { BASIC, BENCH } from '../common.ts';
import { singleRequest } from './sequence.ts';
import type { HttpRequest, Workload } from './types.ts';

/**
 * client_credentials with a DPoP proof (RFC 9449 §5): each request carries a fresh proof (new jti, current iat)
 * signed with one ES256 key, as a real DPoP client sends; the server verifies it, records its jti (single use) and
 * binds the token. The proof is signed synchronously in the load generator, so the measure is the server's.
 */
export const clientCredentialsDpop: Workload = {
  name: 'client_credentials_dpop',
  unit: 'req/s',
  describe: 'POST token: grant_type=client_credentials with an ES256 DPoP proof (fresh jti each request)',
  // oauth2-server has no DPoP; the ceilings answer one fixed request.
  supports: (t) => t.endpoints.token !== undefined && (t.name === 'latchkey' || t.name === 'oidc-provider'),
  async prepare(target) {
    const body = new URLSearchParams({ grant_type: 'client_credentials', scope: BENCH.clientScope }).toString();
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const htu = target.origin + (target.endpoints.token ?? '');
    const build = (): HttpRequest => ({
      method: 'POST',
      path: target.endpoints.token ?? '',
      headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded', dpop: dpopProof(privateKey, publicKey, htu) },
      body,
    });
    return singleRequest(build, (res) =>
      res.status === 200 && /"token_type":"DPoP"/i.test(res.body) ? undefined : `${res.status} ${res.body.slice(0, 160)}`,
    );
  },
};

const enc = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** The encoded header is the same for every proof of a key: made once, so the load generator spends its CPU signing. */
const headers = new WeakMap<KeyObject, string>();
function proofHeader(publicKey: KeyObject): string {
  let header = headers.get(publicKey);
  if (header === undefined) {
    const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
    header = enc({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty, crv, x, y } });
    headers.set(publicKey, header);
  }
  return header;
}

/**
 * A fresh ES256 DPoP proof (RFC 9449 §4.2): new jti, current iat; `ath` (the access token's SHA-256, §4.2) when the
 * proof goes with an access token to a resource. Also used by `npm run bench:verifier`.
 */
export function dpopProof(privateKey: KeyObject, publicKey: KeyObject, htu: string, htm = 'POST', ath?: string): string {
  const claims = { jti: randomUUID(), htm, htu, iat: Math.floor(Date.now() / 1000), ...(ath === undefined ? {} : { ath }) };
  const input = `${proofHeader(publicKey)}.${enc(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}
