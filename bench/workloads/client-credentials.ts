import { BASIC, BENCH, isCeiling } from '../common.ts';
import { singleRequest } from './sequence.ts';
import type { Prepared, Target, Workload } from './types.ts';

/** POST token, grant_type=client_credentials with a scope, client_secret_basic: one new access token per request. */
export const clientCredentials: Workload = {
  name: 'client_credentials',
  unit: 'req/s',
  describe: 'POST token: grant_type=client_credentials, scope=api, client_secret_basic',
  supports: (t) => t.endpoints.token !== undefined,
  prepare: (target) => tokenRequests(target, {}),
};

/**
 * The same request with `resource` (RFC 8707) naming an API whose access tokens are RFC 9068 JWTs: what signing each
 * access token costs beside the opaque one (issue 12: within 15%). Servers without JWT access tokens: n/a.
 */
export const clientCredentialsJwt: Workload = {
  name: 'client_credentials_jwt',
  unit: 'req/s',
  describe: 'POST token: grant_type=client_credentials, scope=api, resource=<a JWT resource>, client_secret_basic',
  supports: (t) => t.endpoints.token !== undefined && t.endpoints.jwtAccessTokens === true,
  prepare: (target) => tokenRequests(target, { resource: BENCH.jwtResource }),
};

async function tokenRequests(target: Target, extra: Record<string, string>): Promise<Prepared> {
  const body = new URLSearchParams({ grant_type: 'client_credentials', scope: BENCH.clientScope, ...extra }).toString();
  const request = {
    method: 'POST' as const,
    path: target.endpoints.token ?? '',
    headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' },
    body,
  };
  const bare = isCeiling(target.name);
  // With a JWT resource the token must be a JWT (RFC 9068), not an opaque one, or the variant measures nothing new.
  const issued = extra['resource'] === undefined ? /"access_token":"/ : /"access_token":"[\w-]+\.[\w-]+\.[\w-]+"/;
  return singleRequest(
    () => request,
    (res) => (res.status === 200 && (bare || issued.test(res.body)) ? undefined : `${res.status} ${res.body.slice(0, 160)}`),
  );
}
