import { randomId } from '../crypto.ts';
import type { SigningAlg } from '../keys/algorithms.ts';
import type { Keyring } from '../keys/keyring.ts';
import { formatScope } from '../scope.ts';

/** The claims of an RFC 9068 access token that the issuing grant knows. */
export interface JwtAccessTokenInput {
  issuer: string;
  /** The resource's identifier: the one audience (RFC 9068 §2.2 aud; RFC 8707 §2). */
  audience: string;
  clientId: string;
  /** §2.2 sub: the user's subject as this client sees it (Core §8); for a client acting for itself, its client_id. */
  sub: string;
  scope: readonly string[];
  now: number;
  ttl: number;
  /** §2.2.1: when the user signed in; absent for client_credentials. */
  authTime?: number | null | undefined;
  /** §2.2.1 acr: the authentication context class the grant's sign-in reached (core/oidc/acr.ts). */
  acr?: string | null | undefined;
  /** RFC 9449 §6.1: the thumbprint of the DPoP key the token is bound to, as `cnf.jkt`; absent for a bearer token. */
  dpopJkt?: string | undefined;
  /** RFC 8693 §4.1: the acting party of a delegated token (token exchange with an actor token). */
  act?: Record<string, unknown> | undefined;
  alg: SigningAlg;
}

/**
 * An RFC 9068 JWT access token: header typ `at+jwt` (§2.1, so it cannot pass for an ID token, RFC 8725 §3.11), and
 * iss, exp, aud, sub, client_id, iat, jti (§2.2), scope (§2.2.3), auth_time and acr where known (§2.2.1), cnf.jkt when
 * DPoP-bound (RFC 9449 §6.1); signed with
 * the server's current key of `alg` (§2.1: RS256 at least; the keyring's default).
 */
export function signJwtAccessToken(keyring: Pick<Keyring, 'sign'>, input: JwtAccessTokenInput): Promise<string> {
  const payload: Record<string, unknown> = {
    iss: input.issuer,
    sub: input.sub,
    aud: input.audience,
    exp: input.now + input.ttl,
    iat: input.now,
    jti: randomId(),
    client_id: input.clientId,
    scope: formatScope(input.scope),
  };
  if (input.authTime !== undefined && input.authTime !== null) payload['auth_time'] = input.authTime;
  if (input.acr !== undefined && input.acr !== null) payload['acr'] = input.acr;
  if (input.dpopJkt !== undefined) payload['cnf'] = { jkt: input.dpopJkt };
  if (input.act !== undefined) payload['act'] = input.act;
  return keyring.sign(payload, { alg: input.alg, typ: 'at+jwt' });
}
