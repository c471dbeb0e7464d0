import type { ClientKeySource } from './core/authorize/client-keys.ts';
import type { FastifyInstance } from 'fastify';
import { auditRecorder } from './admin/audit.ts';
import { tokenCounter } from './admin/token-counter.ts';
import { seedBuiltIns } from './admin/built-in.ts';
import type { AdminDeps } from './admin/context.ts';
import { liveTokenSettings } from './admin/settings.ts';
import type { AppDeps } from './app-deps.ts';
import { createDemo, syncDeclared, type DemoCredentials } from './bootstrap.ts';
import type { Config } from './config/schema.ts';
import { systemClock, type Clock } from './core/clock.ts';
import type { GrantHandler } from './core/token/grant.ts';
import { builtInGrants } from './core/token/grants/index.ts';
import { dpopVerifierFor } from './core/dpop/verifier.ts';
import type { Logger } from './core/context.ts';
import { resolveKek } from './core/keys/kek-source.ts';
import { keySettings } from './core/keys/schedule.ts';
import { openSigningKeys } from './core/keys/service.ts';
import { startBackchannelDelivery, type BackchannelDelivery } from './core/oidc/backchannel/delivery.ts';
import { fetchLogoutPost, type LogoutPost } from './core/oidc/backchannel/post.ts';
import { guardedLogoutPost } from './core/oidc/backchannel/guarded-post.ts';
import { JWKS_MAX_BYTES, JWKS_TIMEOUT_MS } from './core/client-auth/jwks-fetch.ts';
import { registerAccountRoutes } from './account/routes.ts';
import { registerDeviceRoutes } from './http/device-routes.ts';
import { registerAdminRoutes } from './http/admin-routes.ts';
import { registerConsoleRoutes } from './console/routes.ts';
import { registerHealthRoutes } from './http/health-routes.ts';
import { registerJwksRoutes } from './http/jwks-routes.ts';
import { registerOAuthRoutes } from './http/oauth-routes.ts';
import { registerPageRoutes } from './http/page-routes.ts';
import { registerProfileRoutes } from './http/profile-routes.ts';
import { registerRegistrationRoutes } from './http/registration-routes.ts';
import { clientAuthLimit } from './http/client-auth-limit.ts';
import { memoryCounter } from './http/memory-counter.ts';
import { createServer } from './http/server.ts';
import { clientDocumentsFor } from './http/client-documents.ts';
import { createSafeFetch } from './http/safe-fetch.ts';
import { openStorage, sqlitePath, type Storage } from './storage/index.ts';
import { purgeExpired, startJanitor, type Janitor } from './storage/janitor.ts';

export interface Latchkey {
  app: FastifyInstance;
  storage: Storage;
  deps: AppDeps;
  demo: DemoCredentials | undefined;
  /** The periodic purge of expired rows (config `janitor`); `runOnce` purges now. */
  janitor: Janitor;
  /** The back-channel logout delivery loop of this node (core/oidc/backchannel/delivery.ts). */
  backchannel: BackchannelDelivery;
  /** Stops the janitor, lets in-flight requests finish (new ones get 503), then closes the database pool. */
  close(): Promise<void>;
}

export interface BuildOptions {
  clock?: Clock;
  extraGrants?: readonly GrantHandler[];
  /** Where log lines go (stdout by default); tests capture them to check nothing secret is logged. */
  logStream?: NodeJS.WritableStream;
  /** Replaces the keys request objects (RFC 9101) are verified with (default: those registered for private_key_jwt). */
  clientKeys?: ClientKeySource;
  /** How back-channel logout tokens are POSTed to operator-made clients (default: fetch without redirects). */
  logoutPost?: LogoutPost;
}

