import type { Params } from '../context.ts';
import type { DeviceCode } from '../device/port.ts';
import { credentialKey } from '../crypto.ts';
import { TemporarilyUnavailable } from '../errors.ts';
import type { Client, Resource } from '../model.ts';
import type { Repositories } from '../repositories.ts';
import type { GrantDeps } from '../token/grant.ts';
import { mintAccessToken } from './mint.ts';
import { tokenResource } from './target.ts';

/**
 * The access token's resource (RFC 8707 §2.2) and, for a JWT resource, the signed token, decided from a read of the
 * code or refresh token and its grant BEFORE the grant's transaction: signing inside it would hold the lock for a
 * signature, and on SQLite the keyring's read of the keys would queue behind the transaction holding the one
 * connection. The rows read are immutable but for being spent, which the transaction decides as before; a token
 * signed for a request the transaction then refuses is never handed out.
 */
export interface Prepared {
  /** The grant it was prepared for: the transaction uses it only for the same grant. */
  grantId: string;
  resource: Resource | undefined;
  accessToken: string | undefined;
}

interface Common {
  client: Client;
  params: Params;
  now: number;
  accessTokenTtlDefault?: number | undefined;
  /** RFC 9449 §6.1: the DPoP key the access token will be bound to (cnf.jkt in a JWT). */
  dpopJkt?: string | undefined;
}

/**
 * Whether any resource takes JWTs: read from the resource cache (storage/resource-cache.ts), so a server without them
 * pays nothing for this step; the code exchange and the refresh then read nothing more before their transaction.
 */
const anyJwtResource = async (repos: Pick<Repositories, 'resources'>): Promise<boolean> => (await repos.resources.list()).some((r) => r.accessTokenFormat === 'jwt');

/**
 * In the transaction: the access token prepared for this grant and resource, or undefined for an opaque one (issueTokens
 * draws it). A JWT resource with nothing prepared is a resource made or changed to jwt while this request ran, or
 * before this node's cache saw it (cacheTtlMs): the client may retry at once.
 */
export function preparedAccessToken(prepared: Prepared | undefined, grantId: string, resource: Resource | undefined): string | undefined {
  if (resource?.accessTokenFormat !== 'jwt') return undefined;
  if (prepared?.grantId === grantId && prepared.resource?.id === resource.id && prepared.accessToken !== undefined) return prepared.accessToken;
  throw new TemporarilyUnavailable('the resource changed while the request ran; try again', { retryAfterSeconds: 1 });
}

// RFC 9068 §2.2.1: auth_time and acr are the grant's sign-in's, in the first token and after every refresh.

/** The code grant (RFC 6749 §4.1.3): undefined when the code is unknown or another client's (the transaction refuses it). */
export async function prepareForCode(repos: Pick<Repositories, 'codes' | 'grants' | 'resources'>, deps: GrantDeps, req: Common): Promise<Prepared | undefined> {
  if (!(await anyJwtResource(repos))) return undefined;
  const code = await repos.codes.find(credentialKey(req.params['code'] ?? ''));
  if (!code || code.clientId !== req.client.id) return undefined;
  const grant = await repos.grants.findById(code.grantId);
  if (!grant) return undefined;
  const resource = await tokenResource(repos, req.params['resource'], grant.resources ?? [], undefined);
  const accessToken = await mintAccessToken(deps, { ...req, userId: code.userId, scope: code.scope, resource, authTime: code.authTime, acr: grant.acr });
  return { grantId: code.grantId, resource, accessToken };
}

/** The refresh grant (RFC 6749 §6): the access token's scope is the one asked for, else the refresh token's. */
export async function prepareForRefresh(
  repos: Pick<Repositories, 'tokens' | 'grants' | 'resources'>,
  deps: GrantDeps,
  req: Common & { requestedScope: readonly string[] | undefined },
): Promise<Prepared | undefined> {
  if (!(await anyJwtResource(repos))) return undefined;
  const token = await repos.tokens.findByHash(credentialKey(req.params['refresh_token'] ?? ''));
  if (!token || token.type !== 'refresh_token' || token.clientId !== req.client.id) return undefined;
  const grant = await repos.grants.findById(token.grantId);
  if (!grant) return undefined;
  const resource = await tokenResource(repos, req.params['resource'], grant.resources ?? [], undefined);
  const scope = req.requestedScope ?? token.scope;
  const accessToken = await mintAccessToken(deps, { ...req, userId: token.userId, scope, resource, authTime: grant.authTime, acr: grant.acr, act: token.act });
  return { grantId: token.grantId, resource, accessToken };
}

/**
 * The device grant (RFC 8628 §3.4): from the approved device code read before the transaction; the grant it will make
 * has the id `grantId`, drawn beforehand for this. Undefined when no resource takes JWTs, or the code is not yet
 * approved, or another client's (the transaction refuses it).
 */
export async function prepareForDevice(
  repos: Pick<Repositories, 'resources'>,
  deps: GrantDeps,
  req: Common & { code: DeviceCode | undefined; grantId: string },
): Promise<Prepared | undefined> {
  const code = req.code;
  if (!code || code.status !== 'approved' || code.userId === null || code.clientId !== req.client.id) return undefined;
  if (!(await anyJwtResource(repos))) return undefined;
  const resource = await tokenResource(repos, req.params['resource'], code.resources, undefined);
  const accessToken = await mintAccessToken(deps, { ...req, userId: code.userId, scope: code.scope, resource, authTime: code.authTime, acr: code.acr });
  return { grantId: req.grantId, resource, accessToken };
}
