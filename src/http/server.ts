import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import type { Config } from '../config/schema.ts';
import { InvalidRequest, OAuthError } from '../core/errors.ts';
import { MALFORMED, decodeUtf8, duplicated, parseJsonBody, parseUrlEncoded, type RawParams } from './params.ts';
import { redactUrl } from './log-redact.ts';
import { requestDeadline } from './request-deadline.ts';
import { sendError } from './errors.ts';
import { sendErrorPage } from './error-page.ts';
import { prefersHtml } from './accept.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's form may repeat a field (the console's checkboxes); elsewhere a body stops at its first duplicate. */
    repeatedFields?: boolean;
  }
}

const repeatsAllowed = (req: FastifyRequest): boolean => req.routeOptions.config?.repeatedFields === true;

const hops = (n: number) => (_address: string, hop: number) => hop < n;

/** A Fastify instance with Latchkey's hardening: strict parsers, body limit, security headers, redacted logs. */
export async function createServer(
  config: Config,
  options: { logStream?: NodeJS.WritableStream } = {},
): Promise<FastifyInstance> {
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
    // The request id is the reference error pages show and every log line of the request carries (reqId): random,
    // so a reference quoted by a person points to one request across restarts and nodes (Fastify's default counts).
    genReqId: () => randomBytes(6).toString('hex'),
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
  });
  // No request outlives requestTimeoutMs: past it the answer is 503 temporarily_unavailable (request-deadline.ts).
  requestDeadline(app, config.requestTimeoutMs);

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (req, body: Buffer, done) => {
    try {
      const params = parseUrlEncoded(decodeUtf8(body), { repeats: repeatsAllowed(req) });
      // A body's first problem is refused here, with the route's error style (a page or JSON), never passed on.
      const malformed = params[MALFORMED];
      if (malformed) throw new InvalidRequest(malformed);
      done(null, params);
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
  const collectParts = async (req: FastifyRequest) => {
    const body: RawParams = Object.create(null) as RawParams;
    const repeats = repeatsAllowed(req);
    try {
      for await (const part of req.parts()) {
        if (part.type === 'file') throw new InvalidRequest('file uploads are not accepted', { status: 413 });
        const prev = body[part.fieldname];
        if (prev === undefined) body[part.fieldname] = part.value;
        // As for forms: the OAuth endpoints refuse a repeated parameter (RFC 6749 §3.2), so stop at the first.
        else if (!repeats) throw new InvalidRequest(duplicated(part.fieldname));
        else if (Array.isArray(prev)) prev.push(part.value);
        else body[part.fieldname] = [prev, part.value];
      }
    } catch (err) {
      const status = (err as { statusCode?: unknown }).statusCode;
      if (err instanceof OAuthError || (typeof status === 'number' && status < 500)) throw err;
      throw new InvalidRequest('the multipart body is malformed', { cause: err });
    }
    req.body = body;
  };
  // A callback hook, not an async one: the common case (not multipart) then costs no promise.
  app.addHook('preValidation', (req, _reply, done) => {
    if (!req.isMultipart()) return done();
    collectParts(req).then(() => done(), done);
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, _body, done) => {
    done(new InvalidRequest('unsupported content type: use application/x-www-form-urlencoded, application/json or multipart/form-data', { status: 415 }), undefined);
  });

  await app.register(cookie);

  const securityHeaders: Record<string, string> = {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    ...(config.issuer.startsWith('https:') ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
  };
  app.addHook('onSend', (req, reply, payload, done) => {
    reply.headers(securityHeaders);
    // A request answered before its body was read (a multipart body refused at its header) leaves the rest of the
    // body in the connection, and the next request on it would wait for the server's timeout: close it instead.
    if (!req.raw.complete) reply.header('connection', 'close');
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
    done(null, payload);
  });

  const dpopAlgs = config.dpop.enabled ? config.dpop.algorithms : undefined;
  app.setErrorHandler((err, request, reply) => sendError(err, request, reply, config.theme, dpopAlgs));
  app.setNotFoundHandler((request, reply) => {
    const notFound = new InvalidRequest('not found', { status: 404 });
    // A person in a browser gets a page; API clients keep the JSON error.
    if (prefersHtml(request.headers.accept)) {
      request.log.info({ error: notFound.error }, notFound.description);
      return sendErrorPage(reply.code(404), notFound, { reason: 'not_found' }, config.theme);
    }
    return sendError(notFound, request, reply, config.theme);
  });
  return app;
}
