import { conflict } from './errors.ts';
import { applicationView, findApplication } from './applications.ts';
import { type AdminContext, recordAction } from './context.ts';
import type { ApplicationView } from './schemas.ts';

/**
 * Clients made from Client ID Metadata Documents cannot be edited (their document says what they are), only disabled:
 * a disabled one is refused at every endpoint and its document is not fetched again, and disabling revokes what it
 * was issued. Deleting it would not keep it out: the next request with its URL would make it again.
 */
export async function setDocumentClientDisabled(ctx: AdminContext, id: string, disabled: boolean): Promise<ApplicationView> {
  const client = await findApplication(ctx, id);
  const state = client.metadataDocument;
  if (client.origin !== 'metadata-document' || !state) throw conflict('only a client made from a metadata document is disabled this way');
  if ((state.disabledAt !== null) === disabled) return applicationView(client, ctx.deps);
  const now = ctx.deps.clock.now();
  // Enabled again: expired at once, so the document is fetched afresh before the client is used.
  const next = disabled ? { ...state, disabledAt: now } : { ...state, disabledAt: null, expiresAt: now };
  const updated = await ctx.deps.repos.clients.update(id, { metadataDocument: next }, now);
  let revoked = 0;
  if (disabled) {
    for (let cursor: string | undefined, first = true; first || cursor !== undefined; first = false) {
      const page = await ctx.deps.repos.listings.grants({ clientId: id, activeOnly: true }, now, { limit: 100, cursor });
      for (const grant of page.items) {
        await ctx.deps.repos.grants.revoke(grant.id, now);
        revoked += grant.activeTokens;
      }
      cursor = page.nextCursor ?? undefined;
    }
  }
  recordAction(ctx, { type: disabled ? 'client.document_disabled' : 'client.document_enabled', clientId: id, details: disabled ? { revokedTokens: revoked } : {} });
  return applicationView(updated ?? client, ctx.deps);
}
