import { isoTime } from '../core/clock.ts';
import { GRANT_TYPES } from '../core/model.ts';
import type { AuditEventType } from '../core/audit.ts';
import type { AdminContext } from './context.ts';

/**
 * The console's overview: what happened in the last 24 hours (hour by hour) and the last 7 days (day by day, UTC),
 * so an operator sees at a glance that all is well. Tokens come from the hourly counts (admin/token-counter.ts),
 * everything else from the audit log; both queries are bounded by the 7-day window.
 */

export interface Series {
  /** A grant type or an audit event type. */
  key: string;
  label: string;
  /** 24 hourly counts, oldest first; the last is the current hour. */
  hours: number[];
  /** 7 daily counts (UTC days), oldest first; the last is today. */
  days: number[];
  total24h: number;
  total7d: number;
  /** Something an operator should look at when it is not zero. */
  alarm: boolean;
}

export interface Overview {
  generatedAt: string;
  /** Unix seconds at the start of each hour and of each day charted. */
  hourStarts: number[];
  dayStarts: number[];
  tokens: Series[];
  security: Series[];
}

const HOUR = 3600;
const DAY = 24 * HOUR;

const GRANT_LABELS: Readonly<Record<string, string>> = {
  authorization_code: 'Authorization code',
  refresh_token: 'Refresh token',
  client_credentials: 'Client credentials',
  'urn:ietf:params:oauth:grant-type:device_code': 'Device code',
  'urn:ietf:params:oauth:grant-type:token-exchange': 'Token exchange',
  'urn:ietf:params:oauth:grant-type:jwt-bearer': 'JWT bearer',
};

const SECURITY: readonly { type: AuditEventType; label: string; alarm: boolean }[] = [
  { type: 'login.succeeded', label: 'Sign-ins', alarm: false },
  { type: 'login.failed', label: 'Failed sign-ins', alarm: false },
  { type: 'login.locked', label: 'Lockouts (attempts refused while locked)', alarm: true },
  { type: 'refresh_token.reused', label: 'Refresh token reuse', alarm: true },
  { type: 'code.replayed', label: 'Authorization code replay', alarm: true },
];

export async function overview(ctx: AdminContext): Promise<Overview> {
  const { deps } = ctx;
  // What this node has counted or logged and not yet written, so the page includes the request just made.
  await Promise.all([deps.audit.flush(), deps.tokenCounter.flush()]);
  const now = deps.clock.now();
  const thisHour = now - (now % HOUR);
  const today = now - (now % DAY);
  const hourStarts = Array.from({ length: 24 }, (_, i) => thisHour - (23 - i) * HOUR);
  const dayStarts = Array.from({ length: 7 }, (_, i) => today - (6 - i) * DAY);
  const from = Math.min(hourStarts[0] ?? thisHour, dayStarts[0] ?? today);
  const to = thisHour + HOUR;
  const [tokenRows, auditRows] = await Promise.all([
    deps.repos.activity.tokenCounts(from, to),
    deps.repos.activity.auditCounts(SECURITY.map((s) => s.type), from, to),
  ]);

  const series = (key: string, label: string, alarm: boolean, rows: readonly { hour: number; count: number }[]): Series => {
    const hours = hourStarts.map((h) => rows.filter((r) => r.hour === h).reduce((n, r) => n + r.count, 0));
    const days = dayStarts.map((d) => rows.filter((r) => r.hour >= d && r.hour < d + DAY).reduce((n, r) => n + r.count, 0));
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    return { key, label, hours, days, total24h: sum(hours), total7d: sum(days), alarm };
  };

  const grantTypes = [...new Set([...GRANT_TYPES, ...tokenRows.map((r) => r.grantType)])];
  return {
    generatedAt: isoTime(now),
    hourStarts,
    dayStarts,
    tokens: grantTypes.map((g) => series(g, GRANT_LABELS[g] ?? g, false, tokenRows.filter((r) => r.grantType === g))),
    security: SECURITY.map((s) => series(s.type, s.label, s.alarm, auditRows.filter((r) => r.type === s.type))),
  };
}
