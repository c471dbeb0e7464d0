import { InvalidScope } from './errors.ts';

/** RFC 6749 §3.3: scope = scope-token *( SP scope-token ); scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export function parseScope(value: string | undefined): string[] {
  if (value === undefined || value === '') return [];
  const parts = value.split(' ');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '') throw new InvalidScope('scope tokens are separated by single spaces');
    if (!SCOPE_TOKEN.test(p)) throw new InvalidScope('scope contains characters outside RFC 6749 §3.3');
    if (!out.includes(p)) out.push(p);
  }
  return out;
}

/**
 * The scope of Latchkey's own admin API (src/admin). Never implied: a client gets it only when its registration lists
 * it, and the authorization flow grants it only to administrators (src/interaction/flow.ts).
 */
export const ADMIN_SCOPE = 'admin';

/**
 * Scopes that stand for a user, and so mean nothing to a client acting for itself (client_credentials): the OpenID
 * Connect scopes (Core §3.1.2.1, §5.4, §11), the admin scope (the admin API wants a signed-in administrator, and a client
 * is not one: src/admin/auth.ts), and any scope that releases user claims.
 */
const USER_SCOPES: ReadonlySet<string> = new Set(['openid', 'profile', 'email', 'address', 'phone', 'offline_access', ADMIN_SCOPE]);

export const needsUser = (scope: { name: string; claims: readonly string[] }): boolean => USER_SCOPES.has(scope.name) || scope.claims.length > 0;

export const formatScope = (scope: readonly string[]): string => scope.join(' ');

export const isSubset = (requested: readonly string[], allowed: readonly string[]): boolean =>
  requested.every((s) => allowed.includes(s));

/**
 * Resolves the scope of a request: omitted means the client's registered scopes (RFC 6749 §3.3 lets the server pick
 * a default). Every scope must be known to the server and allowed for the client.
 */
export function resolveScope(
  requested: string[],
  clientScopes: readonly string[],
  knownScopes: ReadonlySet<string>,
  provided: boolean,
): string[] {
  const scope = provided ? requested : [...clientScopes];
  const unknown = scope.filter((s) => !knownScopes.has(s));
  if (unknown.length > 0) throw new InvalidScope(`unknown scope: ${unknown.join(' ')}`);
  if (clientScopes.length > 0 && !isSubset(scope, clientScopes)) {
    throw new InvalidScope('the client is not allowed to request this scope');
  }
  if (scope.includes(ADMIN_SCOPE) && !clientScopes.includes(ADMIN_SCOPE)) {
    throw new InvalidScope('the admin scope is only for clients registered with it');
  }
  return scope;
}
