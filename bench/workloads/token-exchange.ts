import { basicAuth, BENCH } from '../common.ts';
import { runFlow } from './http.ts';
import { singleRequest } from './sequence.ts';
import type { Workload } from './types.ts';

const GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const JWT = /"access_token":"[\w-]+\.[\w-]+\.[\w-]+"/;

/**
 * OAuth 2.0 Token Exchange (RFC 8693 §2.1), as an API gateway uses it: a user's access token (issued to the bench
 * client by one authorization-code flow in `prepare`, scope `profile email api`) traded by another confidential
 * client, on every request, for a narrower one: scope `api` only, for the registered JWT resource (an RFC 9068 JWT),
 * impersonation (no actor token). The exchanger's policy (clients[].tokenExchange, servers/latchkey-config.ts) allows
 * exactly that. Each request looks the subject token up, checks the policy, signs a JWT and writes a grant.
 */
export const tokenExchange: Workload = {
  name: 'token_exchange',
  unit: 'req/s',
  describe: 'POST token: grant_type=token-exchange, a user access token (other client) -> scope=api, resource=<a JWT resource>',
  // No peer has RFC 8693; the report compares it with Latchkey's client_credentials(_jwt) instead (report.ts BASELINES).
  supports: (t) => t.endpoints.token !== undefined && t.endpoints.authorization !== undefined && t.endpoints.exchangeGrants === true,
  async prepare(target) {
    const flow = await runFlow(target, undefined, { scope: BENCH.subjectScope });
    const subject = flow.tokens?.access_token;
    if (!subject) throw new Error(`${target.name}: the code flow issued no access token`);
    // The same request every time: encoded once by the load generator.
    const request = {
      method: 'POST' as const,
      path: target.endpoints.token ?? '',
      headers: { authorization: basicAuth(BENCH.exchangerId, BENCH.exchangerSecret), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: GRANT,
        subject_token: subject,
        subject_token_type: ACCESS_TOKEN_TYPE,
        resource: BENCH.jwtResource,
        scope: BENCH.clientScope,
      }).toString(),
    };
    // §2.2.1: issued_token_type is required; the token must be the resource's JWT, not an opaque one.
    return singleRequest(
      () => request,
      (res) => (res.status === 200 && JWT.test(res.body) && res.body.includes(`"issued_token_type":"${ACCESS_TOKEN_TYPE}"`) ? undefined : `${res.status} ${res.body.slice(0, 160)}`),
    );
  },
};
