import type { Config } from '../../config/schema.ts';
import type { Repositories } from '../repositories.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../context.ts';
import { InvalidClient } from '../errors.ts';
import { isDisabled, type Client } from '../model.ts';
import { cacheSeconds, InvalidMetadataDocument, isMetadataDocumentUrl, parseMetadataDocument } from './metadata-document.ts';
import { SafeFetchError, type SafeFetch } from './safe-fetch.ts';

/** Clients made from Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document). */
export interface ClientDocuments {
  /**
   * The client for `clientId` given what the database holds for it (`stored`): undefined when the id is not a
   * metadata document URL; the stored row while its document is fresh or while an operator has disabled the client
   * (the caller refuses a disabled client, model.ts isDisabled); else the document fetched, validated and written to
   * the row. Throws InvalidClient, with a description safe to show, when that fails.
   */
  resolve(clientId: string, stored: Client | undefined): Promise<Client | undefined>;
}

interface Deps {
  config: Pick<Config, 'clientMetadataDocuments'>;
  clock: Clock;
  repos: Pick<Repositories, 'clients'>;
  logger: Logger;
  fetch: SafeFetch;
}

export function clientDocuments(deps: Deps): ClientDocuments {
  const settings = deps.config.clientMetadataDocuments;
  // One fetch per document at a time in this process: a burst of requests for a new client waits for the same one.
  const inflight = new Map<string, Promise<Client>>();

  async function refresh(clientId: string, stored: Client | undefined): Promise<Client> {
    const now = deps.clock.now();
    if (stored === undefined && (await deps.repos.clients.countByOrigin('metadata-document')) >= settings.maxClients) {
      deps.logger.warn({ event: 'client_metadata_document_limit', limit: settings.maxClients }, 'clientMetadataDocuments.maxClients reached: a new document client was refused');
      throw new InvalidClient('this server accepts no more clients by metadata document at the moment');
    }
    const refused = (reason: string, description: string, detail?: string): InvalidClient => {
      deps.logger.warn({ event: 'client_metadata_document_refused', clientId, reason, ...(detail ? { detail } : {}) }, description);
      return new InvalidClient(description);
    };
    let response;
    try {
      response = await deps.fetch({ url: clientId, headers: { accept: 'application/json' }, json: true });
    } catch (err) {
      if (err instanceof SafeFetchError) throw refused(err.reason, `the client metadata document could not be fetched: ${err.message}`, err.detail);
      throw err;
    }
    // Draft §4.2: only 200 with a JSON object; the server MUST NOT follow redirects (the fetch is asked for none).
    if (response.status !== 200) throw refused('status', `the client metadata document answered HTTP ${response.status}, not 200`);
    let parsed;
    try {
      parsed = parseMetadataDocument(clientId, response.body);
    } catch (err) {
      if (err instanceof InvalidMetadataDocument) throw refused('metadata', err.message);
      throw err;
    }
    const lifetime = cacheSeconds(response.headers['cache-control'], { min: settings.minCacheSeconds, max: settings.maxCacheSeconds });
    const row = {
      ...parsed.client,
      type: 'public' as const,
      secretHash: null,
      accessTokenTtl: null,
      refreshTokenTtl: null,
      codeTtl: null,
      // A public client: PKCE is required whatever this says (RFC 9700 §2.1.1); said here for the console.
      requirePkce: true,
      introspectAny: false,
      origin: 'metadata-document' as const,
      metadataDocument: { fetchedAt: now, expiresAt: now + lifetime, logoUri: parsed.logoUri, clientUri: parsed.clientUri },
    };
    if (stored !== undefined) return (await deps.repos.clients.update(clientId, row, now)) ?? stored;
    try {
      return await deps.repos.clients.create({ id: clientId, ...row }, now);
    } catch (err) {
      // Another node made the row first: the same document, so write ours over it.
      const updated = await deps.repos.clients.update(clientId, row, now);
      if (updated === undefined) throw err;
      return updated;
    }
  }

  return {
    async resolve(clientId, stored) {
      // Disabled by an operator (the generic disabledAt): its document is not fetched; the endpoints refuse the client.
      if (stored !== undefined && isDisabled(stored)) return stored;
      if (!isMetadataDocumentUrl(clientId, settings.allowLoopbackHttp)) return stored;
      const expiresAt = stored?.metadataDocument?.expiresAt;
      if (stored !== undefined && expiresAt !== undefined && deps.clock.now() < expiresAt) return stored;
      let pending = inflight.get(clientId);
      if (pending === undefined) {
        pending = refresh(clientId, stored).finally(() => inflight.delete(clientId));
        inflight.set(clientId, pending);
      }
      return pending;
    },
  };
}

/**
 * The client of an authorization, token, revocation or introspection request: the stored row, or (when client
 * metadata documents are on and the id is such a URL) the client its document describes. A client made from a
 * document is not used while the feature is off.
 */
export async function findClient(deps: { repos: Pick<Repositories, 'clients'>; clientDocuments?: ClientDocuments | undefined }, clientId: string): Promise<Client | undefined> {
  const stored = await deps.repos.clients.findById(clientId);
  if (stored !== undefined && stored.origin !== 'metadata-document') return stored;
  if (deps.clientDocuments === undefined) return stored?.origin === 'metadata-document' ? undefined : stored;
  return deps.clientDocuments.resolve(clientId, stored);
}
