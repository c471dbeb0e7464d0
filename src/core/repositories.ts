import type { ActivityRepository, AuditRepository, ListingsRepository, SettingsRepository } from './admin-repositories.ts';
import type { SigningKeysStore } from './keys/port.ts';
import type { PushedRequestsStore, RequestObjectJtiStore } from './authorize/par-port.ts';
import type { RegistrationTokensStore } from './registration/port.ts';
import type { AuthorizationCode, Client, ClientOrigin, Consent, Grant, Resource, Scope, Session, Token, User } from './model.ts';
import type { ClientAssertionJtis } from './client-auth/jti-store.ts';
import type { BackchannelOutbox } from './oidc/backchannel/port.ts';
import type { DeviceCodesStore } from './device/port.ts';
import type { DpopProofStore } from './dpop/replay.ts';
import type { TrustedIssuersStore } from './token-exchange/trusted-issuer-port.ts';

/**
 * The ports the core needs from storage, declared here and implemented in storage/ (kysely over SQLite and PostgreSQL,
 * with caches in front of some): the core imports nothing outside itself but config types. Narrow repositories named
 * by intent; handlers receive `Pick<Repositories, ...>` of what they use.
 */

export type NewClient = Omit<Client, 'createdAt' | 'updatedAt'>;
export type ClientPatch = Partial<Omit<Client, 'id' | 'createdAt' | 'updatedAt'>>;

export interface ClientsRepository {
  /** `fresh`: read the database even when a cache holds the client (client-cache.ts). */
  findById(id: string, options?: { fresh?: boolean }): Promise<Client | undefined>;
  list(): Promise<Client[]>;
  count(): Promise<number>;
  /** How many clients came from `origin` (bounds how many metadata-document clients are materialised). */
  countByOrigin(origin: ClientOrigin): Promise<number>;
  create(client: NewClient, now: number): Promise<Client>;
  update(id: string, patch: ClientPatch, now: number): Promise<Client | undefined>;
  /**
   * Deletes the client and, in one transaction, revokes its grants and tokens and forgets its codes, device codes and consents, so
   * nothing it was issued outlives it. Returns the number of tokens revoked, or undefined when there was no client.
   */
  delete(id: string, now: number): Promise<number | undefined>;
}

/** `updatedAt` starts at the creation time. */
export type NewUser = Omit<User, 'createdAt' | 'disabledAt' | 'updatedAt' | 'claims'> & { claims?: User['claims'] };
/** `claims` replaces the whole object; core/oidc/claims-edit.ts computes it and `updatedAt` from an edit. */
export type UserPatch = Partial<Pick<User, 'passwordHash' | 'name' | 'email' | 'isAdmin' | 'disabledAt' | 'claims' | 'updatedAt'>>;

export interface UsersRepository {
  findById(id: string): Promise<User | undefined>;
  findByUsername(username: string): Promise<User | undefined>;
  list(): Promise<User[]>;
  create(user: NewUser, now: number): Promise<User>;
  update(id: string, patch: UserPatch): Promise<User | undefined>;
  /**
   * Deletes the user with their grants, tokens, codes, device codes, sessions, consents and pending logins; as clients.delete. The
   * sessions' back-channel logouts are queued in the same transaction.
   */
  delete(id: string, now: number): Promise<number | undefined>;
}

export interface ScopesRepository {
  list(): Promise<Scope[]>;
  findMany(names: readonly string[]): Promise<Scope[]>;
  upsert(scope: Scope): Promise<void>;
  delete(name: string): Promise<boolean>;
}

export type NewResource = Omit<Resource, 'createdAt' | 'updatedAt'>;
export type ResourcePatch = Partial<Omit<Resource, 'id' | 'createdAt' | 'updatedAt'>>;

/** Resources (APIs, RFC 8707), keyed by their identifier. */
export interface ResourcesRepository {
  findById(id: string): Promise<Resource | undefined>;
  list(): Promise<Resource[]>;
  create(resource: NewResource, now: number): Promise<Resource>;
  update(id: string, patch: ResourcePatch, now: number): Promise<Resource | undefined>;
  /** Deletes the resource and revokes the access tokens issued for it; the number revoked, or undefined if absent. */
  delete(id: string, now: number): Promise<number | undefined>;
}

