import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * What every server of the benchmark is set up with, so the workloads send the same requests to each: one
 * confidential client (client_secret_basic, PKCE S256 required), one user, the same scopes and lifetimes.
 */
export const BENCH = {
  clientId: 'bench-client',
  clientSecret: 'bench-secret-0123456789abcdef',
  redirectUri: 'http://127.0.0.1/cb',
  username: 'alice',
  password: 'correct horse battery staple',
  userName: 'Alice Liddell',
  email: 'alice@example.com',
  /** The scope of the browser flows (and so of the refresh tokens): the resource call is the userinfo endpoint. */
  userScope: 'openid profile email',
  /** Latchkey's auth_code without OpenID Connect (no ID token); the peers' userinfo needs openid (auth-code.ts). */
  opaqueScope: 'profile email',
  /** The scope of client_credentials tokens. */
  clientScope: 'api',
  /** The resource (RFC 8707) the client_credentials_jwt workload asks for: its access tokens are RFC 9068 JWTs. */
  jwtResource: 'https://api.bench.example/',
  /**
   * token_exchange and jwt_bearer (Latchkey only): a second confidential client, an API gateway trading a user's
   * token (issued to clientId) for a narrower one, and trading a trusted issuer's assertions for tokens.
   */
  exchangerId: 'bench-exchanger',
  exchangerSecret: 'bench-exchanger-secret-0123456789',
  /** The scope of the user's token that token_exchange presents: wider than the exchanged token's (clientScope). */
  subjectScope: 'profile email api',
  accessTokenTtl: 3600,
  refreshTokenTtl: 30 * 24 * 3600,
  codeTtl: 60,
} as const;

/**
 * The ID-token algorithm of every server under test: BENCH_ID_TOKEN_ALG (BENCH_LATCHKEY_ID_TOKEN_ALG, its earlier
 * name, still read), RS256 by default. One setting for all, so the auth_code_oidc comparison is like for like.
 */
export function idTokenAlgOf(env: NodeJS.ProcessEnv): 'RS256' | 'ES256' | 'EdDSA' {
  const alg = env['BENCH_ID_TOKEN_ALG'] ?? env['BENCH_LATCHKEY_ID_TOKEN_ALG'] ?? 'RS256';
  if (alg !== 'RS256' && alg !== 'ES256' && alg !== 'EdDSA') throw new Error(`BENCH_ID_TOKEN_ALG must be RS256, ES256 or EdDSA, not ${alg}`);
  return alg;
}

export type ServerName = 'bare' | 'latchkey-http' | 'latchkey' | 'oidc-provider' | 'oauth2-server';

/** The ceilings: fixed answers, measured once a round under the client_credentials request (servers/bare.ts, servers/latchkey-http.ts). */
export const CEILINGS: readonly ServerName[] = ['bare', 'latchkey-http'];
export const isCeiling = (s: ServerName): boolean => CEILINGS.includes(s);

/** Where a server under test answers each kind of request; `undefined` when it has no such endpoint. */
export interface Endpoints {
  token?: string;
  introspection?: string;
  authorization?: string;
  /** The protected resource called once per browser flow (a userinfo endpoint). */
  resource?: string;
  /** OpenID Connect Discovery (§4): servers that issue ID tokens; the auth_code_oidc workload reads issuer and JWKS here. */
  openidConfiguration?: string;
  /** Servers that issue RFC 9068 JWT access tokens for BENCH.jwtResource (RFC 8707 `resource`): client_credentials_jwt. */
  jwtAccessTokens?: boolean;
  /**
   * Servers set up for the token exchange (RFC 8693) and JWT bearer (RFC 7523 §2.1) grants with BENCH.exchangerId,
   * its policy and the trusted issuer of trusted-issuer.ts: token_exchange, jwt_bearer.
   */
  exchangeGrants?: boolean;
}

/** The one line a server process writes to stdout once it listens. */
export interface ReadyMessage {
  ready: true;
  port: number;
  version: string;
  endpoints: Endpoints;
  /** Anything worth recording about how the server is set up (log level, adapter, ...). */
  notes: string[];
}

export function announce(msg: Omit<ReadyMessage, 'ready'>): void {
  process.stdout.write(`${JSON.stringify({ ready: true, ...msg })}\n`);
}

/** Stops on SIGTERM/SIGINT through `close`, and exits normally so that `--cpu-prof` writes its profile. */
export function onStop(close: () => Promise<void> | void): void {
  const stop = () => {
    Promise.resolve(close()).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

export const basicAuth = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

export const BASIC = basicAuth(BENCH.clientId, BENCH.clientSecret);

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('base64url');

/** The peers' client-secret check: compare SHA-256 digests in constant time, as Latchkey does. */
export function secretMatches(presented: string, storedHash: string): boolean {
  const a = Buffer.from(sha256(presented), 'base64url');
  const b = Buffer.from(storedHash, 'base64url');
  return a.length === b.length && timingSafeEqual(a, b);
}

export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** The peers' login page: a plain form with the same field names as Latchkey's (username, password, hidden fields). */
export function loginFormHtml(action: string, hidden: Record<string, string>): string {
  const inputs = Object.entries(hidden)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('');
  return (
    `<!doctype html><html><head><meta charset="utf-8"><title>Sign in</title></head><body>` +
    `<form method="post" action="${escapeHtml(action)}">${inputs}` +
    `<label>Username <input name="username" autocomplete="username"></label>` +
    `<label>Password <input type="password" name="password" autocomplete="current-password"></label>` +
    `<button type="submit">Sign in</button></form></body></html>`
  );
}

/** Reads a whole request body (the peers' own small HTTP layers), refusing anything over 64 KiB. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 64 * 1024) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

/**
 * Profile mode: with BENCH_CPU_PROFILE set to a file path, the server starts V8's sampling profiler on SIGUSR2 (sent
 * when the measured run begins, so start-up, setup and warm-up stay out of it) and writes the profile (the
 * `.cpuprofile` format of `node --cpu-prof`, for Chrome DevTools or speedscope) when it is stopped.
 */
export async function profileOnSignal(): Promise<(() => Promise<void>) | undefined> {
  const path = process.env['BENCH_CPU_PROFILE'];
  if (!path) return undefined;
  const { Session } = await import('node:inspector/promises');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  let started = false;
  process.on('SIGUSR2', () => {
    void (async () => {
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 100 });
      await session.post('Profiler.start');
      started = true;
    })();
  });
  return async () => {
    if (!started) return;
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(path, JSON.stringify(profile));
  };
}
