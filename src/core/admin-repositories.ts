import type { AuditDetail } from './audit.ts';
import type { Client, Consent, Grant, Session, User } from './model.ts';

/**
 * The repositories of the applications manager (issue 6): the audit log, run-time settings, and the paged listings
 * the console and the admin API browse. Implemented in kysely/admin.ts for every backend.
 */

/** Keyset paging: `cursor` is opaque, handed out as `nextCursor` by the previous page. */
export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}

export interface Page<T> {
  items: T[];
  /** null on the last page. */
  nextCursor: string | null;
}

/** A cursor that this listing did not hand out (tampered with, or from another listing). */
export class InvalidCursor extends Error {
  override name = 'InvalidCursor';
}

export interface StoredAuditEvent {
  id: string;
  /** Unix seconds. */
  at: number;
  type: string;
  actorUserId: string | null;
  actorClientId: string | null;
  userId: string | null;
  clientId: string | null;
  ip: string | null;
  details: Record<string, AuditDetail>;
}

export interface AuditFilter {
  type?: string | undefined;
  /** The acting user. */
  actorUserId?: string | undefined;
  /** Events where the client acted or was acted upon. */
  clientId?: string | undefined;
  /** Events where the user acted or was acted upon. */
  userId?: string | undefined;
  /** Inclusive bounds, Unix seconds. */
  since?: number | undefined;
  until?: number | undefined;
}

export interface AuditRepository {
  append(event: StoredAuditEvent): Promise<void>;
  /** Newest first. */
  list(filter: AuditFilter, page: PageRequest): Promise<Page<StoredAuditEvent>>;
}

export interface SettingsRepository {
  /** Every stored setting, its JSON value parsed. */
  all(): Promise<Record<string, unknown>>;
  /** Stores each value as JSON; `null` removes the setting (back to the configuration file's value). One transaction. */
  set(values: Readonly<Record<string, unknown>>, now: number): Promise<void>;
}

export interface GrantSummary extends Grant {
  /** Access and refresh tokens of the grant that are neither revoked, spent, nor expired. */
  activeTokens: number;
  /** When the grant last got a token. */
  lastIssuedAt: number | null;
}

export interface GrantFilter {
  userId?: string | undefined;
  clientId?: string | undefined;
  /** Only grants that are not revoked and still hold a usable token. */
  activeOnly: boolean;
}

export interface ListingsRepository {
  /** Oldest first; `q` matches the id or the name, case-insensitively. */
  clients(q: string | undefined, page: PageRequest): Promise<Page<Client>>;
  /** By username; `q` matches username, name or email. */
  users(q: string | undefined, page: PageRequest): Promise<Page<User>>;
  /** Newest first. */
  grants(filter: GrantFilter, now: number, page: PageRequest): Promise<Page<GrantSummary>>;
  /** Unexpired SSO sessions, newest first. */
  sessions(filter: { userId?: string | undefined }, now: number, page: PageRequest): Promise<Page<Session>>;
  /** The applications a user has approved. */
  consents(userId: string): Promise<Consent[]>;
  /** Ends one session; false when there was none. */
  deleteSession(hash: string): Promise<boolean>;
  /** Revokes every grant of the user and every token under them, atomically; returns the number of tokens revoked. */
  revokeUserGrants(userId: string, now: number): Promise<number>;
}

/** Tokens issued in one hour (Unix seconds at its start) with one grant type (migration 006). */
export interface TokenCount {
  hour: number;
  grantType: string;
  count: number;
}

export interface AuditCount {
  hour: number;
  type: string;
  count: number;
}

/** What the console's overview charts: hourly token counts and hourly counts of chosen audit events. */
export interface ActivityRepository {
  /** Adds to each hour's count (an upsert that sums), so several nodes may add to the same hour. */
  addTokenCounts(counts: readonly TokenCount[]): Promise<void>;
  /** Hours in [from, to). */
  tokenCounts(from: number, to: number): Promise<TokenCount[]>;
  /** Events of `types` in [from, to), per hour; served by the (type, at) index, one range a type. */
  auditCounts(types: readonly string[], from: number, to: number): Promise<AuditCount[]>;
}
