import type { Config } from '../../config/schema.ts';
import type { Keyring } from '../keys/keyring.ts';
import type { Client, Resource } from '../model.ts';
import { subjectFor } from '../oidc/subject.ts';
import { accessTokenLifetime } from '../token/issue.ts';
import { signJwtAccessToken } from './jwt-access-token.ts';
import { scopeForResource } from './target.ts';

export interface MintRequest {
  client: Client;
  userId: string | null;
  /** The granted scope; narrowed here to the resource's, as issueTokens narrows it. */
  scope: readonly string[];
  resource: Resource | undefined;
  now: number;
  /** When the user signed in and how (RFC 9068 §2.2.1 auth_time, acr), from the grant; none for client_credentials. */
  authTime?: number | null | undefined;
  acr?: string | null | undefined;
  /** RFC 9449 §6.1: the DPoP key thumbprint the token is bound to. */
  dpopJkt?: string | undefined;
  /** RFC 8693 §4.1 act: who acts for the subject (token exchange delegation). */
  act?: Record<string, unknown> | undefined;
  accessTokenTtlDefault?: number | undefined;
  implicit?: boolean | undefined;
}

/**
 * The access token of a JWT resource (RFC 9068), signed before the token is stored: grants call this outside their
 * transaction and hand the result to issueTokens (`accessToken`), which stores its hash, so revocation and
 * introspection answer for it as for an opaque token. Undefined for an opaque resource or none (issueTokens draws a
 * random token then).
 */
export async function mintAccessToken(deps: { config: Config; keyring: Pick<Keyring, 'sign'> }, req: MintRequest): Promise<string | undefined> {
  const resource = req.resource;
  if (resource?.accessTokenFormat !== 'jwt') return undefined;
  const { config } = deps;
  const ttl = accessTokenLifetime(config, req.client, req);
  return signJwtAccessToken(deps.keyring, {
    issuer: config.issuer,
    audience: resource.id,
    clientId: req.client.id,
    // §2.2 sub: the user as this client sees them (Core §8, so pairwise stays pairwise); the client when none (§2.2).
    sub: req.userId === null ? req.client.id : subjectFor(req.client, req.userId, config.oidc.pairwiseSalt),
    scope: scopeForResource(req.scope, resource),
    now: req.now,
    // §2.2: exp is required, so a JWT always expires, whatever a client's 'never'.
    ttl: ttl === 'never' ? config.resourceTokens.jwtAccessTokenTtl : ttl,
    authTime: req.authTime,
    acr: req.acr,
    dpopJkt: req.dpopJkt,
    act: req.act,
    alg: config.resourceTokens.jwtAccessTokenAlg ?? config.oidc.defaultIdTokenAlg,
  });
}
