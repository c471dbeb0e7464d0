import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { API_ROUTES, type ApiRoute } from '../admin/api.ts';
import { authenticateAdmin } from '../admin/auth.ts';
import { isDpopChallenge, UseDpopNonce } from '../core/dpop/errors.ts';
import type { AdminDeps } from '../admin/context.ts';
import { AdminError, fieldsFromZod, invalidFields } from '../admin/errors.ts';
import { ADMIN_API_PREFIX, openApiDocument } from '../admin/openapi.ts';
import { isMissingToken } from '../core/bearer.ts';
import { InsufficientScope, InvalidRequest, OAuthError } from '../core/errors.ts';
import { InvalidCursor } from '../core/admin-repositories.ts';
import { MALFORMED, decodeUtf8, type RawParams } from './params.ts';

/**
 * The admin API (/admin/api/v1): the route table of src/admin/api.ts behind an admin-scoped Bearer token, JSON in and
 * out, `no-store` on every answer (some carry a secret, once), and its OpenAPI 3.1 document.
 */

const quote = (s: string) => `"${s.replace(/["\\]/g, '')}"`;

/** JSON bodies as JSON (the OAuth endpoints' parser flattens values to strings), refusing prototype poisoning. */
function parseJson(text: string): unknown {
  return JSON.parse(text, (key, value: unknown) => {
    if (key === '__proto__' || (key === 'constructor' && typeof value === 'object' && value !== null && 'prototype' in value)) {
      throw new InvalidRequest('forbidden key in JSON body');
    }
    return value;
  });
}

function sendAdminError(err: unknown, req: FastifyRequest, reply: FastifyReply, dpopAlgs?: readonly string[]): FastifyReply {
  reply.header('cache-control', 'no-store');
  if (err instanceof AdminError) return reply.code(err.status).send(err.toJSON());
  if (err instanceof InvalidCursor) return reply.code(422).send(invalidFields({ cursor: 'not a cursor this listing handed out; start from the first page' }).toJSON());
  if (err instanceof OAuthError && err.status < 500) {
    // RFC 6750 §3: a Bearer challenge, without an error code when no token was sent (§3.1).
    if (err instanceof UseDpopNonce) reply.header('dpop-nonce', err.nonce);
    if (err.status === 401 || err.status === 403) {
      const parts = ['realm="latchkey-admin"'];
      const errorParts = isMissingToken(err) ? [] : [`error=${quote(err.error)}`, `error_description=${quote(err.description)}`];
      if (err instanceof InsufficientScope) errorParts.push(`scope=${quote(err.requiredScope)}`);
      // RFC 9449 §7.1: both schemes are accepted, so both are offered; a DPoP error belongs to the DPoP challenge.
      const dpop = isDpopChallenge(err);
      const challenges = [`Bearer ${[...parts, ...(dpop ? [] : errorParts)].join(', ')}`];
      if (dpopAlgs) challenges.push(`DPoP ${[...(dpop ? errorParts : []), `algs=${quote(dpopAlgs.join(' '))}`].join(', ')}`);
      reply.header('www-authenticate', challenges.join(', '));
    }
    return reply.code(err.status).send({ error: err.error, error_description: err.description });
  }
  const status = (err as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = (err as { code?: string }).code ?? '';
    const description =
      code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'the request body is too large'
      : code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'send application/json'
      : code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? 'the JSON body is empty'
      : 'the request is malformed';
    return reply.code(status).send({ error: 'invalid_request', error_description: description });
  }
  req.log.error({ err }, 'admin API request failed');
  return reply.code(500).send({ error: 'server_error', error_description: 'The server could not complete the request.' });
}

/** Query parameters as an object of strings (a repeated parameter stays an array, which the schema refuses). */
function queryObject(query: unknown): Record<string, unknown> {
  const raw = (query ?? {}) as RawParams;
  if (raw[MALFORMED]) throw new AdminError(400, 'invalid_request', raw[MALFORMED]);
  return { ...raw };
}

function parseInput(route: ApiRoute, req: FastifyRequest, issuer: string): { query: unknown; body: unknown } {
  const query = route.query ? route.query.safeParse(queryObject(req.query)) : undefined;
  if (query && !query.success) throw invalidFields(fieldsFromZod(query.error));
  let body: unknown;
  if (route.body) {
    const isJson = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() === 'application/json';
    if (req.body !== undefined && !isJson) throw new AdminError(415, 'invalid_request', 'send application/json');
    const raw = req.body ?? (route.bodyOptional ? {} : undefined);
    if (raw === undefined) throw invalidFields({ body: 'send a JSON object' });
    const parsed = (route.bodyFor?.(issuer) ?? route.body).safeParse(raw);
    if (!parsed.success) throw invalidFields(fieldsFromZod(parsed.error));
    body = parsed.data;
  }
  return { query: query?.data, body };
}

export function registerAdminRoutes(app: FastifyInstance, deps: AdminDeps): void {
  let openapi: unknown;
  app.register(
    async (scope) => {
      scope.removeContentTypeParser('application/json');
      scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body: Buffer, done) => {
        try {
          done(null, parseJson(decodeUtf8(body)));
        } catch (err) {
          done(err instanceof InvalidRequest ? err : new InvalidRequest('the request body is not valid JSON'), undefined);
        }
      });
      const dpopAlgs = deps.dpop ? deps.config.dpop.algorithms : undefined;
      scope.setErrorHandler((err, req, reply) => sendAdminError(err, req, reply, dpopAlgs));
      scope.setNotFoundHandler((req, reply) => sendAdminError(new AdminError(404, 'not_found', 'no such route'), req, reply));

      scope.get('/openapi.json', async (_req, reply) => {
        openapi ??= openApiDocument(deps.config);
        return reply.header('cache-control', 'no-cache').send(openapi);
      });

      for (const route of API_ROUTES) {
        scope.route({
          method: route.method,
          url: route.path.replace(/\{([a-zA-Z]+)\}/g, ':$1'),
          handler: async (req, reply) => {
            // RFC 9449 §4.3 point 9: htu is the public URL of the route, without the query.
            const request = { method: req.method, url: deps.config.issuer + (req.url.split('?')[0] ?? ''), proof: req.headers.dpop, now: deps.clock.now() };
            const actor = await authenticateAdmin(deps, req.headers.authorization, req.ip, { verifier: deps.dpop, request });
            const { query, body } = parseInput(route, req, deps.config.issuer);
            const params = (req.params ?? {}) as Record<string, string>;
            const result = await route.handle({ deps, actor }, { params, query, body });
            reply.code(result.status).header('cache-control', 'no-store');
            return result.body === undefined ? reply.send() : reply.send(result.body);
          },
        });
      }
    },
    { prefix: ADMIN_API_PREFIX },
  );
}
