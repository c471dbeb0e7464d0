/**
 * The port through which private_key_jwt refuses a replayed assertion (RFC 7523 §3 item 7: the server MAY keep the
 * `jti` values it has seen until they expire). It lives in the database, so a replay is refused on every node.
 */
export interface ClientAssertionJtis {
  /**
   * Records `jtiHash` (SHA-256 of the jti) as used by `clientId` until `expiresAt` (Unix seconds), atomically: true
   * when this call recorded it, false when it is already recorded and unexpired. Of two racing calls exactly one gets
   * true. An expired record is taken over (the assertion it protected cannot be used any more anyway).
   */
  use(clientId: string, jtiHash: string, expiresAt: number, now: number): Promise<boolean>;
}
