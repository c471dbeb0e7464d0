import { BASIC } from '../common.ts';
import { mintFlows } from './http.ts';
import { singleRequest } from './sequence.ts';
import type { Workload } from './types.ts';

const POOL = 128;

/**
 * POST token, grant_type=refresh_token: every request spends a refresh token never used before. A pool is minted by
 * authorization-code flows (one grant each); each answer's rotated refresh token goes back into the pool, so the
 * pool never runs dry and no token is presented twice.
 */
export const refreshToken: Workload = {
  name: 'refresh_token',
  unit: 'req/s',
  describe: `POST token: grant_type=refresh_token with an unused refresh token (rotating pool of ${POOL} grants)`,
  supports: (t) => t.endpoints.token !== undefined && t.endpoints.authorization !== undefined,
  async prepare(target) {
    const pool = (await mintFlows(target, POOL)).map((f) => f.tokens?.refresh_token ?? '').filter(Boolean);
    if (pool.length < POOL) throw new Error(`${target.name}: the code flow issued no refresh token`);
    return singleRequest(
      () => ({
        method: 'POST',
        path: target.endpoints.token ?? '',
        headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' },
        // An empty pool (only after failures) sends an unknown token, which counts as an error.
        body: `grant_type=refresh_token&refresh_token=${encodeURIComponent(pool.shift() ?? 'exhausted')}`,
      }),
      (res) => {
        if (res.status !== 200) return `${res.status} ${res.body.slice(0, 160)}`;
        const rt = (JSON.parse(res.body) as { refresh_token?: string }).refresh_token;
        if (!rt) return 'no rotated refresh_token';
        pool.push(rt);
        return undefined;
      },
    );
  },
};
