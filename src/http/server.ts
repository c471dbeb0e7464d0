import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import type { Config } from '../config/schema.ts';
import { InvalidRequest, OAuthError } from '../core/errors.ts';
import { decodeUtf8, parseJsonBody, parseUrlEncoded, type RawParams } from './params.ts';
import { redactUrl } from './log-redact.ts';
import { sendError } from './errors.ts';

const hops = (n: number) => (_address: string, hop: number) => hop < n;

/** A Fastify instance with Latchkey's hardening: strict parsers, body limit, security headers, redacted logs. */
export async function createServer(config: Config, options: { logStream?: NodeJS.WritableStream } = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      ...(options.logStream ? { stream: options.logStream } : {}),
      serializers: {
        req: (req: { method: string; url: string; ip: string }) => ({ method: req.method, url: redactUrl(req.url), remoteAddress: req.ip }),
      },
    },
    bodyLimit: config.bodyLimit,
    // A number is a hop count: trust that many proxies in front of Latchkey.
    trustProxy: typeof config.trustProxy === 'number' ? hops(config.trustProxy) : config.trustProxy,
    // Strict query parsing: duplicates and malformed percent-encoding are caught by oauthParams.
    routerOptions: { querystringParser: (s: string) => parseUrlEncoded(s) },
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (_req, body: Buffer, done) => {
    try {
      done(null, parseUrlEncoded(decodeUtf8(body)));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body: Buffer, done) => {
    try {
      done(null, parseJsonBody(decodeUtf8(body)));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  // The redCORE document's PHP client posts an array with curl: multipart/form-data. Fields only, no files.
  await app.register(multipart, {
    limits: { fields: 50, fieldSize: 16 * 1024, files: 0, fileSize: 0, parts: 50, headerPairs: 50 },
    throwFileSizeLimit: true,
  });
  // Fields are collected here rather than by `attachFieldsToBody`, whose busboy errors (no boundary, truncated body)
  // carry no status and would become a 500: a malformed body is the client's mistake.
  app.addHook('preValidation', async (req) => {
    if (!req.isMultipart()) return;
    const body: RawParams = Object.create(null) as RawParams;
    try {
      for await (const part of req.parts()) {
        if (part.type === 'file') throw new InvalidRequest('file uploads are not accepted', { status: 413 });
        const prev = body[part.fieldname];
        // Duplicates become arrays, refused later by `oauthParams` (RFC 6749 §3.2).
        body[part.fieldname] = prev === undefined ? part.value : Array.isArray(prev) ? [...(prev as unknown[]), part.value] : [prev, part.value];
      }
    } catch (err) {
      const status = (err as { statusCode?: unknown }).statusCode;
      if (err instanceof OAuthError || (typeof status === 'number' && status < 500)) throw err;
      throw new InvalidRequest('the multipart body is malformed', { cause: err });
    }
    req.body = body;
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, _body, done) => {
    done(new InvalidRequest('unsupported content type: use application/x-www-form-urlencoded, application/json or multipart/form-data', { status: 415 }), undefined);
  });

  await app.register(cookie);
  await app.register(rateLimit, { global: false });

  const https = config.issuer.startsWith('https:');
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    reply.header('cross-origin-opener-policy', 'same-origin');
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
    if (https) reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    return payload;
  });

  app.setErrorHandler((err, request, reply) => sendError(err, request, reply, config.theme));
  app.setNotFoundHandler((request, reply) => sendError(new InvalidRequest('not found', { status: 404 }), request, reply, config.theme));
  return app;
}
