import type { FastifyInstance } from 'fastify';
import type { AppDeps } from './app-deps.ts';
import { createDemo, syncDeclared, type DemoCredentials } from './bootstrap.ts';
import type { Config } from './config/schema.ts';
import { systemClock, type Clock } from './core/clock.ts';
import type { GrantHandler } from './core/token/grant.ts';
import { builtInGrants } from './core/token/grants/index.ts';
import { registerOAuthRoutes } from './http/oauth-routes.ts';
import { registerPageRoutes } from './http/page-routes.ts';
import { registerProfileRoutes } from './http/profile-routes.ts';
import { createServer } from './http/server.ts';
import { openStorage, type Storage } from './storage/index.ts';

export interface Latchkey {
  app: FastifyInstance;
  storage: Storage;
  deps: AppDeps;
  demo: DemoCredentials | undefined;
  close(): Promise<void>;
}

export interface BuildOptions {
  clock?: Clock;
  extraGrants?: readonly GrantHandler[];
  /** Where log lines go (stdout by default); tests capture them to check nothing secret is logged. */
  logStream?: NodeJS.WritableStream;
}

/** Composition root: config -> storage -> core -> http. */
export async function buildLatchkey(config: Config, options: BuildOptions = {}): Promise<Latchkey> {
  const clock = options.clock ?? systemClock;
  const storage = openStorage(config.database);
  try {
    await storage.migrate();
    const app = await createServer(config, options.logStream ? { logStream: options.logStream } : {});
    const logger = app.log;
    const grants = builtInGrants(storage.repos, { config, logger }, options.extraGrants);
    const deps: AppDeps = { config, clock, repos: storage.repos, logger, grants };
    await syncDeclared(storage.repos, config, clock.now());
    const demo = await createDemo(storage.repos, config, clock.now(), logger);
    registerOAuthRoutes(app, deps);
    registerPageRoutes(app, deps);
    registerProfileRoutes(app, deps);
    app.get('/', { config: { errorStyle: 'json' } }, async (_req, reply) =>
      reply.send({ name: 'Latchkey', issuer: config.issuer, metadata: `${config.issuer}/.well-known/oauth-authorization-server` }),
    );
    return {
      app,
      storage,
      deps,
      demo,
      async close() {
        await app.close();
        await storage.close();
      },
    };
  } catch (err) {
    await storage.close();
    throw err;
  }
}
