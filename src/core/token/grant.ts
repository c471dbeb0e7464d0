import type { Config } from '../../config/schema.ts';
import type { Audit } from '../audit.ts';
import type { Keyring } from '../keys/keyring.ts';
import type { Params, Logger } from '../context.ts';
import type { Client, GrantType } from '../model.ts';
import type { TokenResponse } from './issue.ts';

/** Everything a grant handler sees: built once per request at the boundary, never mutated. */
export interface TokenContext {
  client: Client;
  params: Params;
  now: number;
  /** Access-token lifetime for clients without their own, set by the route (a migration profile); else the server's. */
  accessTokenTtlDefault?: number | undefined;
  /** The requester's address, for the audit log. */
  address?: string | undefined;
  /** RFC 9449 §5: the thumbprint of the request's verified DPoP proof key; the tokens are bound to it. */
  dpopJkt?: string | undefined;
}

/**
 * A grant: `{ grantType, parameters, handle }`. Built-in and extension grants register the same way, in a map keyed
 * by grant_type (see main.ts); the endpoint dispatches by key, never by asking each handler.
 */
export interface GrantHandler {
  readonly grantType: GrantType;
  /** Parameters that must be present (RFC 6749 §5.2 invalid_request when missing). */
  readonly parameters: readonly string[];
  /** May a public client (auth method `none`) use this grant? */
  readonly allowsPublicClients: boolean;
  handle(ctx: TokenContext): Promise<TokenResponse>;
}

export type GrantMap = ReadonlyMap<string, GrantHandler>;

export interface GrantDeps {
  config: Config;
  logger: Logger;
  audit: Audit;
  /** Signs ID tokens (OpenID Connect Core §2) with the prepared keys. */
  keyring: Pick<Keyring, 'sign'>;
}
