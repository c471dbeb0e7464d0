/**
 * The port through which proof verification remembers `jti`s (RFC 9449 §11.1): a proof is accepted once, on every
 * node, for as long as its `iat` is inside the acceptance window. storage/kysely/dpop-proofs.ts implements it.
 */
export interface DpopProofStore {
  /**
   * Records `key` until `expiresAt` (Unix seconds) in one atomic insert-or-fail: true for the first caller, false for
   * every later one while the record lives. Expired records may be replaced (the janitor also removes them).
   */
  use(key: string, expiresAt: number, now: number): Promise<boolean>;
  /** Removes records that expired before `now`, at most `limit` of them; returns how many went. */
  deleteExpired(now: number, limit: number): Promise<number>;
}
