import type { Audit, AuditEvent } from '../core/audit.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/context.ts';
import { randomId } from '../core/crypto.ts';

/**
 * Event ids sort in the order the events were recorded (the log is read newest first, by time then id, and many
 * events share a second): microseconds of a monotonic clock, then randomness so that nodes never collide.
 */
function eventId(): string {
  const micros = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  return micros.toString(36).padStart(12, '0') + randomId(6);
}
import type { AuditRepository } from '../core/admin-repositories.ts';

export interface AuditRecorder extends Audit {
  /** Waits for the writes already started (before listing the log, and before the database closes). */
  flush(): Promise<void>;
}

/**
 * Stores audit events. A write is started at once and not awaited: recording must never fail or slow the request
 * that reports the event, and it may be reported inside a transaction (on SQLite the write then waits for the
 * transaction's connection). A failed write is logged, without the event's details.
 */
export function auditRecorder(repo: AuditRepository, clock: Clock, logger: Logger): AuditRecorder {
  const pending = new Set<Promise<void>>();
  return {
    record(event: AuditEvent) {
      const write = repo
        .append({
          id: eventId(),
          at: clock.now(),
          type: event.type,
          actorUserId: event.actorUserId ?? null,
          actorClientId: event.actorClientId ?? null,
          userId: event.userId ?? null,
          clientId: event.clientId ?? null,
          ip: event.ip ?? null,
          details: { ...event.details },
        })
        .catch((err: unknown) => logger.error({ event: 'audit_write_failed', auditType: event.type, err }, 'could not write an audit event'))
        .finally(() => pending.delete(write));
      pending.add(write);
    },
    async flush() {
      await Promise.all([...pending]);
    },
  };
}
