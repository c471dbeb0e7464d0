import type { Audit } from '../audit.ts';
import { verifyHashedSecret } from '../crypto.ts';
import type { Client } from '../model.ts';

/**
 * A secret rotated out with a grace period (admin/applications.ts rotateSecret) keeps working until its expiry, as
 * Keycloak's rotated client secrets do, so an operator can roll the new secret out to every instance of the
 * application without an outage. The expiry is checked against the request's time on every use: a client held in
 * the client cache (storage/client-cache.ts) cannot stretch it.
 */
export function matchesPreviousSecret(client: Client, secret: string, now: number): boolean {
  const previous = client.previousSecret;
  return previous != null && now < previous.expiresAt && verifyHashedSecret(secret, previous.hash);
}

/** A use of the old secret is audited at most once a minute a client: a busy client would otherwise flood the log. */
const AUDIT_EVERY_SECONDS = 60;
const MAX_TRACKED = 10_000;
/** Per audit sink (one per server), so servers in one process (tests) do not share the limiter. */
const lastAudited = new WeakMap<Audit, Map<string, number>>();

export function auditPreviousSecretUse(audit: Audit, client: Client, now: number, ip: string | undefined): void {
  let seen = lastAudited.get(audit);
  if (!seen) lastAudited.set(audit, (seen = new Map()));
  const last = seen.get(client.id);
  if (last !== undefined && now - last < AUDIT_EVERY_SECONDS) return;
  if (seen.size >= MAX_TRACKED) seen.clear();
  seen.set(client.id, now);
  audit.record({
    type: 'client.previous_secret_used',
    actorClientId: client.id,
    clientId: client.id,
    ip,
    details: { previousSecretExpiresAt: new Date((client.previousSecret?.expiresAt ?? now) * 1000).toISOString() },
  });
}
