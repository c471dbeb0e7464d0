import type { Endpoints, ServerName } from '../common.ts';

export interface HttpRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface HttpResponse {
  status: number;
  /** Lower-case names; Set-Cookie as a list. */
  headers: Record<string, string | string[]>;
  body: string;
}

/** A running server under test. */
export interface Target {
  name: ServerName;
  origin: string;
  endpoints: Endpoints;
}

/** What one measured run counts: successful requests (or flows), failures, and each success's latency in ms. */
export interface Stats {
  ok: number;
  errors: number;
  /** A few failure descriptions with their counts, to tell why a run failed. */
  errorKinds: Map<string, number>;
  latencies: number[];
}

export const newStats = (): Stats => ({ ok: 0, errors: 0, errorKinds: new Map(), latencies: [] });

export function recordError(stats: Stats, why: string): void {
  stats.errors++;
  const key = why.slice(0, 200);
  if (stats.errorKinds.size < 20 || stats.errorKinds.has(key)) stats.errorKinds.set(key, (stats.errorKinds.get(key) ?? 0) + 1);
}

export const WORKLOADS = ['client_credentials', 'client_credentials_jwt', 'client_credentials_dpop', 'auth_code', 'auth_code_oidc', 'auth_code_login', 'introspection', 'refresh_token', 'token_exchange', 'jwt_bearer'] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

/**
 * A unit of work on one connection: one request, or one browser flow of several. The load generator asks for the next
 * request until there is none, hands each response back, and reads the outcome once the unit is no longer running.
 */
export interface Unit {
  readonly state: 'running' | 'ok' | 'failed';
  readonly failure: string | undefined;
  /** performance.now() when the unit began: its latency is measured from here to its last response. */
  readonly startedAt: number;
  next(): HttpRequest | undefined;
  handle(res: HttpResponse): void;
}

/** A workload made ready against one server: it starts units of work, one after another on each connection. */
export interface Prepared {
  start(): Unit;
}

export interface Workload {
  name: WorkloadName;
  /** What `ok` counts. */
  unit: 'req/s' | 'flows/s';
  describe: string;
  /** False when the server has no endpoint for it (oauth2-server has no introspection): reported n/a. */
  supports(target: Target): boolean;
  /** Setup over plain HTTP before the warm-up: token pools, login sessions. */
  prepare(target: Target): Promise<Prepared>;
}
