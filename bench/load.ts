import { connect, type Socket } from 'node:net';
import { newStats, recordError, type HttpRequest, type HttpResponse, type Prepared, type Stats, type Target } from './workloads/types.ts';

/**
 * The load generator: `connections` keep-alive HTTP/1.1 connections, each running units of work (one request, or one
 * browser flow of several requests) back to back, as fast as the server answers. It is deliberately lean (requests
 * encoded once where they do not change, a small response parser, no per-request allocations beyond the response),
 * so that on its own core it can drive even the bare node:http server to saturation: check the server's CPU figure
 * (near 100% means the server, not the load generator, set the pace). autocannon, which the benchmark used first,
 * spends about twice the CPU per request once requests carry per-request state and callbacks.
 */

export interface LoadResult {
  stats: Stats;
  seconds: number;
}

const CRLF_CRLF = Buffer.from('\r\n\r\n');
const encoded = new WeakMap<HttpRequest, Buffer>();

function encode(req: HttpRequest, host: string): Buffer {
  const cached = encoded.get(req);
  if (cached) return cached;
  let head = `${req.method} ${req.path} HTTP/1.1\r\nhost: ${host}\r\nconnection: keep-alive\r\n`;
  for (const [k, v] of Object.entries(req.headers)) head += `${k}: ${v}\r\n`;
  const body = req.body === undefined ? undefined : Buffer.from(req.body);
  if (body) head += `content-length: ${body.length}\r\n`;
  head += '\r\n';
  const buf = body ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : Buffer.from(head, 'latin1');
  encoded.set(req, buf);
  return buf;
}

/** Parses one HTTP/1.1 response from the front of `buf`; returns it with the bytes it used, or undefined if incomplete. */
function parseResponse(buf: Buffer): { res: HttpResponse; used: number; close: boolean } | undefined {
  const end = buf.indexOf(CRLF_CRLF);
  if (end < 0) return undefined;
  const head = buf.toString('latin1', 0, end);
  const lines = head.split('\r\n');
  const status = Number((lines[0] ?? '').slice(9, 12));
  const headers: Record<string, string | string[]> = {};
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    const prev = headers[name];
    if (name === 'set-cookie') headers[name] = prev === undefined ? [value] : [...(prev as string[]), value];
    else headers[name] = prev === undefined ? value : `${prev as string}, ${value}`;
  }
  const start = end + 4;
  const close = /close/i.test((headers['connection'] as string | undefined) ?? '');
  if (/chunked/i.test((headers['transfer-encoding'] as string | undefined) ?? '')) {
    const parts: Buffer[] = [];
    let at = start;
    for (;;) {
      const lineEnd = buf.indexOf('\r\n', at);
      if (lineEnd < 0) return undefined;
      const size = parseInt(buf.toString('latin1', at, lineEnd), 16);
      if (!Number.isFinite(size)) throw new Error('bad chunk size');
      if (buf.length < lineEnd + 2 + size + 2) return undefined;
      if (size === 0) {
        // No trailers are expected: the chunked body ends with 0\r\n\r\n.
        return { res: { status, headers, body: Buffer.concat(parts).toString('utf8') }, used: lineEnd + 4, close };
      }
      parts.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
  }
  const length = Number((headers['content-length'] as string | undefined) ?? '0');
  if (buf.length < start + length) return undefined;
  return { res: { status, headers, body: buf.toString('utf8', start, start + length) }, used: start + length, close };
}

/** Drives `prepared` against `target` with `connections` keep-alive connections for `seconds`. */
export function drive(target: Target, prepared: Prepared, connections: number, seconds: number, stats: Stats = newStats()): Promise<LoadResult> {
  const url = new URL(target.origin);
  const host = url.host;
  const port = Number(url.port);
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let open = 0;

  return new Promise((resolve) => {
    const finish = () => resolve({ stats, seconds: (Math.min(performance.now(), deadline) - started) / 1000 });

    const runConnection = () => {
      open++;
      let socket: Socket;
      let pending: Buffer = Buffer.alloc(0);
      let unit = prepared.start();
      let stopped = false;

      const stop = () => {
        if (stopped) return;
        stopped = true;
        socket.destroy();
        if (--open === 0) finish();
      };

      const sendNext = (): void => {
        for (;;) {
          if (performance.now() >= deadline) return stop();
          const req = unit.next();
          if (req) {
            socket.write(encode(req, host));
            return;
          }
          // The unit is over (it recorded its outcome when its last response came): start the next one.
          unit = prepared.start();
        }
      };

      const open_ = () => {
        pending = Buffer.alloc(0);
        socket = connect({ port, host: url.hostname, noDelay: true });
        socket.on('connect', sendNext);
        socket.on('data', (chunk: Buffer) => {
          pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
          for (;;) {
            let parsed: ReturnType<typeof parseResponse>;
            try {
              parsed = parseResponse(pending);
            } catch (err) {
              recordError(stats, `protocol: ${(err as Error).message}`);
              socket.destroy();
              return;
            }
            if (!parsed) return;
            pending = pending.subarray(parsed.used);
            const now = performance.now();
            if (now > deadline) return stop();
            unit.handle(parsed.res);
            if (unit.state === 'ok') {
              stats.ok++;
              stats.latencies.push(now - unit.startedAt);
            } else if (unit.state === 'failed') recordError(stats, unit.failure ?? 'failed');
            if (parsed.close) {
              socket.removeAllListeners('close');
              socket.destroy();
              if (unit.state !== 'running') unit = prepared.start();
              return open_();
            }
            sendNext();
          }
        });
        socket.on('error', (err) => recordError(stats, `socket: ${err.message}`));
        socket.on('close', () => {
          if (stopped) return;
          if (performance.now() >= deadline) return stop();
          // The server closed the connection: the unit in progress is lost (counted as an error); reconnect.
          if (unit.state === 'running') recordError(stats, 'connection closed by the server');
          unit = prepared.start();
          open_();
        });
      };
      open_();
    };

    for (let i = 0; i < connections; i++) runConnection();
    // A unit that never answers must not hang the run.
    setTimeout(() => {
      if (open > 0) finish();
    }, seconds * 1000 + 15_000).unref();
  });
}

/** The p-th percentile (0..100) of a list of numbers, nearest-rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}
