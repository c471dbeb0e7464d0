import type { FastifyInstance, FastifyReply } from 'fastify';
import { TemporarilyUnavailable } from '../core/errors.ts';

/**
 * No request outlives `timeoutMs`: past it the answer is 503 temporarily_unavailable (a database that stopped
 * answering). One timer sweeps the requests in flight a few times per timeout, where Fastify's `handlerTimeout` arms
 * an AbortController, a timer and a listener for every request: that bookkeeping cost as much as the rest of the
 * HTTP layer on a token request (see the Performance section of the README).
 */
export function requestDeadline(app: FastifyInstance, timeoutMs: number): void {
  // Insertion order is deadline order (one timeout for all), so a sweep stops at the first request still in time.
  const inFlight = new Map<FastifyReply, number>();
  const sweepEveryMs = Math.max(10, Math.min(250, Math.floor(timeoutMs / 4)));
  let timer: NodeJS.Timeout | undefined;

  const sweep = () => {
    const now = performance.now();
    for (const [reply, deadline] of inFlight) {
      if (deadline > now) break;
      inFlight.delete(reply);
      if (!reply.sent && !reply.raw.headersSent && !reply.raw.destroyed) {
        reply.send(new TemporarilyUnavailable('the request took too long; try again shortly'));
      }
    }
  };

  app.addHook('onRequest', (_req, reply, done) => {
    inFlight.set(reply, performance.now() + timeoutMs);
    done();
  });
  app.addHook('onResponse', (_req, reply, done) => {
    inFlight.delete(reply);
    done();
  });
  app.addHook('onReady', (done) => {
    timer = setInterval(sweep, sweepEveryMs);
    timer.unref();
    done();
  });
  app.addHook('onClose', (_app, done) => {
    clearInterval(timer);
    done();
  });
}
