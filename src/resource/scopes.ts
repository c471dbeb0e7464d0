import { SCOPE_TOKEN } from './types.ts';

/** The scopes a route requires, checked as RFC 6749 §3.3 scope tokens (a typo fails at start-up). */
export function requiredScopes(scope: string | readonly string[] | undefined): string[] {
  if (scope === undefined) return [];
  const list = typeof scope === 'string' ? scope.split(' ').filter((s) => s !== '') : [...scope];
  for (const s of list) {
    if (!SCOPE_TOKEN.test(s)) throw new TypeError(`required scope ${JSON.stringify(s)} is not an RFC 6749 §3.3 scope token`);
  }
  return list;
}
