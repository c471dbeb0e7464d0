import type { Config } from '../../config/schema.ts';
import { lifetimes } from '../context.ts';
import { randomToken, credentialKey } from '../crypto.ts';
import { InvalidDpopProof } from '../dpop/errors.ts';
import { ServerError } from '../errors.ts';
import type { Client, Resource, Token } from '../model.ts';
import { RESOURCE_REQUIRES_DPOP } from '../resources/rules.ts';
import { scopeForResource } from '../resources/target.ts';
import { formatScope } from '../scope.ts';
import type { NewToken, Repositories } from '../repositories.ts';

/** RFC 6749 §5.1 successful token response. */
export interface TokenResponse {
  access_token: string;
  /** RFC 9449 §5: DPoP when the access token is bound to the proof's key. */
  token_type: 'Bearer' | 'DPoP';
  /** Left out when the access token does not expire: §5.1 makes it RECOMMENDED, not REQUIRED. */
  expires_in?: number;
  scope: string;
  refresh_token?: string;
  /** OpenID Connect Core §3.1.3.3: whenever `openid` was granted to a user. */
  id_token?: string;
  /** RFC 8693 §2.2.1: the type of the token issued by a token exchange. */
  issued_token_type?: string;
}

export interface IssueRequest {
  client: Client;
  grantId: string;
  /** The refresh token these tokens replace (a rotation), recorded so a retry can find them (refresh-token.ts). */
  parentHash?: string | undefined;
  userId: string | null;
  /** Scope of the access token. */
  scope: readonly string[];
  /** Scope of the refresh token, when one is issued (RFC 6749 §6: unchanged across rotation). */
  refreshScope?: readonly string[] | undefined;
  refresh: boolean;
  now: number;
  /** The implicit grant (RFC 6749 §4.2): its tokens always expire, whatever the client's setting. */
  implicit?: boolean | undefined;
  /** Access-token lifetime when the client has none of its own (a migration profile's default); else the server's. */
  accessTokenTtlDefault?: number | undefined;
  /**
   * RFC 8707: the resource the access token is for (its audience). Its scope is then narrowed to the scopes the
   * resource defines (target.ts scopeForResource), its lifetime and format (RFC 9068 JWT or opaque) are the resource's.
   */
  resource?: Resource | undefined;
  /** The access token when made before the transaction: an RFC 9068 JWT (resources/mint.ts). Else a random one. */
  accessToken?: string | undefined;
  /**
   * RFC 9449 §5: the DPoP key thumbprint the access token (and a public client's refresh token) is bound to. An
   * RFC 9068 JWT access token minted from this request carries it as the `cnf: { jkt }` claim (§6.1).
   */
  dpopJkt?: string | undefined;
  /**
   * RFC 8693 §4.1: the actor of a delegated grant (token exchange), stored with the access token for introspection and
   * with the refresh token, which hands it on to every refreshed pair (refresh-token.ts).
   */
  act?: Record<string, unknown> | undefined;
}

/**
 * The resource's own access-token lifetime; for a JWT resource without one, `resourceTokens.jwtAccessTokenTtl` (short:
 * a resource validating JWTs locally never learns of a revocation). Otherwise the client's own lifetime, else the
 * route's default, else the server's; 'never' only off implicit.
 */
export function accessTokenLifetime(config: Config, client: Client, req: Pick<IssueRequest, 'implicit' | 'accessTokenTtlDefault' | 'resource'>): number | 'never' {
  if (req.resource?.accessTokenTtl != null) return req.resource.accessTokenTtl;
  if (req.resource?.accessTokenFormat === 'jwt') return config.resourceTokens.jwtAccessTokenTtl;
  const own = client.accessTokenTtl;
  if (own === 'never' && req.implicit) return config.tokens.accessTokenTtl;
  return own ?? req.accessTokenTtlDefault ?? config.tokens.accessTokenTtl;
}

/**
 * RFC 9449 §7.2: a resource may accept only DPoP-bound access tokens (`dpopBoundAccessTokensRequired`); then Latchkey
 * issues no bearer token for it. Checked here because every grant's access token passes through issueTokens once its
 * resource and proof key are known; answered as the token endpoint answers a DPoP client without a proof (§5,
 * invalid_dpop_proof, 400). It throws inside the grant's transaction, so the code or refresh token is not spent; a
 * grant that spends something before (the JWT bearer grant's jti) asks first.
 */
