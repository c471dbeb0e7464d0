import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BENCH } from '../../bench/common.ts';
import { freePort } from '../../bench/servers/free-port.ts';
import { benchLatchkeyConfig, withExchangeGrants } from '../../bench/servers/latchkey-config.ts';
import { send } from '../../bench/workloads/http.ts';
import { workloads } from '../../bench/workloads/index.ts';
import type { Prepared, Target, Unit } from '../../bench/workloads/types.ts';
import { parseConfig } from '../../src/config/load.ts';
import { buildLatchkey, type Latchkey } from '../../src/main.ts';

/**
 * The bench's token_exchange and jwt_bearer workloads against Latchkey set up as `npm run bench` sets it up
 * (servers/latchkey-config.ts), from src/ rather than dist/. Bounded by work (a number of answered units, each
 * checked as the load generator checks it), never by time: what the quick bench would count as errors fails here.
 */
let latchkey: Latchkey;
let target: Target;
const dir = mkdtempSync(join(tmpdir(), 'latchkey-bench-test-'));

beforeAll(async () => {
  const port = await freePort();
  const config = parseConfig(withExchangeGrants(benchLatchkeyConfig({ port, database: join(dir, 'latchkey.db'), logLevel: 'silent', env: {} })));
  latchkey = await buildLatchkey(config);
  await latchkey.app.listen({ port, host: '127.0.0.1' });
  target = {
    name: 'latchkey',
    origin: `http://127.0.0.1:${port}`,
    endpoints: { token: config.paths.token, authorization: config.paths.authorization, resource: config.paths.userinfo, jwtAccessTokens: true, exchangeGrants: true },
  };
});

afterAll(async () => {
  await latchkey?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs one unit to its end over fetch, as the load generator would over its own sockets. */
async function runUnit(unit: Unit): Promise<Unit> {
  for (let req = unit.next(); req; req = unit.next()) unit.handle(await send(target, req));
  return unit;
}

/** `lines` sequences of `each` units side by side (as connections are), every outcome returned. */
async function runUnits(prepared: Prepared, lines: number, each: number): Promise<Unit[]> {
  const out: Unit[] = [];
  await Promise.all(
    Array.from({ length: lines }, async () => {
      for (let i = 0; i < each; i++) out.push(await runUnit(prepared.start()));
    }),
  );
  return out;
}

const failures = (units: Unit[]) => units.filter((u) => u.state !== 'ok').map((u) => u.failure);
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;

describe('bench workload token_exchange (RFC 8693)', () => {
  it('trades the one prepared user access token, again and again, for a narrower JWT for the resource (impersonation, §2.2.1)', async () => {
    const prepared = await workloads.token_exchange.prepare(target);
    const units = await runUnits(prepared, 4, 5);
    expect(units.length).toBe(20);
    expect(failures(units)).toEqual([]);

    // What the workload accepts, read independently: an access token for the resource, naming the user, scope narrowed.
    const req = prepared.start().next();
    expect(req).toBeDefined();
    const res = await send(target, req ?? { method: 'GET', path: '/', headers: {} });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body) as { access_token: string; issued_token_type: string; scope: string; token_type: string };
    expect(body.issued_token_type).toBe('urn:ietf:params:oauth:token-type:access_token');
    expect(body.scope).toBe(BENCH.clientScope);
    const claims = claimsOf(body.access_token);
    expect(claims['aud']).toBe(BENCH.jwtResource);
    expect(claims['client_id']).toBe(BENCH.exchangerId);
    expect(claims['sub']).not.toBe(BENCH.exchangerId);
    expect(claims['act']).toBeUndefined();
  });

  it('counts an answer that is not an exchanged JWT as a failure (an exchange refused by policy is invalid_target, §2.2.2)', async () => {
    const prepared = await workloads.token_exchange.prepare(target);
    const unit = prepared.start();
    const req = unit.next();
    // The same request for a resource the policy does not list.
    const refused = await send(target, { ...(req ?? { method: 'POST', path: '', headers: {} }), body: (req?.body ?? '').replace(encodeURIComponent(BENCH.jwtResource), encodeURIComponent('https://other.bench.example/')) });
    expect(refused.status).toBe(400);
    unit.handle(refused);
    expect(unit.state).toBe('failed');
    expect(unit.failure).toMatch(/^400 .*invalid_target/);
  });
});

describe('bench workload jwt_bearer (RFC 7523 §2.1)', () => {
  it('gets a token for each fresh assertion of the trusted issuer, a new jti every request (§3 item 7)', async () => {
    const prepared = await workloads.jwt_bearer.prepare(target);
    const units = await runUnits(prepared, 4, 5);
    expect(units.length).toBe(20);
    expect(failures(units)).toEqual([]);
  });

  it('counts a replayed assertion, refused with invalid_grant, as a failure', async () => {
    const prepared = await workloads.jwt_bearer.prepare(target);
    const first = prepared.start();
    const req = first.next();
    if (!req) throw new Error('no request');
    first.handle(await send(target, req));
    expect(first.state).toBe('ok');
    const replay = prepared.start();
    replay.next();
    const res = await send(target, req);
    expect(res.status).toBe(400);
    replay.handle(res);
    expect(replay.state).toBe('failed');
    expect(replay.failure).toMatch(/^400 .*invalid_grant/);
  });
});

describe('bench: the grants no peer has run on Latchkey alone', () => {
  it('are n/a for a server without them (the peers, and a Latchkey build from before them)', () => {
    for (const name of ['token_exchange', 'jwt_bearer'] as const) {
      expect(workloads[name].supports(target)).toBe(true);
      expect(workloads[name].supports({ ...target, name: 'oidc-provider', endpoints: { token: '/token' } })).toBe(false);
      expect(workloads[name].supports({ ...target, endpoints: { ...target.endpoints, exchangeGrants: false } })).toBe(false);
    }
  });
});
