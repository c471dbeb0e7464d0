import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/schema.ts';
import { TemporarilyUnavailable } from '../core/errors.ts';
import type { RateLimitWindow } from '../core/repositories.ts';
import type { WindowCounter } from './memory-counter.ts';

const WINDOW_MS = 60_000;

type Hook = (req: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** Route options for a route that checks a client secret: counted before the route does any work. */
export interface ClientAuthLimitHooks {
  onRequest: Hook;
  onResponse: Hook;
}

export interface ClientAuthLimit {
  /** Hooks for a route that checks client secrets; `when` narrows the limit to the requests that carry one. */
  hooks(when?: (req: FastifyRequest) => boolean): ClientAuthLimitHooks;
}

/**
 * One budget per address for every place a client secret is checked (issue 10 defect 7): the token, revocation and
 * introspection endpoints, the profiles' token routes and redCORE's authorization endpoint share it, so an attacker
 * cannot multiply the limit by spreading guesses over routes. Two fixed one-minute windows:
 * - every request: `rateLimit.tokenPerMinute`;
 * - failed client authentications (answered 401: invalid_client is the only 401 these routes give):
 *   `rateLimit.clientAuthFailuresPerMinute`, the stricter one. Each request is counted as a failure in advance, and
 *   the count is given back when it was not one, so parallel guesses cannot all be checked before the first failure
 *   is written (as with login attempts, defect 3). Requests in flight hold a count until they are answered.
 * The counter is this process's memory, or the database when nodes share one (`rateLimit.store`), so the limits
 * hold per address across every node.
 */
export function clientAuthLimit(counter: WindowCounter, config: Config['rateLimit'], nowMs: () => number = Date.now): ClientAuthLimit {
  const countedAsFailure = new WeakSet<FastifyRequest>();
  const refuse = (w: RateLimitWindow, now: number, what: string) =>
    new TemporarilyUnavailable(`too many ${what} from this address; try again later`, { status: 429, retryAfterSeconds: (w.resetAt - now) / 1000 });
  const failureKey = (req: FastifyRequest) => `client-auth-failed|${req.ip}`;

  return {
    hooks(when) {
      return {
        async onRequest(req) {
          if (when && !when(req)) return;
          const now = nowMs();
          if (config.tokenPerMinute > 0) {
            const all = await counter.hit(`client-auth|${req.ip}`, now, WINDOW_MS);
            if (all.hits > config.tokenPerMinute) throw refuse(all, now, 'requests');
          }
          if (config.clientAuthFailuresPerMinute > 0) {
            const failures = await counter.hit(failureKey(req), now, WINDOW_MS);
            countedAsFailure.add(req);
            if (failures.hits > config.clientAuthFailuresPerMinute) throw refuse(failures, now, 'failed client authentications');
          }
        },
        async onResponse(req, reply) {
          if (!countedAsFailure.has(req) || reply.statusCode === 401) return;
          // The answer is sent: a failed refund (database down) only leaves this address one count stricter for a minute.
          await counter.refund(failureKey(req), nowMs()).catch((err: unknown) => req.log.warn({ err }, 'could not refund a client-authentication count'));
        },
      };
    },
  };
}
