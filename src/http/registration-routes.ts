import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { deleteRegistration, readRegistration, registerClient, replaceRegistration, type RegistrationDeps } from '../admin/registered-clients.ts';
import { InvalidRequest, InvalidToken, TemporarilyUnavailable } from '../core/errors.ts';
import { REGISTRATION_PATH } from '../core/registration/response.ts';
import { decodeUtf8 } from './params.ts';
import type { RateLimitsRepository } from '../core/repositories.ts';

const noStore = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;
const HOUR_MS = 3_600_000;

/** RFC 6750 §2.1: the Bearer token of the Authorization header, if any (initial or registration access token). */
function bearerToken(req: FastifyRequest): string | undefined {
  const m = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(req.headers.authorization ?? '');
  return m?.[1];
}

/** RFC 7591 §3.1: the body is JSON; a form or anything else is refused before it is read as metadata. */
function jsonBody(req: FastifyRequest): unknown {
  if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
    throw new InvalidRequest('send the client metadata as application/json (RFC 7591 §3.1)', { status: 415 });
  }
  return req.body;
}

/** RFC 6750 §3: a refused token is answered with a Bearer challenge naming the error. */
async function withChallenge<T>(reply: FastifyReply, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof InvalidToken) reply.header('www-authenticate', 'Bearer realm="latchkey", error="invalid_token"');
    throw err;
  }
}

/**
 * Dynamic client registration (RFC 7591 §3) at /register and client management (RFC 7592 §2) at /register/<client_id>,
 * registered only when `registration.mode` is not off: otherwise the paths are unknown (404) and the metadata has no
 * registration_endpoint. Registrations are limited per address and hour in the database, so the limit holds across
 * every node (`registration.perHour`).
 */
export function registerRegistrationRoutes(app: FastifyInstance, deps: RegistrationDeps & { repos: { rateLimits: RateLimitsRepository } }, nowMs: () => number = Date.now): void {
  if (deps.config.registration.mode === 'off') return;
  // A scope of its own: client metadata keeps its JSON types (numbers, booleans), which the OAuth endpoints' parser
  // turns into strings (params.ts parseJsonBody).
  void app.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body: Buffer, done) => {
      try {
        done(null, parseMetadataJson(decodeUtf8(body)));
      } catch (err) {
        done(err as Error, undefined);
      }
    });
    routes(scope, deps, nowMs);
  });
}

/** Any JSON value (readClientMetadata refuses what is not an object), with prototype poisoning refused as elsewhere. */
function parseMetadataJson(text: string): unknown {
  try {
    return JSON.parse(text, (key, value: unknown) => {
      if (key === '__proto__' || key === 'constructor' || key === 'prototype') throw new InvalidRequest('forbidden key in JSON body');
      return value;
    });
  } catch (err) {
    if (err instanceof InvalidRequest) throw err;
    throw new InvalidRequest('the request body is not valid JSON');
  }
}

function routes(app: FastifyInstance, deps: RegistrationDeps & { repos: { rateLimits: RateLimitsRepository } }, nowMs: () => number): void {
  const { registration } = deps.config;
  const json = { config: { errorStyle: 'json' as const } };

  app.post(REGISTRATION_PATH, json, async (req, reply) => {
    if (registration.perHour > 0) {
      const now = nowMs();
      const w = await deps.repos.rateLimits.hit(`registration|${req.ip}`, now, HOUR_MS);
      if (w.hits > registration.perHour) {
        throw new TemporarilyUnavailable('too many registrations from this address; try again later', { status: 429, retryAfterSeconds: (w.resetAt - now) / 1000 });
      }
    }
    const info = await withChallenge(reply, async () => registerClient(deps, jsonBody(req), { initialAccessToken: bearerToken(req), address: req.ip }));
    return reply.code(201).headers(noStore).send(info);
  });

  const clientPath = `${REGISTRATION_PATH}/:clientId`;
  type ClientRoute = { Params: { clientId: string } };
  app.get<ClientRoute>(clientPath, json, async (req, reply) => {
    const info = await withChallenge(reply, () => readRegistration(deps, req.params.clientId, bearerToken(req)));
    return reply.headers(noStore).send(info);
  });
  app.put<ClientRoute>(clientPath, json, async (req, reply) => {
    const info = await withChallenge(reply, () => replaceRegistration(deps, req.params.clientId, bearerToken(req), jsonBody(req)));
    return reply.headers(noStore).send(info);
  });
  app.delete<ClientRoute>(clientPath, json, async (req, reply) => {
    await withChallenge(reply, () => deleteRegistration(deps, req.params.clientId, bearerToken(req)));
    return reply.code(204).headers(noStore).send();
  });
}