export function assertBindingAllowed(req: Pick<IssueRequest, 'resource' | 'dpopJkt'>): void {
  if (req.resource?.dpopBoundAccessTokensRequired && req.dpopJkt === undefined) throw new InvalidDpopProof(RESOURCE_REQUIRES_DPOP);
}

export async function issueTokens(
  repos: Pick<Repositories, 'tokens'>,
  config: Config,
  req: IssueRequest,
): Promise<TokenResponse> {
  assertBindingAllowed(req);
  const ttl = lifetimes(config, req.client);
  const accessTtl = accessTokenLifetime(config, req.client, req);
  const scope = scopeForResource(req.scope, req.resource);
  // A JWT is signed before the transaction (resources/mint.ts): no lock waits for a signature, and on SQLite the
  // keyring's read of the keys cannot queue behind the transaction that holds the one connection.
  if (req.resource?.accessTokenFormat === 'jwt' && req.accessToken === undefined) throw new ServerError('a JWT access token must be signed before the transaction');
  const accessToken = req.accessToken ?? randomToken('accessToken');
  const parent = req.parentHash === undefined ? {} : { parentHash: req.parentHash };
  const bound = req.dpopJkt === undefined ? {} : { dpopJkt: req.dpopJkt };
  const resource = req.resource === undefined ? {} : { resource: req.resource.id };
  const act = req.act === undefined ? {} : { act: req.act };
  const rows: NewToken[] = [
    {
      ...parent,
      ...resource,
      ...bound,
      ...act,
      // A JWT's hash too: revocation and introspection answer for JWT access tokens as for opaque ones.
      hash: credentialKey(accessToken),
      type: 'access_token',
      grantId: req.grantId,
      clientId: req.client.id,
      userId: req.userId,
      scope,
      issuedAt: req.now,
      expiresAt: accessTtl === 'never' ? null : req.now + accessTtl,
    },
  ];
  const response: TokenResponse = {
    access_token: accessToken,
    token_type: req.dpopJkt === undefined ? 'Bearer' : 'DPoP',
    ...(accessTtl === 'never' ? {} : { expires_in: accessTtl }),
    scope: formatScope(scope),
  };
  if (req.refresh) {
    const refreshToken = randomToken('refreshToken');
    rows.push({
      ...parent,
      // RFC 9449 §5: a public client's refresh token is bound to the DPoP key (a confidential client's is already
      // bound to its credentials), so a stolen one is useless without the private key.
      ...(req.client.type === 'public' ? bound : {}),
      ...act,
      hash: credentialKey(refreshToken),
      type: 'refresh_token',
      grantId: req.grantId,
      clientId: req.client.id,
      userId: req.userId,
      scope: [...(req.refreshScope ?? req.scope)],
      issuedAt: req.now,
      expiresAt: ttl.refreshToken === 'never' ? null : req.now + ttl.refreshToken,
    });
    response.refresh_token = refreshToken;
  }
  await repos.tokens.createMany(rows);
  return response;
}

/**
 * OpenID Connect Core §11: offline_access is how an OpenID Connect client asks for a refresh token, which lets it act
 * while the user is away. With `oidc.refreshTokensWithoutOfflineAccess` false, a request with scope openid gets one
 * only when offline_access was granted (and consented to: the consent page names it). It is true by default because
 * §11 does not forbid other refresh tokens, and the clients Latchkey replaces (the seeds' redCORE, Twitch... clients)
 * ask for openid and rely on refresh tokens without ever asking for offline_access. A request without openid never
 * asks for offline_access, so it is unchanged either way.
 */
export const mayRefresh = (config: Config, scope: readonly string[]): boolean =>
  !scope.includes('openid') || scope.includes('offline_access') || config.oidc.refreshTokensWithoutOfflineAccess;

/** A token is usable when it is neither revoked, spent, nor expired. */
export const isTokenActive = (t: Token, now: number): boolean =>
  t.revokedAt === null && t.consumedAt === null && (t.expiresAt === null || t.expiresAt > now);
