import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * OAuth Client ID Metadata Documents (issue 12; draft-ietf-oauth-client-id-metadata-document): a client whose
 * client_id is an https URL is materialised as a row, so grants, codes and tokens reference it as any client and
 * every node agrees on it.
 * - clients.origin (added by 018): 'metadata-document' for these.
 * - clients.metadata_document: JSON of when the document was fetched, when it expires, its https logo_uri and
 *   client_uri, and whether the operator disabled the client.
 * Portable DDL only, as in 001; nullable, so rows written before stay valid.
 */
export const metadataDocumentClients: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('clients').addColumn('metadata_document', 'text').execute();
  },
};
