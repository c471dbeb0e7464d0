import { InvalidToken, OAuthError } from '../errors.ts';

/**
 * Where a DPoP error is answered decides its status: 400 at the token endpoint (RFC 9449 §5), 401 with a `DPoP`
 * challenge at a protected resource (§7.1).
 */
export type DpopSite = 'token' | 'resource';

/** RFC 9449 §5, §7.1: the DPoP proof is missing where required, malformed, or fails a check of §4.3. */
export class InvalidDpopProof extends OAuthError {
  readonly error = 'invalid_dpop_proof';
  readonly status: 400 | 401;
  constructor(description: string, site: DpopSite = 'token', options?: { cause?: unknown }) {
    super(description, options);
    this.status = site === 'token' ? 400 : 401;
  }
}

/** RFC 9449 §8 (token endpoint), §9 (resources): send the proof again with this nonce (the `DPoP-Nonce` header). */
export class UseDpopNonce extends OAuthError {
  readonly error = 'use_dpop_nonce';
  readonly status: 400 | 401;
  readonly nonce: string;
  constructor(description: string, nonce: string, site: DpopSite = 'token') {
    super(description);
    this.nonce = nonce;
    this.status = site === 'token' ? 400 : 401;
  }
}

/**
 * RFC 9449 §7.1: an access token refused at a resource for a DPoP reason (a bound token presented as a bearer token,
 * or with a proof of another key). Answered as invalid_token in a `DPoP` challenge rather than a `Bearer` one.
 */
export class InvalidDpopToken extends InvalidToken {}

/** True for errors whose WWW-Authenticate challenge is `DPoP` (RFC 9449 §7.1), not `Bearer`. */
export const isDpopChallenge = (err: OAuthError): boolean =>
  err instanceof InvalidDpopProof || err instanceof UseDpopNonce || err instanceof InvalidDpopToken;
