/**
 * The audit log: administrative actions and security events, with who, what, when and from where. The core reports
 * events through this interface (like the logger); src/admin/audit.ts stores them. Never put a secret in an event:
 * no token, code, client secret or password, not even a hash of one.
 */

export const AUDIT_EVENT_TYPES = [
  // Sign-in and consent (src/interaction)
  'login.succeeded',
  'login.failed',
  'login.locked',
  'consent.granted',
  'consent.denied',
  'consent.revoked',
  'authorization.denied',
  // Tokens (src/core)
  'token.revoked',
  'refresh_token.reused',
  'code.replayed',
  // Token exchange (RFC 8693) and the JWT bearer grant (RFC 7523): src/core/token-exchange/audit.ts
  'token.exchanged',
  'token_exchange.refused',
  'jwt_bearer.accepted',
  // Back-Channel Logout 1.0 (src/core/oidc/backchannel): a logout token reached the client, or was given up
  'backchannel_logout.delivered',
  'backchannel_logout.failed',
  // The user's own account page
  'account.password_changed',
  'account.signed_out_everywhere',
  'account.profile_updated',
  // Administration (src/admin)
  'client.created',
  'client.updated',
  'client.deleted',
  'client.secret_rotated',
  /** The secret rotated out was used during its grace period (at most once a minute a client). */
  'client.previous_secret_used',
  /** Dynamic client registration (RFC 7591, RFC 7592): by the client itself; disabling (any client) by an administrator. */
  'client.registered',
  'client.registration_updated',
  'client.registration_deleted',
  'client.disabled',
  'client.enabled',
  'registration_token.created',
  'registration_token.revoked',
  'user.created',
  'user.updated',
  'user.disabled',
  'user.enabled',
  'user.password_reset',
  'user.deleted',
  'scope.saved',
  'scope.deleted',
  'settings.updated',
  'grant.revoked',
  'session.revoked',
  'signing_key.rotated',
  'signing_key.retired',
  'resource.created',
  'resource.updated',
  'resource.deleted',
  'trusted_issuer.created',
  'trusted_issuer.updated',
  'trusted_issuer.deleted',
] as const;

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/** A detail value: identifiers, names, scope lists, counts. Never a credential. */
export type AuditDetail = string | number | boolean | null | readonly string[];

export interface AuditEvent {
  type: AuditEventType;
  /** The person who acted (an administrator, or the user signing in). */
  actorUserId?: string | null | undefined;
  /** The client that acted (the console, or a client revoking its token). */
  actorClientId?: string | null | undefined;
  /** The user the event is about, when it is not the actor. */
  userId?: string | null | undefined;
  /** The client the event is about. */
  clientId?: string | null | undefined;
  /** The address the request came from (fastify's `req.ip`, which honours trustProxy). */
  ip?: string | null | undefined;
  details?: Readonly<Record<string, AuditDetail>> | undefined;
}

export interface Audit {
  /**
   * Records an event. Fire-and-forget: it never throws and never fails the request that reports it, and it may be
   * called inside a transaction (the write waits for it and is not part of it).
   */
  record(event: AuditEvent): void;
}
