import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type * as oauth from 'oauth4webapi';

/**
 * The token cache: one file per issuer and client in the user's config folder ($XDG_CONFIG_HOME/latchkey/tokens, else
 * ~/.config/latchkey/tokens), the folder 0700 and each file 0600, since they hold bearer tokens. `latchkey token`
 * answers from it while the access token is valid, refreshes it when it is not, and starts over with --fresh.
 */

export interface CachedToken {
  issuer: string;
  clientId: string;
  /** The scope asked for when it was obtained ('' for none): a different --scope does not reuse it. */
  requestedScope: string;
  /** The --resource values asked for, space-separated ('' or absent for none): another resource is another audience. */
  requestedResources?: string | undefined;
  /** The grant that obtained it (a refresh keeps the original's): a client's own token never answers for a person's. */
  grant: string;
  /** SHA-256 of the client credentials used (flow-context.ts), never the credentials themselves. */
  credential: string;
  /** Seconds since the epoch when the access token expires; undefined when the server did not say. */
  expiresAt: number | undefined;
  response: oauth.TokenEndpointResponse;
}

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['XDG_CONFIG_HOME'] !== undefined && env['XDG_CONFIG_HOME'] !== '' ? env['XDG_CONFIG_HOME'] : join(homedir(), '.config');
  return join(base, 'latchkey');
}

export function cacheFile(issuer: string, clientId: string): string {
  const key = createHash('sha256').update(`${issuer}\n${clientId}`).digest('base64url').slice(0, 32);
  return join(configDir(), 'tokens', `${key}.json`);
}

export function readCache(issuer: string, clientId: string): CachedToken | undefined {
  try {
    const entry = JSON.parse(readFileSync(cacheFile(issuer, clientId), 'utf8')) as CachedToken;
    // A hash collision or a hand-edited file: only an entry for exactly this issuer and client counts.
    return entry.issuer === issuer && entry.clientId === clientId ? entry : undefined;
  } catch {
    return undefined;
  }
}

export function writeCache(entry: CachedToken): string {
  const file = cacheFile(entry.issuer, entry.clientId);
  const dir = join(file, '..');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // mkdir's mode does not change a folder that exists: tighten the two we own.
  chmodSync(dir, 0o700);
  chmodSync(join(dir, '..'), 0o700);
  // Written under a temporary name with mode 0600 from the start, then renamed: never readable by others, and a
  // crash leaves the old entry whole.
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(entry, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
  return file;
}

export function forgetCache(issuer: string, clientId: string): boolean {
  const file = cacheFile(issuer, clientId);
  try {
    readFileSync(file);
  } catch {
    return false;
  }
  rmSync(file, { force: true });
  return true;
}

/**
 * Obtained the way it is asked for now: the same grant, requested scope, resources (RFC 8707: the token's audience)
 * and client credentials (a wrong or rotated secret must reach the server, not be answered from the cache).
 */
export function answersFor(entry: CachedToken, asked: Pick<CachedToken, 'grant' | 'requestedScope' | 'credential' | 'requestedResources'>): boolean {
  const sameResources = (entry.requestedResources ?? '') === (asked.requestedResources ?? '');
  return entry.grant === asked.grant && entry.requestedScope === asked.requestedScope && sameResources && entry.credential === asked.credential;
}

/** Still usable for at least `marginSeconds` more (a token that expires in transit is no use). */
export function isFresh(entry: CachedToken, nowSeconds: number, marginSeconds = 30): boolean {
  // A token of unknown lifetime is not reused: it may have expired long ago.
  return entry.expiresAt !== undefined && entry.expiresAt - marginSeconds > nowSeconds;
}
