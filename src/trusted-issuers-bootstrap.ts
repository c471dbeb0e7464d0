import { ConfigError } from './config/load.ts';
import type { Config } from './config/schema.ts';
import type { NewTrustedIssuer } from './core/token-exchange/trusted-issuer-port.ts';
import { trustedIssuerProblems } from './core/token-exchange/trusted-issuer-rules.ts';
import type { Repositories } from './core/repositories.ts';

/**
 * The trusted issuers the configuration declares (tokenExchange.trustedIssuers), created or updated in the database
 * at each start like resources (resources-bootstrap.ts), so every node reads the same ones and the admin API, the
 * CLI and the console see them. Those made by other means are left alone. A private key in `jwks` stops start-up
 * naming the key (DESIGN.md "Errors").
 */
export function declaredTrustedIssuers(config: Config): NewTrustedIssuer[] {
  return config.tokenExchange.trustedIssuers.map((t) => ({
    issuer: t.issuer,
    name: t.name ?? t.issuer,
    jwks: t.jwks ?? null,
    jwksUri: t.jwksUri ?? null,
    userClaim: t.userClaim,
    userBy: t.userBy,
  }));
}

export async function syncDeclaredTrustedIssuers(repos: Pick<Repositories, 'trustedIssuers'>, config: Config, now: number): Promise<void> {
  const declared = declaredTrustedIssuers(config);
  const settings = { allowLoopbackHttp: config.clientAssertions.jwksUriAllowLoopbackHttp };
  const problems = declared.flatMap((t, i) => Object.entries(trustedIssuerProblems(t, settings)).map(([field, problem]) => `  tokenExchange.trustedIssuers.${i}.${field}: ${problem}`));
  declared.forEach((t, i) => {
    if (declared.findIndex((o) => o.issuer === t.issuer) < i) problems.push(`  tokenExchange.trustedIssuers.${i}.issuer: "${t.issuer}" is declared twice`);
  });
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
  const stored = await repos.trustedIssuers.list();
  for (const { issuer, ...changes } of declared) {
    const existing = stored.find((s) => s.issuer === issuer);
    if (!existing) await repos.trustedIssuers.create({ issuer, ...changes }, now);
    // Unchanged, it keeps its updatedAt: a start changes nothing an administrator would see as an edit.
    else if (JSON.stringify({ ...existing, createdAt: 0, updatedAt: 0 }) !== JSON.stringify({ issuer, ...changes, createdAt: 0, updatedAt: 0 })) {
      await repos.trustedIssuers.update(issuer, changes, now);
    }
  }
}
