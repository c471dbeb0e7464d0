import { BASIC, isCeiling } from '../common.ts';
import { mintFlows } from './http.ts';
import { singleRequest } from './sequence.ts';
import type { HttpRequest, Workload } from './types.ts';

const POOL = 64;

/**
 * POST introspection (RFC 7662) of a user's access token, as an API does for every call it receives: the calling
 * client authenticates with client_secret_basic; the tokens come from a pool minted by authorization-code flows.
 */
export const introspection: Workload = {
  name: 'introspection',
  unit: 'req/s',
  describe: `POST introspection of an active user access token (pool of ${POOL}), client_secret_basic`,
  supports: (t) => t.endpoints.introspection !== undefined,
  async prepare(target) {
    const bare = isCeiling(target.name);
    const tokens = bare ? ['lk_at_dummy'] : (await mintFlows(target, POOL)).map((f) => f.tokens?.access_token ?? '');
    // One request object per token, so each is encoded once.
    const requests: HttpRequest[] = tokens.map((token) => ({
      method: 'POST',
      path: target.endpoints.introspection ?? '',
      headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${encodeURIComponent(token)}`,
    }));
    let i = 0;
    return singleRequest(
      () => requests[i++ % requests.length] as HttpRequest,
      (res) => (res.status === 200 && (bare || /"active"\s*:\s*true/.test(res.body)) ? undefined : `${res.status} ${res.body.slice(0, 160)}`),
    );
  },
};
