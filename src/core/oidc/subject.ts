import type { Client } from '../model.ts';

/**
 * The subject identifier a client sees for a user (Core §8): `public`, the user's id, the same for every client,
 * stable and never reassigned (user ids are random and never reused). The ID token, UserInfo and introspection all
 * call this, so they cannot disagree.
 */
export function subjectFor(_client: Pick<Client, 'id'>, userId: string): string {
  return userId;
}
