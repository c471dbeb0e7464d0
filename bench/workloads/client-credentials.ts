import { BASIC, BENCH, isCeiling } from '../common.ts';
import { singleRequest } from './sequence.ts';
import type { Workload } from './types.ts';

/** POST token, grant_type=client_credentials with a scope, client_secret_basic: one new access token per request. */
export const clientCredentials: Workload = {
  name: 'client_credentials',
  unit: 'req/s',
  describe: 'POST token: grant_type=client_credentials, scope=api, client_secret_basic',
  supports: (t) => t.endpoints.token !== undefined,
  async prepare(target) {
    const body = new URLSearchParams({ grant_type: 'client_credentials', scope: BENCH.clientScope }).toString();
    const request = {
      method: 'POST' as const,
      path: target.endpoints.token ?? '',
      headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' },
      body,
    };
    const bare = isCeiling(target.name);
    return singleRequest(
      () => request,
      (res) => (res.status === 200 && (bare || res.body.includes('"access_token"')) ? undefined : `${res.status} ${res.body.slice(0, 160)}`),
    );
  },
};
