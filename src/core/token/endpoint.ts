import { authenticateClient } from '../client-auth/authenticate.ts';
import type { CoreDeps, Params } from '../context.ts';
import { InvalidDpopProof } from '../dpop/errors.ts';
import { verifyProof, type DpopVerifier } from '../dpop/proof.ts';
import { InvalidRequest, UnauthorizedClient, UnsupportedGrantType } from '../errors.ts';
import type { GrantType } from '../model.ts';
import type { GrantMap } from './grant.ts';
import type { TokenResponse } from './issue.ts';

export interface TokenRequest {
  params: Params;
  authorization: string | undefined;
  /** See TokenContext.accessTokenTtlDefault. */
  accessTokenTtlDefault?: number | undefined;
  /** The requester's address, for the audit log. */
  address?: string | undefined;
  /** RFC 9449 §5: the `DPoP` header(s) and the endpoint's public URL (htu); absent without a DPoP header. */
  dpop?: { proof: string | readonly string[]; url: string } | undefined;
}

/** RFC 6749 §3.2 token endpoint: validate grant_type, authenticate the client, dispatch to the grant by key. */
export function tokenEndpoint(deps: CoreDeps<'clients' | 'clientAssertionJtis'>, grants: GrantMap, dpop?: DpopVerifier) {
  return async (req: TokenRequest): Promise<TokenResponse> => {
    const grantType = req.params['grant_type'];
    if (grantType === undefined || grantType === '') throw new InvalidRequest('grant_type is required');
    const grant = grants.get(grantType);
    if (!grant) throw new UnsupportedGrantType('this grant_type is not supported');
    const { client, method } = await authenticateClient(deps, req);
    if (!client.grantTypes.includes(grantType as GrantType)) {
      throw new UnauthorizedClient('the client is not allowed to use this grant_type');
    }
    if (method === 'none' && !grant.allowsPublicClients) {
      throw new UnauthorizedClient('a public client cannot use this grant_type');
    }
    for (const p of grant.parameters) {
      if (!req.params[p]) throw new InvalidRequest(`${p} is required`);
    }
    const now = deps.clock.now();
    // RFC 9449 §5: a valid proof makes the access token DPoP-bound to its key. Checked last, so a request refused
    // for another reason does not spend the proof's jti. Without DPoP support the header is ignored (§5).
    // §5.2 dpop_bound_access_tokens: such a client must always send a proof.
    if (client.dpopBoundAccessTokens && (!dpop || !req.dpop)) throw new InvalidDpopProof('this client must send a DPoP proof');
    const proof = dpop && req.dpop && (await verifyProof(dpop, { proof: req.dpop.proof, method: 'POST', url: req.dpop.url, now, site: 'token' }));
    return grant.handle({ client, params: req.params, now, accessTokenTtlDefault: req.accessTokenTtlDefault, address: req.address, dpopJkt: proof ? proof.jkt : undefined });
  };
}
