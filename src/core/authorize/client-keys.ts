import type { JWTVerifyGetKey } from 'jose';
import type { CoreDeps } from '../context.ts';
import { keysFor } from '../client-auth/authenticate.ts';
import type { Client } from '../model.ts';

/**
 * The port "the client's public keys", against which its request objects are verified (RFC 9101 §6.1: the keys the
 * client registered). Undefined: the client has none, and its request objects are refused.
 */
export type ClientKeySource = (client: Client) => Promise<JWTVerifyGetKey | undefined>;

/**
 * The keys a client registered for private_key_jwt (`jwks` or `jwks_uri`, fetched and cached as for client
 * authentication: core/client-auth/client-keys.ts). The default source; BuildOptions.clientKeys replaces it in tests.
 */
export function registeredClientKeys(deps: Pick<CoreDeps, 'config' | 'clock' | 'clientChosenFetch'>): ClientKeySource {
  return async (client) => {
    const auth = client.assertionAuth;
    if (!auth) return undefined;
    return (header) => keysFor(deps, client).keyFor(auth, header);
  };
}