/** Composition root: config -> storage -> core -> http. */
export async function buildLatchkey(config: Config, options: BuildOptions = {}): Promise<Latchkey> {
  const clock = options.clock ?? systemClock;
  // This instance's own token settings: the console changes them at run time (admin/settings.ts).
  config = { ...config, tokens: { ...config.tokens } };
  let log: Logger | undefined;
  const storage = openStorage(config.database, {
    pool: config.databasePool,
    cacheTtlMs: config.cacheTtlMs,
    onIdleError: (err) => log?.warn({ event: 'database_connection_lost', err }, 'an idle database connection failed; it will be replaced'),
  });
  try {
    await storage.migrate();
    // Counters in the database when several nodes share it, so the limit is per address, not per address and node.
    const { store } = config.rateLimit;
    const sharedLimits = store === 'database' || (store === 'auto' && storage.dialect === 'postgres');
    const limit = clientAuthLimit(sharedLimits ? storage.repos.rateLimits : memoryCounter(), config.rateLimit);
    const app = await createServer(config, options.logStream ? { logStream: options.logStream } : {});
    const logger = app.log;
    log = logger;
    // While draining, every response closes its connection, so clients move to another node and close() ends.
    let draining = false;
    // A callback hook: an async one costs a promise on every response.
    app.addHook('onSend', (_req, reply, payload, done) => {
      if (draining) reply.header('connection', 'close');
      done(null, payload);
    });
    const audit = auditRecorder(storage.repos.audit, clock, logger);
    const tokenSettings = liveTokenSettings(config, storage.repos.settings);
    await tokenSettings.reload();
    const kek = resolveKek(config.keys, sqlitePath(config.database));
    const keys = await openSigningKeys({
      port: { store: storage.repos.signingKeys, exclusive: (fn) => storage.exclusive((repos) => fn(repos.signingKeys)) },
      kek,
      clock,
      settings: keySettings(config),
      cacheTtlMs: config.cacheTtlMs,
      logger,
    });
    const backchannel = startBackchannelDelivery({
      config,
      outbox: storage.repos.backchannelOutbox,
      clients: storage.repos.clients,
      keyring: keys.keyring,
      audit,
      logger,
      clock,
      post: options.logoutPost ?? fetchLogoutPost,
      guardedPost: guardedLogoutPost(createSafeFetch({ allowLoopbackHttp: config.clientMetadataDocuments.allowLoopbackHttp, timeoutMs: config.backchannelLogout.timeoutMs })),
    });
    kickAfterSessionsEnd(storage, backchannel);
    const grants = builtInGrants(storage.repos, { config, logger, audit, keyring: keys.keyring }, options.extraGrants);
    const tokenCounts = tokenCounter(storage.repos.activity, clock, logger);
    // The KEK also opens client_secret_jwt clients' secrets (core/client-auth/secret-encryption.ts).
    const deps: AdminDeps = { config, clock, repos: storage.repos, logger, audit, grants, tokenSettings, keys, tokenCounter: tokenCounts, kek: kek.kek };
    if (options.clientKeys) deps.clientKeys = options.clientKeys;
    // jwks_uri of clients that chose it: the SSRF guard, with the JWKS limits and the one development switch.
    deps.clientChosenFetch = createSafeFetch({ allowLoopbackHttp: config.clientMetadataDocuments.allowLoopbackHttp, timeoutMs: JWKS_TIMEOUT_MS, maxBytes: JWKS_MAX_BYTES });
    deps.dpop = dpopVerifierFor(config, storage.repos.dpopProofs);
    if (config.clientMetadataDocuments.enabled) deps.clientDocuments = clientDocumentsFor(config, clock, storage.repos, logger);
    // One node at a time: nodes started together would otherwise race to create the same clients and users.
    const demo = await storage.exclusive(async (repos) => {
      await syncDeclared(repos, config, clock.now(), kek.kek);
      const created = await createDemo(repos, config, clock.now(), logger);
      // After the demo: its "no clients yet" check must not see the console's own clients.
      await seedBuiltIns(repos, config, clock.now());
      return created;
    });
    registerHealthRoutes(app, storage, config.databasePool.connectionTimeoutMs);
    registerOAuthRoutes(app, deps, limit);
    registerJwksRoutes(app, deps);
    registerPageRoutes(app, deps);
    registerProfileRoutes(app, deps, limit);
    registerRegistrationRoutes(app, deps);
    registerAdminRoutes(app, deps);
    registerConsoleRoutes(app, deps);
    registerAccountRoutes(app, deps);
    registerDeviceRoutes(app, deps);
    // Other nodes' changes to the token settings arrive within this many seconds.
    const settingsRefresh = tokenSettings.startRefreshing(30, logger);
    const countsFlush = tokenCounts.start(10);
    app.get('/', { config: { errorStyle: 'json' } }, async (_req, reply) =>
      reply.send({ name: 'Latchkey', issuer: config.issuer, metadata: `${config.issuer}/.well-known/oauth-authorization-server` }),
    );
    const janitor = startJanitor(
      async () => {
        const report = await purgeExpired(storage.db, storage.dialect, clock.now(), { ...config.janitor, loginFailureWindowSeconds: config.rateLimit.loginFailureWindowSeconds });
        // Key rotation runs on the janitor's schedule (keys.rotationDays); it logs what it changes.
        await keys.maintain();
        return report;
      },
      config.janitor,
      logger,
    );
    return {
      app,
      storage,
      deps,
      demo,
      janitor,
      backchannel,
      async close() {
        draining = true;
        // app.close() answers requests already received, refuses new ones with 503, and waits for every connection to
        // end; a keep-alive connection that was busy when it began would linger until its idle timeout otherwise.
        const reaper = setInterval(() => app.server.closeIdleConnections(), 100);
        try {
          await Promise.all([janitor.stop(), backchannel.stop(), app.close()]);
        } finally {
          clearInterval(reaper);
        }
        settingsRefresh.stop();
        await countsFlush.stop();
        await audit.flush();
        await storage.close();
      },
    };
  } catch (err) {
    await storage.close();
    throw err;
  }
}

/**
 * Ending a session (or deleting its user) queues its back-channel logouts in the same transaction (storage); once that
 * commits, this node's delivery loop is woken so they go out at once rather than at the next poll.
 */
function kickAfterSessionsEnd(storage: Storage, delivery: BackchannelDelivery): void {
  const { sessions, listings, users } = storage.repos;
  const kicked = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    const result = await fn(...args);
    delivery.kick();
    return result;
  };
  storage.repos.sessions = { ...sessions, delete: kicked(sessions.delete), deleteAllForUser: kicked(sessions.deleteAllForUser) };
  storage.repos.listings = { ...listings, deleteSession: kicked(listings.deleteSession) };
  storage.repos.users = { ...users, delete: kicked(users.delete) };
}
