import { createServer, type Server } from 'node:http';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { expect } from 'vitest';

/**
 * A relying party's back-channel logout endpoint (Back-Channel Logout 1.0 §2.5) on 127.0.0.1: it records every POST
 * and validates each logout token as §2.6 says an RP must, with jose against the issuer's jwks_uri. Each path can be
 * told what to answer, attempt by attempt (500, 500, 200 ...); past the script it answers 200.
 */

export const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

export interface ReceivedLogout {
  path: string;
  contentType: string;
  /** The answer this request got. */
  status: number;
  token: string;
}

export interface LogoutReceiver {
  url: string;
  received: ReceivedLogout[];
  /** Answers the next requests to `path` with these statuses, in order. */
  script(path: string, statuses: number[]): void;
  /** Resolves once `count` requests have arrived (in all, or to `path`); fails after a wide timeout. */
  waitFor(count: number, path?: string): Promise<ReceivedLogout[]>;
  close(): Promise<void>;
}

export async function startLogoutReceiver(): Promise<LogoutReceiver> {
  const received: ReceivedLogout[] = [];
  const scripts = new Map<string, number[]>();
  const waiters: Array<() => void> = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const status = scripts.get(path)?.shift() ?? 200;
      received.push({ path, contentType: req.headers['content-type'] ?? '', status, token: new URLSearchParams(body).get('logout_token') ?? '' });
      // §2.8: the RP's response carries no-store.
      res.writeHead(status, { 'cache-control': 'no-store' }).end();
      for (const w of waiters.splice(0)) w();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    script: (path, statuses) => scripts.set(path, [...statuses]),
    async waitFor(count, path) {
      const matching = () => received.filter((r) => path === undefined || r.path === path);
      const deadline = Date.now() + 60_000;
      while (matching().length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} logout requests${path ? ` to ${path}` : ''}, got ${matching().length}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 1000).unref();
        });
      }
      return matching();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Validates a logout token as an RP must (§2.6): signature by a key of the issuer's JWKS, iss, aud, iat and exp, typ
 * logout+jwt (§2.4, RFC 8725 §3.11), the back-channel logout event, a sub or sid (here always sid), and no nonce.
 * `serverUrl`: where to fetch the JWKS when the issuer is not the address the test reaches (a cluster's issuer).
 */
export async function validateLogoutToken(token: string, issuer: string, clientId: string, serverUrl = issuer): Promise<JWTPayload & { sid: string }> {
  const jwks = createRemoteJWKSet(new URL(`${serverUrl}/.well-known/jwks.json`));
  const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer, audience: clientId, typ: 'logout+jwt', requiredClaims: ['iat', 'exp', 'jti', 'sub', 'sid'] });
  expect(protectedHeader.typ).toBe('logout+jwt');
  expect(payload['events']).toEqual({ [LOGOUT_EVENT]: {} });
  expect(payload).not.toHaveProperty('nonce');
  // §2.4: a short lifetime; two minutes here.
  expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBeLessThanOrEqual(120);
  return payload as JWTPayload & { sid: string };
}
