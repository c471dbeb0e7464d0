import { extractBearer, type BearerSources } from '../bearer.ts';
import { InvalidRequest } from '../errors.ts';
import type { Token } from '../model.ts';
import { InvalidDpopToken } from './errors.ts';
import { verifyProof, type DpopVerifier } from './proof.ts';

/** An access token as a resource received it: with the Bearer scheme (RFC 6750) or the DPoP one (RFC 9449 §7.1). */
export interface Presentation {
  token: string;
  scheme: 'Bearer' | 'DPoP';
}

/** The request as the proof is checked against it: method, public URL (htu), the DPoP header(s), the time. */
export interface ResourceRequest {
  method: string;
  url: string;
  proof: string | readonly string[] | undefined;
  now: number;
}

const DPOP_AUTHORIZATION = /^DPoP +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * RFC 9449 §7.1: `Authorization: DPoP <token>`; otherwise RFC 6750 §2 as before. A DPoP presentation is in the header
 * only, so a token in the body or query as well is a second method (RFC 6750 §2: invalid_request).
 */
export function extractPresentation(src: BearerSources, allowQuery: boolean, dpopEnabled: boolean): Presentation {
  if (dpopEnabled && src.authorization !== undefined && /^DPoP\b/i.test(src.authorization)) {
    const m = DPOP_AUTHORIZATION.exec(src.authorization);
    if (!m?.[1]) throw new InvalidRequest('malformed DPoP authorization header');
    if (src.body !== undefined || src.query !== undefined) throw new InvalidRequest('use only one method to send the access token');
    return { token: m[1], scheme: 'DPoP' };
  }
  return { token: extractBearer(src, allowQuery), scheme: 'Bearer' };
}

/**
 * RFC 9449 §7.1: a DPoP-bound token is accepted only with the DPoP scheme and a valid proof of its key whose `ath`
 * is the token's hash; presented as a bearer token it is refused (invalid_token in a DPoP challenge), as is a token
 * that is not bound presented with the DPoP scheme. A bearer token presented as such passes unchanged.
 */
export async function confirmPresentation(dpop: DpopVerifier | undefined, token: Pick<Token, 'dpopJkt'>, p: Presentation, req: ResourceRequest): Promise<void> {
  if (p.scheme === 'Bearer') {
    if (token.dpopJkt !== null) throw new InvalidDpopToken('this access token is DPoP-bound: present it with the DPoP scheme and a proof');
    return;
  }
  if (!dpop) throw new InvalidRequest('the DPoP scheme is not accepted here');
  const { jkt } = await verifyProof(dpop, { proof: req.proof, method: req.method, url: req.url, now: req.now, accessToken: p.token, site: 'resource' });
  if (token.dpopJkt === null) throw new InvalidDpopToken('this access token is not DPoP-bound: present it with the Bearer scheme');
  if (token.dpopJkt !== jkt) throw new InvalidDpopToken('the DPoP proof is not of the key this access token is bound to');
}
