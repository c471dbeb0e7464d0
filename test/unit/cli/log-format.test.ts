import { PassThrough } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { prettyLine, prettyLogStream, resolveLogFormat } from '../../../src/cli/log-format.ts';
import { redactUrl } from '../../../src/http/log-redact.ts';

describe('the log format decision', () => {
  it('auto is pretty on a terminal and JSON in a pipe; json and pretty are what they say', () => {
    expect(resolveLogFormat('auto', true)).toBe('pretty');
    expect(resolveLogFormat('auto', false)).toBe('json');
    expect(resolveLogFormat('json', true)).toBe('json');
    expect(resolveLogFormat('pretty', false)).toBe('pretty');
  });
});

describe('prettyLine', () => {
  const time = new Date(2026, 0, 2, 3, 4, 5, 67).getTime();

  it('shows the local time, the level, the message and the other fields as key=value, one level deep', () => {
    const line = JSON.stringify({ level: 30, time, pid: 1, hostname: 'h', reqId: 'req-1', req: { method: 'GET', url: '/a b' }, responseTime: 9.0111, msg: 'incoming request' });
    expect(prettyLine(line)).toBe('03:04:05.067 INFO  incoming request  reqId=req-1 req.method=GET req.url="/a b" responseTime=9.011');
  });

  it("puts an error's stack under its line, indented", () => {
    const line = JSON.stringify({ level: 50, time, msg: 'shutdown failed', err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at x (y.ts:1:1)' } });
    expect(prettyLine(line)).toBe('03:04:05.067 ERROR shutdown failed\n    Error: boom\n        at x (y.ts:1:1)');
  });

  it('colours the level only when asked, and passes a line that is not JSON through', () => {
    expect(prettyLine(JSON.stringify({ level: 40, time, msg: 'w' }), true)).toBe('03:04:05.067 \x1b[33mWARN \x1b[0m w');
    expect(prettyLine('not json')).toBe('not json');
  });
});

describe('prettyLogStream under pino', () => {
  it('formats each line pino writes, split or joined across writes, and keeps what the serializer redacted redacted', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    const stream = prettyLogStream(out, {});
    const logger = pino({ serializers: { req: (req: { url: string }) => ({ url: redactUrl(req.url) }) } }, stream);
    logger.info({ req: { url: '/cb?code=lk_ac_secret&state=abc&x=1' } }, 'incoming request');
    stream.write('{"level":30,"time":0,"msg":"split ');
    stream.write('line"}\n');
    await new Promise((r) => setImmediate(r));
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}incoming request {2}req\.url="\/cb\?code=\[redacted\]&state=\[redacted\]&x=1"$/);
    expect(lines[1]).toMatch(/ INFO {2}split line$/);
    expect(text).not.toContain('lk_ac_secret');
  });
});