export interface GrantsRepository {
  create(grant: Omit<Grant, 'revokedAt'>): Promise<void>;
  findById(id: string): Promise<Grant | undefined>;
  /** Revokes the grant and every token issued under it, atomically. */
  revoke(id: string, now: number): Promise<void>;
  /** Revokes every grant of a user for a client (consent withdrawn). */
  revokeByUserAndClient(userId: string, clientId: string, now: number): Promise<void>;
  /** The user a grant of this client was given to in the SSO session `sid` (grants.sid, indexed), if any. */
  userOfSession(sid: string, clientId: string): Promise<string | undefined>;
}

export interface CodesRepository {
  create(code: Omit<AuthorizationCode, 'consumedAt'>): Promise<void>;
  /**
   * Marks the code consumed if it was not: `UPDATE ... WHERE consumed_at IS NULL RETURNING`. Of two racing callers
   * exactly one gets the code; the other gets `{ replayed }` (or undefined if no such code exists).
   */
  consume(hash: string, now: number): Promise<{ code: AuthorizationCode } | { replayed: AuthorizationCode } | undefined>;
  /** Reads a code without consuming it (the demo callback page shows its remaining lifetime). */
  find(hash: string): Promise<AuthorizationCode | undefined>;
}

/** `parentHash`: the refresh token the new one was issued in exchange for (a rotation); `dpopJkt`: its DPoP key. */
export type NewToken = Omit<Token, 'revokedAt' | 'consumedAt' | 'dpopJkt'> & { parentHash?: string; dpopJkt?: string };

export interface TokensRepository {
  createMany(tokens: readonly NewToken[]): Promise<void>;
  findByHash(hash: string): Promise<Token | undefined>;
  /** Atomically spends a refresh token; same contract as `codes.consume`. */
  consumeRefresh(hash: string, now: number): Promise<{ token: Token } | { replayed: Token } | undefined>;
  /**
   * A retry of the spent refresh token `parentHash` within the grace window: atomically revokes (and spends) its one
   * refresh-token successor and that answer's access token, if that successor is still unused and was never
   * superseded before. False when there is nothing to supersede: the successor was used, revoked, or already replaced
   * by an earlier retry. Of two racing retries at most one gets true.
   */
  supersedeSuccessor(parentHash: string, now: number): Promise<boolean>;
  revoke(hash: string, now: number): Promise<void>;
}

export interface SessionsRepository {
  create(session: Session): Promise<void>;
  findActive(hash: string, now: number): Promise<Session | undefined>;
  /**
   * Sets the session's last-used time to `now` unless it was set after `notSince`; true when it wrote. Callers
   * touch a session only when its last use is older than a minute, so this is at most one write a minute a session.
   */
  touch(hash: string, now: number, notSince: number): Promise<boolean>;
  /** Ends the session; in the same transaction, queues its back-channel logouts (backchannelOutbox). */
  delete(hash: string): Promise<void>;
  /**
   * Ends every sign-in of the user, in one transaction: their SSO sessions and the interactions they logged in on
   * (a password change, disabling the account, signing out everywhere), and queues the sessions' back-channel
   * logouts. Codes and tokens already issued stay.
   */
  deleteAllForUser(userId: string): Promise<void>;
}

export interface ConsentsRepository {
  find(userId: string, clientId: string): Promise<Consent | undefined>;
  upsert(consent: Consent): Promise<void>;
  delete(userId: string, clientId: string): Promise<void>;
}

export interface Interaction {
  id: string;
  browserHash: string;
  /** The validated authorization request, serialised by the core. */
  request: string;
  userId: string | null;
  authTime: number | null;
  expiresAt: number;
}

export interface InteractionsRepository {
  create(interaction: Interaction): Promise<void>;
  find(id: string, now: number): Promise<Interaction | undefined>;
  setLogin(id: string, userId: string, authTime: number): Promise<void>;
  /** True when this call removed it: of two racing deletes exactly one gets true (a decision is made once). */
  delete(id: string): Promise<boolean>;
}

