import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { authenticate, type ChallengeOptions, type IncomingAuth, type Refusal } from './challenge.ts';
import { requiredScopes } from './scopes.ts';
import type { VerifiedToken, Verifier, VerifyOptions } from './types.ts';

export interface RequireTokenOptions extends VerifyOptions {
  /** RFC 6750 §3 `realm` of the challenge. Default "api". */
  realm?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `requireToken` once the request's access token is verified. */
    latchkeyToken?: VerifiedToken;
  }
}

/**
 * The MCP SDK's `AuthInfo` (what its server transports hand to tool handlers as `extra.authInfo`), set on
 * `req.auth` by the node middleware so an MCP server needs nothing else.
 */
export interface McpAuthInfo {
  token: string;
  clientId: string;
  scopes: string[];
  expiresAt?: number;
  resource?: URL;
  extra: { sub?: string; username?: string };
}

function prepare(verifier: Verifier, options: RequireTokenOptions): { verifyOptions: VerifyOptions; challenge: ChallengeOptions } {
  // Checked once here, so a typo in a scope fails at start-up rather than as a 500 on every request.
  const scope = requiredScopes(options.scope);
  return {
    verifyOptions: options.scope === undefined ? {} : { scope: options.scope },
    challenge: { realm: options.realm ?? 'api', resourceMetadataUrl: verifier.resourceMetadataUrl, scope, dpop: verifier.dpop },
  };
}

/**
 * The request as a DPoP proof names it (RFC 9449 §4.3 point 9): the API's public origin (`dpop.origin`, else the
 * resource identifier's) and the path, query left out; without either, the Host header over http.
 */
function incomingAuth(verifier: Verifier, req: { headers: IncomingMessage['headers']; method?: string | undefined; url?: string | undefined }): IncomingAuth {
  const origin = verifier.dpop?.origin ?? `http://${req.headers.host ?? 'localhost'}`;
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  return { authorization: req.headers.authorization, dpop: req.headers.dpop, method: req.method ?? 'GET', url: origin + path };
}

/**
 * A Fastify preHandler hook that admits a request only with a valid access token in `Authorization: Bearer`
 * (RFC 6750 §2.1), carrying every required scope. It sets `request.latchkeyToken`; otherwise it answers 400, 401 or
 * 403 with a `WWW-Authenticate: Bearer` challenge (RFC 6750 §3), naming the RFC 9728 metadata when the verifier has a
 * resource identifier.
 *
 *   app.get('/me', { preHandler: requireToken(verifier, { scope: 'profile' }) }, async (req) => req.latchkeyToken);
 */
export function requireToken(verifier: Verifier, options: RequireTokenOptions = {}) {
  const { verifyOptions, challenge } = prepare(verifier, options);
  return async function latchkeyRequireToken(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const result = await authenticate(verifier, incomingAuth(verifier, request.raw), verifyOptions, challenge);
    if ('refusal' in result) return sendFastify(reply, result.refusal);
    request.latchkeyToken = result.token;
    return undefined;
  };
}

const sendFastify = (reply: FastifyReply, r: Refusal) =>
  reply.code(r.status).header('www-authenticate', r.challenge).header('cache-control', 'no-store').send(r.body);

export type TokenRequest = IncomingMessage & { latchkeyToken?: VerifiedToken; auth?: McpAuthInfo };

/**
 * The same check as connect-style middleware, for plain node:http and Express: `next()` runs with
 * `req.latchkeyToken` (and `req.auth`, for the MCP SDK) set; a refusal is answered here. An error from the
 * authorization server goes to `next(err)`; without a `next` that takes it, the answer is 503.
 *
 *   app.post('/mcp', tokenMiddleware(verifier, { scope: 'notes:read' }), handler);                 // Express
 *   tokenMiddleware(verifier)(req, res, () => handler(req, res));                                   // node:http
 */
export function tokenMiddleware(verifier: Verifier, options: RequireTokenOptions = {}) {
  const { verifyOptions, challenge } = prepare(verifier, options);
  return function latchkeyTokenMiddleware(req: TokenRequest, res: ServerResponse, next: (err?: unknown) => void): void {
    authenticate(verifier, incomingAuth(verifier, req), verifyOptions, challenge).then(
      (result) => {
        if ('refusal' in result) {
          res.writeHead(result.refusal.status, { 'www-authenticate': result.refusal.challenge, 'cache-control': 'no-store', 'content-type': 'application/json' });
          res.end(JSON.stringify(result.refusal.body));
          return;
        }
        const t = result.token;
        req.latchkeyToken = t;
        req.auth = {
          token: result.bearer,
          clientId: t.clientId,
          scopes: [...t.scope],
          ...(t.exp !== undefined ? { expiresAt: t.exp } : {}),
          ...(verifier.resource !== undefined ? { resource: new URL(verifier.resource) } : {}),
          extra: { ...(t.sub !== undefined ? { sub: t.sub } : {}), ...(t.username !== undefined ? { username: t.username } : {}) },
        };
        next();
      },
      (err: unknown) => {
        if (next.length > 0) return next(err);
        res.writeHead(503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify({ error: 'temporarily_unavailable', error_description: 'the authorization server could not be asked' }));
      },
    );
  };
}
