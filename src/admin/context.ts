import type { AppDeps } from '../app-deps.ts';
import type { AuditEvent } from '../core/audit.ts';
import type { AuditRecorder } from './audit.ts';
import type { LiveTokenSettings } from './settings.ts';
import type { TokenCounter } from './token-counter.ts';
import { isoTime } from '../core/clock.ts';

/** What the admin operations need, and who is acting. */
export interface AdminDeps extends AppDeps {
  audit: AuditRecorder;
  tokenSettings: LiveTokenSettings;
  /** Tokens issued per hour and grant type, for the console's overview. */
  tokenCounter: TokenCounter;
}

/** The administrator behind a request: from an admin-scoped access token (auth.ts). */
export interface Actor {
  userId: string;
  username: string;
  /** The client the token was issued to (the console, or a script's own client). */
  clientId: string;
  ip: string | undefined;
}

export interface AdminContext {
  deps: AdminDeps;
  actor: Actor;
}

/** Records an administrative action with the actor filled in. */
export function recordAction(ctx: AdminContext, event: Omit<AuditEvent, 'actorUserId' | 'actorClientId' | 'ip'>): void {
  ctx.deps.audit.record({
    ...event,
    actorUserId: ctx.actor.userId,
    actorClientId: ctx.actor.clientId,
    ip: ctx.actor.ip,
    details: { actorUsername: ctx.actor.username, ...event.details },
  });
}

/** Unix seconds as an ISO 8601 string. */
export const isoOrNull = (seconds: number | null): string | null => (seconds === null ? null : isoTime(seconds));
