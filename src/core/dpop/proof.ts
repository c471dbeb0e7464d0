import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, jwtVerify, type JWK } from 'jose';
import { InvalidDpopProof, UseDpopNonce, type DpopSite } from './errors.ts';
import type { DpopNonces } from './nonce.ts';
import type { DpopProofStore } from './replay.ts';
import { sameHtu } from './htu.ts';

/** How proofs are checked: the `dpop` configuration section, with the nonce source and the replay store. */
export interface DpopVerifier {
  windowSeconds: number;
  algorithms: readonly string[];
  /** Present when nonces are required (RFC 9449 §8-9). */
  nonces?: DpopNonces | undefined;
  store: DpopProofStore;
}

export interface ProofInput {
  /** The `DPoP` header value(s) as received. */
  proof: string | readonly string[] | undefined;
  /** The HTTP method of the request (htm). */
  method: string;
  /** The request's URL as the server publishes it (htu): query and fragment are ignored. */
  url: string;
  now: number;
  /** At a resource: the access token presented, whose hash the proof's `ath` must carry (§4.3 point 12, §7.1). */
  accessToken?: string | undefined;
  site: DpopSite;
}

export interface VerifiedProof {
  /** RFC 7638 JWK SHA-256 thumbprint of the proof's key: what tokens are bound to (§6.1 cnf.jkt). */
  jkt: string;
}

/** Proofs are small (a header, a public key, five claims); a large one is refused before any parsing. */
const MAX_PROOF_LENGTH = 8192;

/** RFC 9449 §4.2 ath: base64url of the SHA-256 of the access token's ASCII. */
export const accessTokenHash = (token: string): string => createHash('sha256').update(token, 'ascii').digest('base64url');

/**
 * RFC 9449 §4.3: checks a DPoP proof, in the order the section lists, then records its `jti` (§11.1) so that the
 * same proof is refused everywhere for as long as its `iat` would pass. Every failure is invalid_dpop_proof (§5, §7.1),
 * and its description never repeats the proof.
 */
export async function verifyProof(v: DpopVerifier, input: ProofInput): Promise<VerifiedProof> {
  const fail = (why: string, cause?: unknown) => new InvalidDpopProof(`the DPoP proof ${why}`, input.site, cause === undefined ? undefined : { cause });
  // §4.3 point 1: exactly one DPoP header.
  if (typeof input.proof !== 'string') throw fail(input.proof === undefined ? 'is missing' : 'must be sent in one DPoP header');
  const proof = input.proof;
  if (proof.length > MAX_PROOF_LENGTH || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(proof)) throw fail('is not a compact JWT');
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(proof);
  } catch (err) {
    throw fail('has an unreadable header', err);
  }
  // Points 4 and 5: typ dpop+jwt; an asymmetric algorithm from the allow-list (never none, never a MAC).
  if (header.typ !== 'dpop+jwt') throw fail('must have typ dpop+jwt');
  if (typeof header.alg !== 'string' || !v.algorithms.includes(header.alg)) throw fail('uses an algorithm this server does not accept');
  const jwk = header.jwk;
  // Point 7: the key must be public; jose refuses a private one too, this names the reason.
  if (jwk === undefined || typeof jwk !== 'object' || 'd' in jwk || jwk.kty === 'oct') throw fail('must carry a public key in its jwk header');
  let payload: Record<string, unknown>;
  try {
    // Point 6: the signature, with the embedded key.
    ({ payload } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: [...v.algorithms], currentDate: new Date(input.now * 1000) }));
  } catch (err) {
    throw fail('signature or key is invalid', err);
  }
  // Point 3: the claims every proof has.
  const { jti, htm, htu, iat } = payload;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > 256) throw fail('must have a jti');
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw fail('must have an iat');
  // Point 8: htm is the request's method.
  if (htm !== input.method) throw fail('htm does not match the request method');
  // Point 9: htu is the request's URI, without query and fragment (§4.3 normalisation).
  if (typeof htu !== 'string' || !sameHtu(htu, input.url)) throw fail('htu does not match the request URI');
  // Point 10: a server nonce, when this server requires them (§8 at the token endpoint, §9 at resources).
  if (v.nonces) {
    const nonce = payload['nonce'];
    if (typeof nonce !== 'string' || !v.nonces.accepts(nonce, input.now)) {
      throw new UseDpopNonce('the DPoP proof must carry the nonce of the DPoP-Nonce header', v.nonces.current(input.now), input.site);
    }
  }
  // Point 11: iat within the window around the server's clock (§11.1).
  if (Math.abs(input.now - iat) > v.windowSeconds) throw fail('iat is outside the accepted window');
  // Point 12: at a resource, ath is the hash of the access token presented with it.
  if (input.accessToken !== undefined) {
    const ath = payload['ath'];
    if (typeof ath !== 'string') throw fail('must have an ath for the access token');
    if (ath !== accessTokenHash(input.accessToken)) throw fail('ath does not match the access token');
  }
  const jkt = await calculateJwkThumbprint(jwk as JWK, 'sha256');
  // §11.1: single use. The key is scoped by thumbprint (jtis are unique per key), hashed to a fixed size. It is
  // remembered until the proof's iat leaves the window, after which point 11 refuses it anyway.
  const key = createHash('sha256').update(`${jkt}.${jti}`).digest('base64url');
  if (!(await v.store.use(key, Math.max(iat, input.now) + v.windowSeconds + 1, input.now))) throw fail('has been used before');
  return { jkt };
}