export interface ThrottleState {
  failures: number;
  lockedUntil: number;
}

export interface ThrottleRepository {
  get(key: string): Promise<ThrottleState | undefined>;
  /**
   * Records a failure atomically and returns the new state; the lock length is computed by the caller. A failure more
   * than `windowSeconds` after the previous one starts the count afresh.
   */
  recordFailure(key: string, now: number, windowSeconds: number, lockFor: (failures: number) => number): Promise<ThrottleState>;
  /**
   * Counts an attempt on every key BEFORE the secret is checked, and locks each key as if the attempt will fail, in one
   * transaction: of N parallel attempts only those the backoff allows get through, on every node. When any key is
   * locked the attempt is refused and counted on none of them. The caller undoes the count on success.
   */
  attempt(keys: readonly ThrottleKey[], now: number, windowSeconds: number): Promise<ThrottleAttempt>;
  /** Takes one attempt off the count (a successful one); the lock stays as it is. */
  discount(key: string): Promise<void>;
  reset(key: string): Promise<void>;
}

export interface ThrottleKey {
  key: string;
  /** Seconds to lock the key for after this many counted attempts. */
  lockFor: (attempts: number) => number;
}

export type ThrottleAttempt = { allowed: true } | { allowed: false; lockedUntil: number };

export interface RateLimitWindow {
  /** Hits counted in the current window, this one included. */
  hits: number;
  /** Milliseconds since the epoch at which the window ends. */
  resetAt: number;
}

export interface RateLimitsRepository {
  /**
   * Counts one hit on `key` in a fixed window of `windowMs` that starts with the first hit, in one atomic upsert, so
   * every node counts against the same number.
   */
  hit(key: string, nowMs: number, windowMs: number): Promise<RateLimitWindow>;
  /** Takes one hit back from the live window of `key` (a request counted in advance that did not need to be). */
  refund(key: string, nowMs: number): Promise<void>;
}

export interface Repositories {
  clients: ClientsRepository;
  users: UsersRepository;
  scopes: ScopesRepository;
  /** Resources (APIs, RFC 8707; migration 017). */
  resources: ResourcesRepository;
  grants: GrantsRepository;
  codes: CodesRepository;
  tokens: TokensRepository;
  sessions: SessionsRepository;
  consents: ConsentsRepository;
  interactions: InteractionsRepository;
  throttle: ThrottleRepository;
  rateLimits: RateLimitsRepository;
  /** The applications manager (issue 6): audit log, run-time settings, paged listings (admin-repositories.ts). */
  audit: AuditRepository;
  settings: SettingsRepository;
  listings: ListingsRepository;
  /** The console overview's counts (migration 006). */
  activity: ActivityRepository;
  /** Signing keys (issue 11): the port core/keys/ declares. */
  signingKeys: SigningKeysStore;
  /** Pushed authorization requests and request object jtis (issue 13): the ports core/authorize/par-port.ts declares. */
  pushedRequests: PushedRequestsStore;
  requestObjectJtis: RequestObjectJtiStore;
  /** Initial access tokens of dynamic client registration (RFC 7591 §3): the port core/registration/ declares. */
  registrationTokens: RegistrationTokensStore;
  /** The jti replay store of private_key_jwt (issue 12): the port core/client-auth/jti-store.ts declares. */
  clientAssertionJtis: ClientAssertionJtis;
  /** Back-channel logouts to send (migration 015): the port core/oidc/backchannel/ declares. */
  backchannelOutbox: BackchannelOutbox;
  /** Device authorizations (RFC 8628; migration 021): the port core/device/ declares. */
  deviceCodes: DeviceCodesStore;
  /** DPoP proof jtis seen (issue 13, RFC 9449 §11.1): the port core/dpop/ declares. */
  dpopProofs: DpopProofStore;
  /** Trusted issuers of RFC 8693 jwt tokens and RFC 7523 assertions (migration 026): the port core/token-exchange/ declares. */
  trustedIssuers: TrustedIssuersStore;
  /** Runs `fn` in one database transaction with repositories bound to it. */
  transaction<T>(fn: (repos: Repositories) => Promise<T>): Promise<T>;
}
