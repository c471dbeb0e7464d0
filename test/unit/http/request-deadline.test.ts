import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { parseConfig } from '../../../src/config/load.ts';
import { createServer } from '../../../src/http/server.ts';

/** requestTimeoutMs: no request outlives it; past it the answer is a retryable 503 (src/http/request-deadline.ts). */
let app: FastifyInstance | undefined;
/** Set when a slow handler has finished its wait: an answer before that came from the deadline, whatever the clock. */
let handlerFinished = false;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function server(timeoutMs: number, handlerMs: number): Promise<FastifyInstance> {
  handlerFinished = false;
  const config = parseConfig({ issuer: 'http://127.0.0.1:1', logLevel: 'silent', demo: false, requestTimeoutMs: timeoutMs });
  app = await createServer(config);
  app.post('/slow', { config: { errorStyle: 'json' } }, async (_req, reply) => {
    await new Promise((r) => setTimeout(r, handlerMs));
    handlerFinished = true;
    return reply.send({ done: true });
  });
  return app;
}

describe('the request deadline', () => {
  it('answers 503 temporarily_unavailable with retry-after once a request runs past requestTimeoutMs', async () => {
    const a = await server(200, 1500);
    const started = performance.now();
    const res = await a.inject({ method: 'POST', url: '/slow', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=b' });
    const elapsed = performance.now() - started;
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ error: 'temporarily_unavailable' });
    expect(res.headers['retry-after']).toBe('5');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(handlerFinished).toBe(false);
  });

  it('leaves a request that finishes in time alone', async () => {
    const a = await server(500, 20);
    const res = await a.inject({ method: 'POST', url: '/slow', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=b' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ done: true });
    // Well past the deadline: nothing else happens to the finished request, and the next one is served too.
    await new Promise((r) => setTimeout(r, 700));
    const again = await a.inject({ method: 'POST', url: '/slow', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=b' });
    expect(again.statusCode).toBe(200);
  });

  it('times out each of many concurrent slow requests, not only the first', async () => {
    const a = await server(150, 1200);
    const all = await Promise.all(
      Array.from({ length: 5 }, () => a.inject({ method: 'POST', url: '/slow', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=b' })),
    );
    expect(all.map((r) => r.statusCode)).toEqual([503, 503, 503, 503, 503]);
  });
});
