/**
 * The back-channel logout outbox (Back-Channel Logout 1.0 §2.5-2.7) as the core needs it; storage implements it
 * (storage/kysely/backchannel-outbox.ts). Rows are written by storage in the very transaction that ends a session
 * (sessions.delete, sessions.deleteAllForUser, the console's session revocation), so a crash cannot lose one.
 * Times here are wall-clock milliseconds: they drive timers, not protocol claims.
 */

/** A logout to send: the client is told that the session `sid` of the user ended. */
export interface LogoutDelivery {
  id: string;
  sid: string;
  userId: string;
  clientId: string;
  createdAtMs: number;
  /** Attempts made so far, the claimed one included. */
  attempts: number;
}

export type DeliveryOutcome = 'delivered' | 'failed';

export interface BackchannelOutbox {
  /**
   * Claims up to `limit` due rows for `owner` until `nowMs + leaseMs`, counting an attempt on each, in one atomic
   * UPDATE ... RETURNING: a row whose lease is live is not due, so of two nodes claiming at once each row goes to one.
   */
  claim(owner: string, nowMs: number, leaseMs: number, limit: number): Promise<LogoutDelivery[]>;
  /** Finishes a row this owner holds; false when the lease was lost (another node has it now). */
  finish(id: string, owner: string, outcome: DeliveryOutcome, nowMs: number): Promise<boolean>;
  /** Releases a row this owner holds, due again at `nextAttemptAtMs`; false when the lease was lost. */
  retryAt(id: string, owner: string, nextAttemptAtMs: number): Promise<boolean>;
  /** The earliest time a pending row is due (its lease counted), or undefined when none is pending. */
  nextDueAt(): Promise<number | undefined>;
}
