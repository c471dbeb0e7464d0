import type { Params } from '../core/context.ts';
import type { Profile } from './profile.ts';
import { withParams } from './profile.ts';

/** `a,b` -> `a b`. Empty items stay empty, so the core still refuses `a,,b` (RFC 6749 §3.3 single spaces). */
export function commaScope(params: Params): Params {
  const scope = params['scope'];
  if (scope === undefined || !scope.includes(',')) return params;
  return withParams(params, { scope: scope.split(',').map((s) => s.trim()).join(' ') });
}

/** Moltin: its own paths, comma-separated scopes, and an absolute `expires` beside `expires_in`. */
export const moltin: Profile = {
  name: 'moltin',
  description: 'Moltin: /oauth and /oauth/access_token',
  changes: [
    'GET /oauth is the authorization endpoint, POST /oauth/access_token the token endpoint',
    'the authorization request may list scopes separated by commas (a,b is read as a b)',
    'the token response adds expires (absolute Unix time) beside expires_in',
  ],
  routes: { authorize: '/oauth', token: '/oauth/access_token' },
  normalizeAuthorize: commaScope,
  shapeTokenResponse: (body, now) => (body.expires_in === undefined ? { ...body } : { ...body, expires: now + body.expires_in }),
};
