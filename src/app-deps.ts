import type { CoreDeps } from './core/context.ts';
import type { GrantMap } from './core/token/grant.ts';

/** Everything the HTTP layer hands to the core: config, clock, repositories, logger, and the grant map. */
export interface AppDeps extends CoreDeps {
  grants: GrantMap;
}
