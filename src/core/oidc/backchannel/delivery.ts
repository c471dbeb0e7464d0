import type { Config } from '../../../config/schema.ts';
import type { Audit } from '../../audit.ts';
import type { Clock } from '../../clock.ts';
import type { Logger } from '../../context.ts';
import { randomId } from '../../crypto.ts';
import type { Keyring } from '../../keys/keyring.ts';
import { oidcMetadata, urlsChosenByClient, type Client } from '../../model.ts';
import { subjectFor } from '../subject.ts';
import { signLogoutToken } from './logout-token.ts';
import type { BackchannelOutbox, LogoutDelivery } from './port.ts';
import type { LogoutPost, PostResult } from './post.ts';
import { backoffMs, verdictOf, type RetryPolicy } from './retry.ts';

/**
 * The delivery loop of back-channel logout (Back-Channel Logout 1.0 §2.5-2.8), one per node. It claims due outbox rows
 * with a lease (so two nodes never send one row at once), sends each its logout token, and finishes or reschedules
 * the row. It runs when kicked (right after this node ended a session), when a retry of its own falls due, and every
 * poll interval for rows queued elsewhere (other nodes, the CLI) or left behind by a node that died mid-delivery.
 */

export interface DeliveryDeps {
  config: Pick<Config, 'issuer' | 'oidc' | 'backchannelLogout'>;
  outbox: BackchannelOutbox;
  clients: { findById(id: string, options?: { fresh?: boolean }): Promise<Client | undefined> };
  keyring: Pick<Keyring, 'sign'>;
  audit: Audit;
  logger: Logger;
  clock: Clock;
  /** For operator-made clients. */
  post: LogoutPost;
  /** For clients that chose their own URI (model.ts urlsChosenByClient): through the SSRF guard. */
  guardedPost: LogoutPost;
}

export interface BackchannelDelivery {
  /** Looks for due rows now (a session just ended on this node). Never throws. */
  kick(): void;
  /** Runs one pass now and resolves when it is done (tests, the janitor). */
  runOnce(): Promise<void>;
  /** Stops the loop: aborts the requests in flight, releases their rows for another attempt, waits for the pass. */
  stop(): Promise<void>;
}

/** Rows claimed per statement; a pass claims again while batches come back full. */
const BATCH = 20;
/** The lease outlasts a request's timeout by this much, so a live node never loses a row it is still sending. */
const LEASE_MARGIN_MS = 30_000;

