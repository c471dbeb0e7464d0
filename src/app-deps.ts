import type { CoreDeps } from './core/context.ts';
import type { DpopVerifier } from './core/dpop/proof.ts';
import type { SigningKeys } from './core/keys/service.ts';
import type { GrantMap } from './core/token/grant.ts';

/** Everything the HTTP layer hands to the core: config, clock, repositories, logger, and the grant map. */
export interface AppDeps extends CoreDeps {
  grants: GrantMap;
  /** Signing keys: `keys.keyring.sign(payload, { alg, typ })` for ID tokens and other JWTs; the JWKS. */
  keys: SigningKeys;
  /** DPoP proof checks (RFC 9449), shared by the token endpoint and the resources; absent when `dpop.enabled` is false. */
  dpop?: DpopVerifier | undefined;
}
