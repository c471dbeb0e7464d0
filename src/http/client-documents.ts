import type { Config } from '../config/schema.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/context.ts';
import { clientDocuments, type ClientDocuments } from '../core/registration/metadata-document-clients.ts';
import type { Repositories } from '../core/repositories.ts';
import { createSafeFetch } from './safe-fetch.ts';

/** Client ID Metadata Documents fetched through the SSRF-guarded fetch, with the limits of `clientMetadataDocuments`. */
export function clientDocumentsFor(config: Config, clock: Clock, repos: Pick<Repositories, 'clients'>, logger: Logger): ClientDocuments {
  const settings = config.clientMetadataDocuments;
  const fetch = createSafeFetch({ allowLoopbackHttp: settings.allowLoopbackHttp, timeoutMs: settings.timeoutMs, maxBytes: settings.maxBytes });
  return clientDocuments({ config, clock, repos, logger, fetch });
}
