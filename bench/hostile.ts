/**
 * Hostile bodies (issue 10, defect 1): how long does one 64 KiB request of each hostile shape hold the event loop?
 *
 *   npm run bench:hostile                      # every shape against every route, 2 requests each
 *   npm run bench:hostile -- --repeat 5 --route token
 *
 * Latchkey runs in this process (SQLite in a temporary directory, all four migration profiles on, logs off); each
 * request goes over real HTTP. For every shape and route it prints the status, the median time per request and the
 * longest event-loop stall seen while those requests ran (perf_hooks.monitorEventLoopDelay): a stall is time when
 * no other request (a /healthz, another client's login) could be served. A figure, not a pass/fail: the suite's
 * test/flows/hostile-bodies.test.ts proves the behaviour by counts; this shows the cost.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { parseConfig } from '../src/config/load.ts';
import { buildLatchkey } from '../src/main.ts';
import { HOSTILE_ROUTES, HOSTILE_SHAPES } from '../test/support/hostile.ts';

const { values: args } = parseArgs({
  options: {
    repeat: { type: 'string', default: '2' },
    route: { type: 'string' },
    shape: { type: 'string' },
  },
});
const repeat = Math.max(1, Number(args.repeat));

const dir = mkdtempSync(join(tmpdir(), 'latchkey-hostile-'));
const config = parseConfig({
  logLevel: 'silent',
  demo: false,
  database: join(dir, 'latchkey.db'),
  host: '127.0.0.1',
  port: 0,
  profiles: ['redcore', 'twitch', 'moltin', 'atomgit'],
  rateLimit: { tokenPerMinute: 0 },
});
const latchkey = await buildLatchkey(config);
const address = await latchkey.app.listen({ port: 0, host: '127.0.0.1' });

const histogram = monitorEventLoopDelay({ resolution: 5 });
histogram.enable();

const ms = (ns: number) => ns / 1e6;
const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1)).padStart(8);
const header = `${'shape'.padEnd(26)}${'route'.padEnd(18)}${'status'.padEnd(8)}${'ms/req'.padStart(8)}${'stall ms'.padStart(10)}`;
console.log(header);
console.log('-'.repeat(header.length));

for (const shape of HOSTILE_SHAPES) {
  if (args.shape !== undefined && shape.name !== args.shape) continue;
  for (const route of HOSTILE_ROUTES) {
    if (args.route !== undefined && route.name !== args.route) continue;
    if (!shape.fits(route)) continue;
    const times: number[] = [];
    const statuses = new Set<number>();
    histogram.reset();
    for (let i = 0; i < repeat; i++) {
      const request = shape.request(route);
      const started = process.hrtime.bigint();
      const res = await fetch(new URL(request.path, address), { method: request.method, headers: request.headers, redirect: 'manual', ...(request.body ? { body: request.body } : {}) });
      await res.arrayBuffer();
      times.push(Number(process.hrtime.bigint() - started));
      statuses.add(res.status);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)] ?? 0;
    const row = `${shape.name.padEnd(26)}${route.name.padEnd(18)}${[...statuses].join(',').padEnd(8)}${fmt(ms(median))}${fmt(ms(histogram.max))}  `;
    console.log(row);
  }
}

histogram.disable();
await latchkey.close();
rmSync(dir, { recursive: true, force: true });
