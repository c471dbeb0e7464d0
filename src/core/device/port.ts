/**
 * A device authorization (RFC 8628 §3.1-3.5) as stored: one row per device_code, shared by every node. The device
 * code and the user code are credentials, so only their keys are kept (credentialKey of the device code, the SHA-256
 * of the normalised user code, see user-code.ts).
 */
export type DeviceCodeStatus = 'pending' | 'approved' | 'denied';

export interface DeviceCode {
  hash: string;
  userCodeHash: string;
  clientId: string;
  scope: string[];
  /**
   * RFC 8707 §2.1: the registered resources (APIs) asked for at the device authorization endpoint, or the configured
   * default one; the grant made at redemption covers them, as an authorization request's grant does. Empty: none.
   */
  resources: string[];
  status: DeviceCodeStatus;
  /** Set by the approval: who allowed it, and how they signed in (for the ID token's auth_time, sid, acr, amr). */
  userId: string | null;
  authTime: number | null;
  sid: string | null;
  acr: string | null;
  amr: string[] | null;
  /** RFC 8628 §3.2 interval, in seconds; grows by 5 at each slow_down (§3.5). */
  interval: number;
  lastPolledAt: number | null;
  createdAt: number;
  expiresAt: number;
  consumedAt: number | null;
}

export type NewDeviceCode = Omit<DeviceCode, 'resources' | 'status' | 'userId' | 'authTime' | 'sid' | 'acr' | 'amr' | 'lastPolledAt' | 'consumedAt'> & {
  resources?: readonly string[] | undefined;
};

/** The person's answer on the verification page. */
export type DeviceDecision =
  | { status: 'approved'; userId: string; authTime: number; sid: string | null; acr: string | null; amr: string[] | null }
  | { status: 'denied' };

/** What the device grant needs from storage (implemented in storage/kysely/device-codes.ts). */
export interface DeviceCodesStore {
  create(code: NewDeviceCode): Promise<void>;
  find(hash: string): Promise<DeviceCode | undefined>;
  findByUserCode(userCodeHash: string): Promise<DeviceCode | undefined>;
  /**
   * Records the decision on a pending, unexpired code, once: `UPDATE ... WHERE status = 'pending'`. Of two racing
   * decisions exactly one gets true.
   */
  decide(userCodeHash: string, decision: DeviceDecision, now: number): Promise<boolean>;
  /**
   * Records a poll of a pending code and says whether it came too soon (RFC 8628 §3.5 slow_down): sooner than
   * `interval` seconds after the previous poll. A poll too soon adds 5 seconds to the interval, in the same statement,
   * so every node sees the new interval. Undefined when the code is no longer pending.
   */
  poll(hash: string, now: number): Promise<{ slowDown: boolean; interval: number } | undefined>;
  /**
   * Spends an approved, unexpired code: `UPDATE ... WHERE consumed_at IS NULL RETURNING`. Of two racing pollers
   * exactly one gets the code (and so tokens); the other gets undefined.
   */
  consume(hash: string, now: number): Promise<DeviceCode | undefined>;
}
