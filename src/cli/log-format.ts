import { Writable } from 'node:stream';
import type { Config } from '../config/schema.ts';

/**
 * Human-readable log lines for a terminal, in the pino-pretty style, without its dependencies:
 *   17:40:01.123 INFO  request completed  reqId=req-1 res.statusCode=200 responseTime=3.1
 * It reformats the JSON lines pino has already written, so whatever the serializers redacted (log-redact.ts: codes,
 * tokens, passwords in URLs) is redacted here too: the formatter never sees the original values.
 */

export type LogFormat = Config['logFormat'];

/** `auto`: pretty when stdout is a terminal (a person reads it), JSON otherwise (a collector parses it). */
export function resolveLogFormat(configured: LogFormat, stdoutIsTerminal: boolean): 'json' | 'pretty' {
  if (configured !== 'auto') return configured;
  return stdoutIsTerminal ? 'pretty' : 'json';
}

const LEVELS: Readonly<Record<number, string>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const COLOURS: Readonly<Record<number, string>> = { 10: '90', 20: '36', 30: '32', 40: '33', 50: '31', 60: '35' };
/** pino's own fields, shown in the line's head or left out. */
const HEAD = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'v']);

const pad2 = (n: number) => String(n).padStart(2, '0');

function clock(ms: number): string {
  const d = new Date(ms);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** A value as it reads in `key=value`: bare when it has no spaces or quotes, else JSON-quoted. */
function show(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  // responseTime=9.011107000000266 reads better as 9.011.
  if (typeof value === 'number' && !Number.isInteger(value)) return String(Math.round(value * 1000) / 1000);
  return JSON.stringify(value) ?? String(value);
}

/** `req: {method, url}` becomes `req.method=GET req.url=/x`: one level deep is what request logs need. */
function fields(record: Record<string, unknown>, prefix = ''): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (prefix === '' && (HEAD.has(key) || key === 'err')) continue;
    if (value === undefined) continue;
    if (prefix === '' && typeof value === 'object' && value !== null && !Array.isArray(value)) out.push(...fields(value as Record<string, unknown>, `${key}.`));
    else out.push(`${prefix}${key}=${show(value)}`);
  }
  return out;
}

/** One pino JSON line as one human line (plus an error's stack, indented); a line that is not JSON passes through. */
export function prettyLine(line: string, colour = false): string {
  let record: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return line;
    record = parsed as Record<string, unknown>;
  } catch {
    return line;
  }
  const level = typeof record['level'] === 'number' ? record['level'] : 30;
  const name = (LEVELS[level] ?? `L${level}`).padEnd(5);
  const time = typeof record['time'] === 'number' ? clock(record['time']) : '--:--:--.---';
  const msg = typeof record['msg'] === 'string' ? record['msg'] : '';
  const head = `${time} ${colour ? `\x1b[${COLOURS[level] ?? '0'}m${name}\x1b[0m` : name} ${msg}`;
  const rest = fields(record);
  let text = rest.length > 0 ? `${head}  ${rest.join(' ')}` : head;
  const err = record['err'];
  if (typeof err === 'object' && err !== null) {
    const e = err as { type?: unknown; message?: unknown; stack?: unknown };
    const stack = typeof e.stack === 'string' ? e.stack : `${String(e.type ?? 'Error')}: ${String(e.message ?? '')}`;
    text += `\n${stack.split('\n').map((l) => `    ${l}`).join('\n')}`;
  }
  return text;
}

/**
 * A stream for pino's `stream` option that writes each JSON line to `out` as a human line. Synchronous, like
 * pino's default destination, so that the last lines before an exit are not lost.
 */
export function prettyLogStream(out: NodeJS.WritableStream & { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Writable {
  // NO_COLOR (https://no-color.org): any value turns colours off.
  const colour = out.isTTY === true && env['NO_COLOR'] === undefined;
  let partial = '';
  return new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, done) {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line !== '') out.write(`${prettyLine(line, colour)}\n`);
      done();
    },
  });
}
