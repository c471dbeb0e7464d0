import type { Config } from '../../config/schema.ts';
import { dpopNonces } from './nonce.ts';
import type { DpopVerifier } from './proof.ts';
import type { DpopProofStore } from './replay.ts';

/**
 * The proof checker of this server, from the `dpop` configuration section; undefined when DPoP is off (a server
 * that does not support DPoP ignores the header, RFC 9449 §5). Built once (main.ts), so the token endpoint and every
 * resource hand out and accept the same nonces.
 */
export function dpopVerifierFor(config: Config, store: DpopProofStore): DpopVerifier | undefined {
  const c = config.dpop;
  if (!c.enabled) return undefined;
  return {
    windowSeconds: c.proofWindowSeconds,
    algorithms: c.algorithms,
    nonces: c.requireNonce ? dpopNonces(c.nonceSecret, c.nonceLifetimeSeconds) : undefined,
    store,
  };
}
