import { createHmac, timingSafeEqual } from 'node:crypto';
import type { JWTPayload } from 'jose';
import type { Client } from '../model.ts';
import { isHmacAssertionAlg, type HmacAssertionAlg } from './algorithms.ts';
import { checkAssertionClaims, failed, type AssertionDeps } from './private-key-jwt.ts';
import { decryptClientSecret } from './secret-encryption.ts';

export type SecretJwtDeps = Omit<AssertionDeps, 'keys'> & { kek: Buffer | undefined };

const HASH: Record<HmacAssertionAlg, string> = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };

/** A client that authenticates with client_secret_jwt and whose secret the server holds (encrypted). */
export const usesSecretJwt = (c: Client): boolean => c.tokenEndpointAuthMethod === 'client_secret_jwt' && (c.secretEncrypted ?? null) !== null;

/**
 * client_secret_jwt (RFC 7523 §2.2 and §3, OpenID Connect Core §9): a JWT MACed with HS256, HS384 or HS512 keyed by
 * the client secret (RFC 7518 §3.2), for this server, recently, and once. The MAC is recomputed with node:crypto
 * and compared in constant time; the claims get the same checks as private_key_jwt (checkAssertionClaims).
 */
export async function verifyClientSecretJwt(deps: SecretJwtDeps, client: Client, assertion: string): Promise<void> {
  const payload = verifiedPayload(deps, client, assertion);
  await checkAssertionClaims(deps, client, payload);
}

function verifiedPayload(deps: SecretJwtDeps, client: Client, assertion: string): JWTPayload {
  const parts = assertion.split('.');
  if (parts.length !== 3) throw failed(new Error('not a JWS compact serialization'));
  const [h = '', p = '', s = ''] = parts;
  const header = parseJson(h);
  // Only the HMAC algorithms: never none (RFC 7518 §3.6), never an asymmetric one for a secret (algorithm confusion).
  if (!isHmacAssertionAlg(header['alg'])) throw failed(new Error(`alg ${String(header['alg'])} is not an HMAC algorithm`));
  if (header['crit'] !== undefined || header['b64'] !== undefined) throw failed(new Error('unsupported header parameter'));
  const stored = client.secretEncrypted ?? null;
  const key = deps.kek === undefined || stored === null ? undefined : decryptClientSecret(stored, client.id, deps.kek);
  if (!key) throw failed(new Error('the client secret cannot be decrypted with this key-encryption key'));
  const expected = createHmac(HASH[header['alg']], key).update(`${h}.${p}`).digest();
  key.fill(0);
  const given = Buffer.from(s, 'base64url');
  // timingSafeEqual needs equal lengths; a length differs only for a malformed MAC, which reveals nothing secret.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw failed(new Error('MAC mismatch'));
  const payload = parseJson(p) as JWTPayload;
  checkTimes(deps, client, payload);
  return payload;
}

/** RFC 7523 §3 items 1, 2, 4, 6 as jose's jwtVerify checks them for private_key_jwt: iss, sub, exp (required), nbf. */
function checkTimes(deps: SecretJwtDeps, client: Client, payload: JWTPayload): void {
  const now = deps.clock.now();
  const skew = deps.config.clientAssertions.clockSkewSeconds;
  if (payload.iss !== client.id || payload.sub !== client.id) throw failed(new Error('iss and sub must both be the client_id'));
  if (typeof payload.exp !== 'number') throw failed(new Error('exp is required'));
  if (payload.exp <= now - skew) throw failed(new Error('assertion expired'));
  if (payload.nbf !== undefined && (typeof payload.nbf !== 'number' || payload.nbf > now + skew)) throw failed(new Error('assertion not yet valid'));
  if (payload.iat !== undefined && typeof payload.iat !== 'number') throw failed(new Error('iat must be a number'));
}

function parseJson(part: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Falls through to the one refusal below.
  }
  throw failed(new Error('malformed JWT part'));
}
