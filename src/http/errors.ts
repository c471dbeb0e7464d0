import type { FastifyReply, FastifyRequest } from 'fastify';
import { InsufficientScope, InvalidClient, InvalidRequest, OAuthError, TemporarilyUnavailable, toOAuthError } from '../core/errors.ts';
import { isDatabaseUnavailable } from '../storage/errors.ts';
import { isMissingToken } from '../core/bearer.ts';
import { isDpopChallenge, UseDpopNonce } from '../core/dpop/errors.ts';
import { sendErrorPage } from './error-page.ts';
import type { Theme } from '../interaction/views/index.ts';

/** How a route reports errors: JSON (token-style endpoints), bearer challenge (resources), or an HTML page. */
export type ErrorStyle = 'json' | 'bearer' | 'page';

declare module 'fastify' {
  interface FastifyContextConfig {
    errorStyle?: ErrorStyle;
    /** A resource that accepts DPoP-bound tokens (RFC 9449 §7): its challenges offer the DPoP scheme too. */
    acceptsDpop?: boolean;
  }
}

/** Fastify's own errors (body too large, bad content type, ...) are client mistakes: map 4xx to invalid_request. */
function normalise(err: unknown): OAuthError {
  if (err instanceof OAuthError) return err;
  const status = (err as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = (err as { code?: string }).code ?? '';
    const description =
      code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'the request body is too large'
      : code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'unsupported content type'
      : code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? 'the JSON body is empty'
      : status === 429 ? 'too many requests'
      : 'the request is malformed';
    if (status === 429) return new TemporarilyUnavailable(description, { status: 429, retryAfterSeconds: 60 });
    return new InvalidRequest(description, { status });
  }
  // The database is down, restarting, overloaded or timed out, or the request ran past requestTimeoutMs: a retryable
  // 503, never a 500 (storage/errors.ts).
  if (isDatabaseUnavailable(err) || (err as { code?: unknown }).code === 'FST_ERR_HANDLER_TIMEOUT') {
    return new TemporarilyUnavailable('the service is temporarily unavailable; try again shortly', { cause: err });
  }
  return toOAuthError(err);
}

const quote = (s: string) => `"${s.replace(/["\\]/g, '')}"`;

/**
 * `dpopAlgs`: the proof algorithms when DPoP is on, so resources challenge for both schemes (RFC 9449 §7.1).
 */
export function sendError(err: unknown, request: FastifyRequest, reply: FastifyReply, theme: Theme, dpopAlgs?: readonly string[]): FastifyReply {
  const oauth = normalise(err);
  if (oauth.status >= 500) request.log.error({ err: oauth.cause ?? oauth, error: oauth.error }, 'request failed');
  // A refused client assertion answers one description (core/client-auth/private-key-jwt.ts); why goes to the log.
  else request.log.info({ error: oauth.error, ...(oauth instanceof InvalidClient && oauth.cause instanceof Error ? { reason: oauth.cause.message } : {}) }, oauth.description);
  const style: ErrorStyle = request.routeOptions.config?.errorStyle ?? 'json';
  reply.code(oauth.status);
  if (oauth instanceof TemporarilyUnavailable) reply.header('retry-after', String(oauth.retryAfterSeconds));
  // RFC 9449 §8, §9: the nonce to put in the next proof.
  if (oauth instanceof UseDpopNonce) reply.header('dpop-nonce', oauth.nonce);

  if (style === 'page') return sendErrorPage(reply, oauth, undefined, theme);
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
  if (style === 'bearer' && (oauth.status === 401 || oauth.status === 403 || oauth.status === 400)) {
    // RFC 6750 §3: challenge with the error; §3.1: no error code when the request carried no token at all.
    const parts = ['realm="latchkey"'];
    const errorParts = isMissingToken(oauth) ? [] : [`error=${quote(oauth.error)}`, `error_description=${quote(oauth.description)}`];
    if (oauth instanceof InsufficientScope) errorParts.push(`scope=${quote(oauth.requiredScope)}`);
    // RFC 9449 §7.1: a DPoP error goes in the DPoP challenge; where both schemes are accepted both are offered.
    const dpop = isDpopChallenge(oauth);
    const challenges = [`Bearer ${[...parts, ...(dpop ? [] : errorParts)].join(', ')}`];
    if (dpopAlgs && request.routeOptions.config?.acceptsDpop) challenges.push(`DPoP ${[...(dpop ? errorParts : []), `algs=${quote(dpopAlgs.join(' '))}`].join(', ')}`);
    else if (dpop) challenges.splice(0, 1, `DPoP ${errorParts.join(', ')}`);
    reply.header('www-authenticate', challenges.join(', '));
    if (isMissingToken(oauth)) return reply.send();
  }
  if (oauth instanceof InvalidClient && oauth.basicChallenge) {
    reply.header('www-authenticate', 'Basic realm="latchkey", charset="UTF-8"');
  }
  return reply.type('application/json').send(oauth.toJSON());
}
