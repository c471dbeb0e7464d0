import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TokenCounter } from '../admin/token-counter.ts';
import type { AppDeps } from '../app-deps.ts';
import { ConfigError } from '../config/load.ts';
import { sendsItsSecret } from '../core/client-auth/authenticate.ts';
import { parseBasic } from '../core/client-auth/basic.ts';
import type { Params } from '../core/context.ts';
import { verifyHashedSecret } from '../core/crypto.ts';
import { InvalidClient, InvalidRequest } from '../core/errors.ts';
import type { Client } from '../core/model.ts';
import { tokenEndpoint } from '../core/token/endpoint.ts';
import { enabledProfiles, type Profile } from '../profiles/index.ts';
import { withParams } from '../profiles/profile.ts';
import type { ClientAuthLimit } from './client-auth-limit.ts';
import { authorizationHandler } from './page-routes.ts';
import { oauthParams } from './params.ts';

/**
 * The migration profiles' extra routes (docs/profiles.md). Each runs the same core functions as the standard
 * endpoints, with the profile's normalisation before and its response shaping after; the standard routes are untouched.
 */

const noStore = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;
const notFound = () => new InvalidRequest('not found', { status: 404 });

/** The profile's required query (redCORE's option=token&api=oauth2), checked and stripped; anything else is a 404. */
function routeQuery(profile: Profile, query: Params): Params {
  const required = profile.routeQuery ?? {};
  for (const [k, v] of Object.entries(required)) if (query[k] !== v) throw notFound();
  return withParams(query, Object.fromEntries(Object.keys(required).map((k) => [k, undefined])));
}

/** The client a token request names, before authentication (which the core does): body client_id, else Basic user. */
async function namedClient(deps: AppDeps, params: Params, authorization: string | undefined): Promise<Client | undefined> {
  let id = params['client_id'];
  if (id === undefined) {
    try {
      id = parseBasic(authorization)?.clientId;
    } catch {
      return undefined; // malformed: the core answers invalid_client
    }
  }
  return id === undefined ? undefined : deps.repos.clients.findById(id);
}

/**
 * redCORE sends the client secret in the authorization URL. It is checked (constant time) and dropped: a wrong one
 * is an error page, never a redirect, since the request cannot be trusted (RFC 6749 §4.1.2.1). The URL is logged
 * with client_secret redacted (log-redact.ts); the warning names the client only.
 */
function secretChecker(deps: AppDeps) {
  const warned = new Set<string>();
  return async (profile: Profile, params: Params): Promise<Params> => {
    const secret = params['client_secret'];
    if (secret === undefined) return params;
    const id = params['client_id'];
    const client = id === undefined ? undefined : await deps.repos.clients.findById(id);
    if (!client || !sendsItsSecret(client) || client.secretHash === null || !verifyHashedSecret(secret, client.secretHash)) {
      throw new InvalidClient('client authentication failed');
    }
    if (!warned.has(client.id)) {
      warned.add(client.id);
      deps.logger.warn(
        { event: 'client_secret_in_authorization_request', clientId: client.id, profile: profile.name },
        'this client sends its secret in the authorization request URL; rotate the secret if those URLs were logged elsewhere',
      );
    }
    return withParams(params, { client_secret: undefined });
  };
}

export function registerProfileRoutes(app: FastifyInstance, deps: AppDeps & { tokenCounter?: Pick<TokenCounter, 'count'> }, limit: ClientAuthLimit): void {
  const { config } = deps;
  const profiles = enabledProfiles(config.profiles);
  if (profiles.length === 0) return;
  checkCollisions(config.paths, profiles);
  const authorizeRequest = authorizationHandler(deps);
  const token = tokenEndpoint(deps, deps.grants);
  const checkSecret = secretChecker(deps);
  // The same per-address budget as the standard endpoints (client-auth-limit.ts); on an authorization endpoint, only
  // for the requests that carry a client secret, so people signing in are not counted.
  const limited = limit.hooks();
  const limitedWithSecret = limit.hooks((req) => (req.query as Record<string, unknown> | undefined)?.['client_secret'] !== undefined);

  for (const profile of profiles) {
    const { authorize, token: tokenPath } = profile.routes;
    if (authorize !== undefined) {
      const authorizeLimit = profile.clientSecretInAuthorize ? limitedWithSecret : {};
      app.get(authorize, { config: { errorStyle: 'page' }, ...authorizeLimit }, async (req: FastifyRequest, reply: FastifyReply) => {
        let params = routeQuery(profile, oauthParams(req.query));
        // Elsewhere client_secret is an unrecognised parameter, ignored as at the standard endpoint (RFC 6749 §3.1).
        if (profile.clientSecretInAuthorize) params = await checkSecret(profile, params);
        if (profile.normalizeAuthorize) params = profile.normalizeAuthorize(params);
        return authorizeRequest(req, reply, params);
      });
    }
    if (tokenPath !== undefined) {
      app.post(tokenPath, { config: { errorStyle: 'json' }, ...limited }, async (req, reply) => {
        routeQuery(profile, oauthParams(req.query));
        const authorization = req.headers.authorization;
        let params = oauthParams(req.body ?? {});
        if (profile.normalizeToken) params = profile.normalizeToken(params, await namedClient(deps, params, authorization));
        const now = deps.clock.now();
        const result = await token({ params, authorization, accessTokenTtlDefault: profile.accessTokenTtlDefault, address: req.ip });
        deps.tokenCounter?.count(params['grant_type'] ?? '');
        return reply.headers(noStore).send(profile.shapeTokenResponse ? profile.shapeTokenResponse(result, now) : result);
      });
    }
  }
}

/** A profile path that shadows a standard one (or another profile's) is a configuration error, found at start-up. */
function checkCollisions(paths: Record<string, string>, profiles: readonly Profile[]): void {
  const taken = new Map<string, string>(Object.entries(paths).map(([key, path]) => [path, `paths.${key}`]));
  for (const p of profiles) {
    const own = new Set([p.routes.authorize, p.routes.token].filter((x): x is string => x !== undefined));
    for (const path of own) {
      const owner = taken.get(path);
      if (owner !== undefined) throw new ConfigError(`invalid configuration:\n  profiles: ${p.name} needs ${path}, which ${owner} already uses`);
      taken.set(path, `profile ${p.name}`);
    }
  }
}
