import { randomUUID, sign } from 'node:crypto';
import { basicAuth, BENCH } from '../common.ts';
import { BENCH_IDP, benchIdpKey } from '../trusted-issuer.ts';
import { singleRequest } from './sequence.ts';
import type { HttpRequest, Workload } from './types.ts';

const GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/**
 * The JWT bearer grant (RFC 7523 §2.1), as an MCP client trades an enterprise identity provider's assertion: every
 * request carries a fresh ES256 assertion of the trusted issuer (trusted-issuer.ts) about the bench user, with a new
 * jti (single use, §3 item 7: the server records each), signed synchronously in the load generator as the DPoP proofs
 * of client_credentials_dpop are, so the measure is the server's. Answered with an opaque access token (scope api),
 * so its ratio to client_credentials is what verifying and recording the assertion costs.
 */
export const jwtBearer: Workload = {
  name: 'jwt_bearer',
  unit: 'req/s',
  describe: 'POST token: grant_type=jwt-bearer, a fresh ES256 assertion of a trusted issuer (new jti each request), scope=api',
  // No peer has RFC 7523 grants; the report compares it with Latchkey's client_credentials (report.ts BASELINES).
  supports: (t) => t.endpoints.token !== undefined && t.endpoints.exchangeGrants === true,
  async prepare(target) {
    const { privateKey } = benchIdpKey();
    const path = target.endpoints.token ?? '';
    const authorization = basicAuth(BENCH.exchangerId, BENCH.exchangerSecret);
    // §3 item 3: aud names the authorization server; Latchkey accepts its issuer, which is the bench server's origin.
    const audience = target.origin;
    const header = enc({ alg: 'ES256', typ: 'JWT', kid: BENCH_IDP.kid });
    const build = (): HttpRequest => {
      const iat = Math.floor(Date.now() / 1000);
      const input = `${header}.${enc({ iss: BENCH_IDP.issuer, sub: BENCH.username, aud: audience, iat, exp: iat + 300, jti: randomUUID() })}`;
      const assertion = `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
      return {
        method: 'POST',
        path,
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
        body: `grant_type=${encodeURIComponent(GRANT)}&assertion=${assertion}&scope=${BENCH.clientScope}`,
      };
    };
    return singleRequest(build, (res) => (res.status === 200 && /"access_token":"/.test(res.body) ? undefined : `${res.status} ${res.body.slice(0, 160)}`));
  },
};

const enc = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
