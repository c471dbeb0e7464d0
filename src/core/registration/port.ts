/** The storage the registration core needs (RFC 7591 §3 initial access tokens), declared here, implemented in storage/. */

export interface InitialAccessToken {
  id: string;
  createdAt: number;
  /** null: never expires (until revoked). */
  expiresAt: number | null;
  /** null: any number of registrations. */
  maxUses: number | null;
  uses: number;
  revokedAt: number | null;
}

export interface RegistrationTokensStore {
  /** `hash`: SHA-256 of the token; the token itself is shown once and never stored. */
  create(token: InitialAccessToken & { hash: string }): Promise<void>;
  list(): Promise<InitialAccessToken[]>;
  /** The live token with this hash (not revoked, not expired, uses left), without counting a use. */
  findLive(hash: string, now: number): Promise<InitialAccessToken | undefined>;
  /**
   * Counts one registration on the live token with this hash in one statement (`UPDATE ... WHERE uses < max_uses
   * RETURNING`): of N racing registrations on a token with one use left exactly one gets it. undefined: not live.
   */
  use(hash: string, now: number): Promise<InitialAccessToken | undefined>;
  /** True when a token with this id existed and was not revoked already. */
  revoke(id: string, now: number): Promise<boolean>;
}
