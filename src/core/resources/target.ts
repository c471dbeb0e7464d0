import { InvalidTarget } from '../errors.ts';
import type { Resource } from '../model.ts';
import type { Repositories } from '../repositories.ts';
import { resourceIdentifierProblem } from './identifier.ts';

/**
 * RFC 8707 resource indicators: which resources (APIs) a request is for. The HTTP layer lets `resource` repeat
 * (§2: "may be specified multiple times") and hands the values on joined by single spaces, which no identifier
 * contains (identifier.ts); this splits them again and checks each.
 */
export function requestedResources(value: string | undefined): string[] {
  if (value === undefined || value === '') return [];
  const out: string[] = [];
  for (const id of value.split(' ')) {
    const problem = resourceIdentifierProblem(id);
    if (problem) throw new InvalidTarget(problem);
    if (!out.includes(id)) out.push(id);
  }
  return out;
}

type Repos = Pick<Repositories, 'resources'>;

/** The registered resources of `ids`, in order; §2: an unknown one is invalid_target. */
export async function registeredResources(repos: Repos, ids: readonly string[]): Promise<Resource[]> {
  const out: Resource[] = [];
  for (const id of ids) {
    const r = await repos.resources.findById(id);
    if (!r) throw new InvalidTarget('the resource is not registered on this server');
    out.push(r);
  }
  return out;
}

/**
 * The configured default resource for a request that named none, when the request asks for one of its scopes: a
 * request for other scopes only (the console's `admin`, `openid` for UserInfo) keeps a token without audience, as
 * before, or the default would take those tokens away from the authorization server's own endpoints.
 */
async function defaultFor(repos: Repos, defaultResource: string | undefined, scope: readonly string[] | undefined): Promise<Resource | undefined> {
  if (defaultResource === undefined) return undefined;
  const [resource] = await registeredResources(repos, [defaultResource]);
  return resource && (scope === undefined || scope.some((s) => resource.scopes.includes(s))) ? resource : undefined;
}

/**
 * The authorization request's resources (RFC 8707 §2.1): those named by `resource`, else the configured default
 * resource (see defaultFor), else none (then tokens carry no audience, as before resources existed).
 */
export async function authorizationResources(repos: Repos, value: string | undefined, defaultResource: string | undefined, scope: readonly string[]): Promise<Resource[]> {
  const ids = requestedResources(value);
  if (ids.length > 0) return registeredResources(repos, ids);
  const fallback = await defaultFor(repos, defaultResource, scope);
  return fallback ? [fallback] : [];
}

/**
 * The one resource an access token from the token endpoint is for (RFC 8707 §2.2). Latchkey issues one audience per
 * access token, so asking for several is invalid_target (§2.2 lets the server refuse what it will not issue). With a
 * grant that covers resources (code and refresh), the resource must be one of them; omitted, the grant's only one.
 * `grantResources` undefined: no grant limits the choice (client_credentials), and an omitted resource means the
 * configured default, else none.
 */
export async function tokenResource(
  repos: Repos,
  value: string | undefined,
  grantResources: readonly string[] | undefined,
  defaultResource: string | undefined,
  /** client_credentials: the scope asked for (undefined: none asked, the default applies); see defaultFor. */
  scope?: readonly string[],
): Promise<Resource | undefined> {
  const ids = requestedResources(value);
  if (ids.length > 1) throw new InvalidTarget('an access token is issued for one resource at a time: send one resource parameter');
  let id = ids[0];
  if (grantResources !== undefined && grantResources.length > 0) {
    if (id === undefined) {
      if (grantResources.length > 1) throw new InvalidTarget('the authorization covers several resources: name one with the resource parameter');
      id = grantResources[0];
    } else if (!grantResources.includes(id)) {
      throw new InvalidTarget('the resource was not part of the authorization');
    }
  } else if (grantResources !== undefined) {
    // A grant given without resources: §2.2 the token endpoint may not widen it to a resource.
    if (id !== undefined) throw new InvalidTarget('the resource was not part of the authorization');
  } else if (id === undefined) {
    return defaultFor(repos, defaultResource, scope);
  }
  if (id === undefined) return undefined;
  const [resource] = await registeredResources(repos, [id]);
  return resource;
}

/**
 * RFC 9700 §2.3 audience restriction, applied to privileges: an access token for a resource carries only the granted
 * scopes that resource defines. The OpenID Connect scopes stay on the grant (they govern the ID token), so such a
 * token is no good at UserInfo; a token without a resource keeps every granted scope, as before.
 */
export const scopeForResource = (granted: readonly string[], resource: Resource | undefined): string[] =>
  resource === undefined ? [...granted] : granted.filter((s) => resource.scopes.includes(s));