export function startBackchannelDelivery(deps: DeliveryDeps): BackchannelDelivery {
  const { outbox, logger, audit } = deps;
  const settings = deps.config.backchannelLogout;
  const policy: RetryPolicy = settings;
  const owner = randomId(12);
  const leaseMs = settings.timeoutMs + LEASE_MARGIN_MS;
  const pollMs = settings.pollIntervalSeconds * 1000;
  const shutdown = new AbortController();
  let running: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;

  const giveUp = async (row: LogoutDelivery, details: Record<string, string | number>) => {
    await outbox.finish(row.id, owner, 'failed', Date.now());
    const event = { sid: row.sid, attempts: row.attempts, ...details };
    audit.record({ type: 'backchannel_logout.failed', userId: row.userId, clientId: row.clientId, details: event });
    logger.warn({ event: 'backchannel_logout_failed', clientId: row.clientId, ...event }, 'gave up a back-channel logout');
  };

  const sendOne = async (row: LogoutDelivery): Promise<void> => {
    const client = await deps.clients.findById(row.clientId, { fresh: true });
    const uri = client ? oidcMetadata(client).backchannelLogoutUri : null;
    // The client was deleted, or stopped listening, since the session ended: nobody to tell.
    if (!client || uri === null) return giveUp(row, { reason: 'no_receiver' });
    if (Date.now() - row.createdAtMs > settings.maxAgeSeconds * 1000) return giveUp(row, { reason: 'expired' });
    const token = await signLogoutToken(deps.keyring, {
      issuer: deps.config.issuer,
      clientId: client.id,
      sub: subjectFor(client, row.userId, deps.config.oidc.pairwiseSalt),
      sid: row.sid,
      now: deps.clock.now(),
      // §2.4: signed as the client's ID tokens are (its id_token_signed_response_alg, else the server default).
      alg: oidcMetadata(client).idTokenSignedResponseAlg ?? deps.config.oidc.defaultIdTokenAlg,
    });
    const post = urlsChosenByClient(client) ? deps.guardedPost : deps.post;
    const result: PostResult = await post(uri, new URLSearchParams({ logout_token: token }), { timeoutMs: settings.timeoutMs, signal: shutdown.signal });
    if (shutdown.signal.aborted) {
      // Cut short by shutdown: due again at once, for the next node or the next start.
      await outbox.retryAt(row.id, owner, Date.now());
      return;
    }
    // The guard's refusal word ('address', 'scheme', ...), never where the name resolved to.
    if ('refused' in result) return giveUp(row, { reason: 'unsafe_uri', refusal: result.refused });
    const answer = 'status' in result ? { status: result.status } : { error: result.error };
    switch (verdictOf(result)) {
      case 'delivered':
        if (await outbox.finish(row.id, owner, 'delivered', Date.now())) {
          audit.record({ type: 'backchannel_logout.delivered', userId: row.userId, clientId: row.clientId, details: { sid: row.sid, attempts: row.attempts, ...answer } });
        }
        return;
      case 'refused':
        return giveUp(row, { reason: 'refused', ...answer });
      case 'retry': {
        const next = Date.now() + backoffMs(policy, row.attempts);
        if (row.attempts >= policy.maxAttempts) return giveUp(row, { reason: 'attempts_exhausted', ...answer });
        if (next - row.createdAtMs > settings.maxAgeSeconds * 1000) return giveUp(row, { reason: 'expired', ...answer });
        await outbox.retryAt(row.id, owner, next);
        return;
      }
    }
  };

  const pass = async (): Promise<void> => {
    for (;;) {
      const rows = await outbox.claim(owner, Date.now(), leaseMs, BATCH);
      await Promise.all(
        rows.map((row) =>
          sendOne(row).catch((err: unknown) => {
            // A signing or database failure: the lease runs out and the row is tried again.
            logger.warn({ event: 'backchannel_logout_error', clientId: row.clientId, err }, 'a back-channel logout could not be sent; it will be retried');
          }),
        ),
      );
      if (rows.length < BATCH || shutdown.signal.aborted) return;
      // Let requests run between batches.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  };

  const schedule = async () => {
    if (shutdown.signal.aborted) return;
    let delay = pollMs * (0.8 + Math.random() * 0.4);
    try {
      const due = await outbox.nextDueAt();
      if (due !== undefined) delay = Math.min(delay, Math.max(0, due - Date.now()));
    } catch {
      // The database is away: poll again later.
    }
    if (shutdown.signal.aborted) return;
    clearTimeout(timer);
    timer = setTimeout(trigger, delay);
    timer.unref();
  };

  function trigger(): Promise<void> {
    if (shutdown.signal.aborted) return Promise.resolve();
    if (running) {
      // A kick during a pass: run once more after it, so a row queued meanwhile does not wait for the poll.
      again = true;
      return running;
    }
    clearTimeout(timer);
    running = (async () => {
      do {
        again = false;
        try {
          await pass();
        } catch (err) {
          logger.warn({ event: 'backchannel_logout_error', err }, 'back-channel logout delivery failed; retrying at the next poll');
        }
      } while (again && !shutdown.signal.aborted);
      await schedule();
    })().finally(() => {
      running = undefined;
      // Kicked while the next wake-up was being scheduled: go again now.
      if (again) void trigger();
    });
    return running;
  }

  void schedule();
  return {
    kick: () => void trigger(),
    runOnce: () => trigger(),
    async stop() {
      shutdown.abort();
      clearTimeout(timer);
      await running;
    },
  };
}
