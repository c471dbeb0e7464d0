import { ConfigError } from './config/load.ts';
import type { Config } from './config/schema.ts';
import { DPOP_OFF, resourceProblems } from './core/resources/rules.ts';
import type { Repositories } from './core/repositories.ts';

/**
 * The resources (APIs) the configuration declares, created or updated like clients (bootstrap.ts). Misconfiguration
 * stops start-up naming the key (DESIGN.md "Errors"): a bad identifier, a scope claimed twice, an unknown
 * introspection client, a default resource nobody registered, one requiring DPoP on a server with DPoP off. A scope a resource names that nobody declared is
 * created, described by the resource's name, so that declaring an API is one entry.
 */
export async function syncDeclaredResources(repos: Pick<Repositories, 'resources' | 'scopes' | 'clients'>, config: Config, now: number): Promise<void> {
  const problems: string[] = [];
  const stored = await repos.resources.list();
  const declared = config.resources.map((r) => ({ id: r.id, name: r.name, scopes: r.scopes }));
  const others = [...declared, ...stored.filter((s) => !declared.some((d) => d.id === s.id))];
  for (const [i, r] of config.resources.entries()) {
    // Against the entries before it and the stored ones: the second of two entries sharing a scope is the one named.
    const before = [...declared.slice(0, i), ...others.slice(declared.length)];
    for (const [field, problem] of Object.entries(resourceProblems(r, before))) problems.push(`  resources.${i}.${field}: ${problem}`);
    if (r.introspectionClient !== undefined && !(await repos.clients.findById(r.introspectionClient))) {
      problems.push(`  resources.${i}.introspectionClient: no client "${r.introspectionClient}"; declare it under clients`);
    }
    if (r.dpopBoundAccessTokensRequired && !config.dpop.enabled) {
      problems.push(`  resources.${i}.dpopBoundAccessTokensRequired: ${DPOP_OFF}`);
    }
  }
  // A client's token exchange policy may name only resources that exist (declared here or made with the CLI or console).
  for (const [i, c] of config.clients.entries()) {
    const unknown = (c.tokenExchange?.resources ?? []).filter((id) => !others.some((r) => r.id === id));
    for (const id of unknown) problems.push(`  clients.${i}.tokenExchange.resources: client "${c.id}" lists the unknown resource "${id}"; declare it under resources or create it with latchkey resources create`);
  }
  const fallback = config.resourceTokens.defaultResource;
  if (fallback !== undefined && !others.some((r) => r.id === fallback)) {
    problems.push('  resourceTokens.defaultResource: no resource has this identifier; declare it under resources or create it with latchkey resources create');
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);

  const known = new Set((await repos.scopes.list()).map((s) => s.name));
  for (const r of config.resources) {
    for (const scope of r.scopes.filter((s) => !known.has(s))) {
      await repos.scopes.upsert({ name: scope, description: `${scope} (${r.name})`, claims: [] });
      known.add(scope);
    }
    const resource = {
      name: r.name,
      scopes: r.scopes,
      accessTokenFormat: r.accessTokenFormat,
      accessTokenTtl: r.accessTokenTtl ?? null,
      introspectionClientId: r.introspectionClient ?? null,
      dpopBoundAccessTokensRequired: r.dpopBoundAccessTokensRequired,
    };
    if (stored.some((s) => s.id === r.id)) await repos.resources.update(r.id, resource, now);
    else await repos.resources.create({ id: r.id, ...resource }, now);
  }
}
