import type { FastifyInstance, LogLevel } from 'fastify';
import type { Storage } from '../storage/index.ts';

/**
 * Probes for a load balancer or an orchestrator.
 * - `GET /healthz`: the process is up and serving HTTP (liveness). It never touches the database, so an outage of the
 *   database does not get every node restarted.
 * - `GET /readyz`: this node can serve requests: the database answers within `timeoutMs` and has every migration
 *   this build needs (readiness). 503 otherwise, and from the moment a shutdown begins, so traffic drains away.
 */
export function registerHealthRoutes(app: FastifyInstance, storage: Pick<Storage, 'pendingMigrations'>, timeoutMs: number): void {
  // Probes come every few seconds from every balancer: log them only when something is wrong (and never more than
  // the server's own level allows).
  const quieter: readonly LogLevel[] = ['fatal', 'error', 'silent'];
  const level: LogLevel = quieter.find((l) => l === app.log.level) ?? 'warn';
  const quiet = { logLevel: level, config: { errorStyle: 'json' as const } };
  const noStore = { 'cache-control': 'no-store' } as const;

  app.get('/healthz', quiet, async (_req, reply) => reply.headers(noStore).send({ status: 'ok' }));

  app.get('/readyz', quiet, async (req, reply) => {
    reply.headers(noStore);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    try {
      const pending = await Promise.race([storage.pendingMigrations(), timeout]);
      if (pending === 'timeout') return reply.code(503).send({ status: 'unavailable', reason: 'the database did not answer in time' });
      if (pending.length > 0) return reply.code(503).send({ status: 'unavailable', reason: 'database migrations are pending', pending });
      return reply.send({ status: 'ready' });
    } catch (err) {
      req.log.warn({ event: 'readiness_failed', err }, 'database unreachable');
      return reply.code(503).send({ status: 'unavailable', reason: 'the database is unreachable' });
    } finally {
      clearTimeout(timer);
    }
  });
}
