import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TokenCounter } from '../admin/token-counter.ts';
import type { AppDeps } from '../app-deps.ts';
import { pushAuthorizationRequest } from '../core/authorize/par.ts';
import { deviceAuthorizationEndpoint } from '../core/device/authorization.ts';
import { confirmPresentation, extractPresentation } from '../core/dpop/presentation.ts';
import { discoveryDocument } from '../core/discovery.ts';
import { introspect } from '../core/introspection.ts';
import { revoke } from '../core/revocation.ts';
import { tokenEndpoint } from '../core/token/endpoint.ts';
import { userinfo } from '../core/userinfo.ts';
import type { ClientAuthLimit } from './client-auth-limit.ts';
import { oauthParams } from './params.ts';

const noStore = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;

/** Body parameters of a token-style request. The query string must not carry them (RFC 6749 §3.2: POST body). */
const bodyParams = (req: FastifyRequest) => oauthParams(req.body ?? {});

/** Token, revocation, introspection, userinfo and discovery: JSON in and out, translated here, decided in core/. */
export function registerOAuthRoutes(app: FastifyInstance, deps: AppDeps & { tokenCounter?: Pick<TokenCounter, 'count'> }, limit: ClientAuthLimit): void {
  const { config } = deps;
  const token = tokenEndpoint(deps, deps.grants, deps.dpop);
  // Each of these checks client secrets: one budget per address for all of them (client-auth-limit.ts).
  const limited = limit.hooks();

  app.post(config.paths.token, { config: { errorStyle: 'json' }, ...limited }, async (req, reply) => {
    const params = bodyParams(req);
    const proof = req.headers.dpop;
    // RFC 9449 §4.3 point 9: htu is the endpoint's public URL (behind a proxy the request's own host may differ).
    const dpop = proof === undefined ? undefined : { proof, url: config.issuer + config.paths.token };
    const result = await token({ params, authorization: req.headers.authorization, address: req.ip, dpop });
    // The overview's count: one in-memory increment, no database write here (admin/token-counter.ts).
    deps.tokenCounter?.count(params['grant_type'] ?? '');
    return reply.headers(noStore).send(result);
  });

  // RFC 8628 §3.1-3.2: authenticates the client like the token endpoint, so it shares its limit; no-store (§3.2).
  const deviceAuthorization = deviceAuthorizationEndpoint(deps);
  app.post(config.paths.deviceAuthorization, { config: { errorStyle: 'json' }, ...limited }, async (req, reply) => {
    const result = await deviceAuthorization({ params: bodyParams(req), authorization: req.headers.authorization, address: req.ip });
    return reply.headers(noStore).send(result);
  });

  app.post(config.paths.revocation, { config: { errorStyle: 'json' }, ...limited }, async (req, reply) => {
    await revoke(deps, { params: bodyParams(req), authorization: req.headers.authorization }, req.ip);
    return reply.headers(noStore).send();
  });

  app.post(config.paths.introspection, { config: { errorStyle: 'json' }, ...limited }, async (req, reply) => {
    const result = await introspect(deps, { params: bodyParams(req), authorization: req.headers.authorization });
    return reply.headers(noStore).send(result);
  });

  // RFC 9126 §2: client authentication as at the token endpoint (so the same budget); 201 with the request_uri (§2.2).
  app.post(config.paths.pushedAuthorizationRequest, { config: { errorStyle: 'json' }, ...limited }, async (req, reply) => {
    const result = await pushAuthorizationRequest(deps, { params: bodyParams(req), authorization: req.headers.authorization, address: req.ip });
    return reply.code(201).headers(noStore).send(result);
  });

  const userinfoHandler = async (req: FastifyRequest) => {
    const query = oauthParams(req.query);
    const isForm = req.method === 'POST' && (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    const body = isForm ? oauthParams(req.body) : {};
    const presented = extractPresentation(
      { authorization: req.headers.authorization, body: body['access_token'], query: query['access_token'] },
      config.features.queryStringTokens,
      deps.dpop !== undefined,
    );
    // RFC 9449 §7.1: a DPoP-bound token needs the DPoP scheme and a proof for this method and URL.
    const request = { method: req.method, url: config.issuer + config.paths.userinfo, proof: req.headers.dpop, now: deps.clock.now() };
    return userinfo({ ...deps, keyring: deps.keys.keyring }, presented.token, (token) => confirmPresentation(deps.dpop, token, presented, request));
  };
  app.route({
    method: ['GET', 'POST'],
    url: config.paths.userinfo,
    config: { errorStyle: 'bearer', acceptsDpop: true },
    handler: async (req, reply) => {
      const answer = await userinfoHandler(req);
      // OpenID Connect Core §5.3.2: a signed answer is sent as application/jwt.
      if (answer.kind === 'jwt') return reply.headers(noStore).type('application/jwt').send(answer.jwt);
      return reply.headers(noStore).send(answer.claims);
    },
  });

  // RFC 8414 §3 and OpenID Connect Discovery §4: one computed document at both addresses (core/discovery.ts).
  const metadata = async (_req: FastifyRequest, reply: FastifyReply) =>
    reply.header('cache-control', 'public, max-age=300').send(discoveryDocument(config, deps.grants, await deps.repos.scopes.list()));
  app.get('/.well-known/oauth-authorization-server', { config: { errorStyle: 'json' } }, metadata);
  app.get('/.well-known/openid-configuration', { config: { errorStyle: 'json' } }, metadata);
}
