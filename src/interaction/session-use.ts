import type { Session } from '../core/model.ts';
import type { Repositories } from '../core/repositories.ts';

/**
 * A session's "last used" time is news for a person reviewing their sessions, not an audit trail: a minute's
 * precision is plenty, and writing it on every request would put a write on the hot path of every signed-in
 * authorization request. So it is written at most once a minute a session; the check is on the row just read.
 */
export const SESSION_TOUCH_SECONDS = 60;

export async function noteSessionUse(repos: Pick<Repositories, 'sessions'>, session: Session, now: number): Promise<void> {
  if (now - (session.lastUsedAt ?? session.authTime) < SESSION_TOUCH_SECONDS) return;
  await repos.sessions.touch(session.hash, now, now - SESSION_TOUCH_SECONDS);
}
