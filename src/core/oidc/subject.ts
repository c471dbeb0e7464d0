import { createHash } from 'node:crypto';
import { oidcMetadata, type Client } from '../model.ts';
import { sectorHost } from './client-metadata.ts';

/**
 * The subject identifier a client sees for a user (Core §8). `public`: the user's id, the same for every client,
 * stable and never reassigned (user ids are random and never reused). `pairwise` (Core §8.1): one value per sector
 * (the host of the client's redirect URIs), base64url(SHA-256(sector host || user id || salt)), so clients of
 * different sectors cannot correlate a person. The ID token, UserInfo and introspection all call this, so they
 * cannot disagree.
 */
export function subjectFor(client: Pick<Client, 'redirectUris' | 'oidc'>, userId: string, pairwiseSalt: string | undefined): string {
  if (oidcMetadata(client).subjectType !== 'pairwise' || pairwiseSalt === undefined) return userId;
  // Registration refuses pairwise without one sector host or a salt; should one be missing, `public` is the safe side.
  const sector = sectorHost(client.redirectUris);
  if (sector === undefined) return userId;
  return createHash('sha256').update(sector).update(userId).update(pairwiseSalt).digest('base64url');
}
