import type { Config } from '../config/schema.ts';
import type { Repositories } from './repositories.ts';
import type { Audit } from './audit.ts';
import type { Clock } from './clock.ts';
import type { ClientDocuments } from './registration/metadata-document-clients.ts';
import type { ClientKeySource } from './authorize/client-keys.ts';
import type { SafeFetch } from './registration/safe-fetch.ts';

/** What the core needs from the outside world, built once in main.ts. */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface CoreDeps<R extends keyof Repositories = keyof Repositories> {
  config: Config;
  clock: Clock;
  repos: Pick<Repositories, R>;
  logger: Logger;
  /** Security events for the audit log (never a secret). */
  audit: Audit;
  /** Present when `clientMetadataDocuments.enabled`: clients whose client_id is a metadata document URL. */
  clientDocuments?: ClientDocuments | undefined;
  /** The clients' public keys, for request objects (RFC 9101); absent: no client has any (core/authorize/client-keys.ts). */
  clientKeys?: ClientKeySource | undefined;
  /**
   * The SSRF-guarded fetch for URLs a client chose (model.ts urlsChosenByClient), such as a self-registered client's
   * jwks_uri. Absent: such URLs are not fetched at all.
   */
  clientChosenFetch?: SafeFetch | undefined;
  /**
   * The key-encryption key (keys/kek-source.ts): it opens the stored secrets of client_secret_jwt clients
   * (client-auth/secret-encryption.ts). Absent: those clients cannot authenticate (invalid_client).
   */
  kek?: Buffer | undefined;
}

/** Request parameters after the HTTP layer has refused duplicates and non-string values. */
export type Params = Readonly<Record<string, string>>;

/**
 * Lifetimes for a client: its own settings, else the server's. `config.tokens` is live: the configuration file's
 * values with the ones an administrator set in the console laid over them (admin/settings.ts), so reading it here
 * costs nothing per request.
 */
export function lifetimes(config: Config, client: { accessTokenTtl: number | 'never' | null; refreshTokenTtl: number | 'never' | null; codeTtl: number | null }) {
  return {
    accessToken: client.accessTokenTtl ?? config.tokens.accessTokenTtl,
    refreshToken: client.refreshTokenTtl ?? config.tokens.refreshTokenTtl,
    code: client.codeTtl ?? config.tokens.codeTtl,
  };
}
