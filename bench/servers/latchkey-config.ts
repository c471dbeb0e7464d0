import type { ConfigInput } from '../../src/config/schema.ts';
import { BENCH, idTokenAlgOf } from '../common.ts';
import { BENCH_IDP, benchIdpKey } from '../trusted-issuer.ts';

const EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/**
 * The benchmark's Latchkey configuration (servers/latchkey.ts runs it from dist/; test/bench runs it from src/).
 * Two settings differ from the defaults, both stated in the report: the rate limits are lifted (every request comes
 * from 127.0.0.1) and the log level is `warn`.
 */
export function benchLatchkeyConfig(o: { port: number; database: string; logLevel: string; env: NodeJS.ProcessEnv }): ConfigInput {
  return {
    issuer: `http://127.0.0.1:${o.port}`,
    port: o.port,
    host: '127.0.0.1',
    database: o.database,
    logLevel: o.logLevel as ConfigInput['logLevel'],
    demo: false,
    // The login throttle counts an attempt before its password is checked (so parallel guesses cannot race it); 50
    // connections signing one user in from one address are 50 attempts in flight, which it would rightly slow down.
    // The bench measures throughput, so it lifts the counts, as it lifts the token rate limit.
    rateLimit: { tokenPerMinute: 0, clientAuthFailuresPerMinute: 0, loginFreeFailures: 10_000, loginFreeFailuresPerAddress: 10_000 },
    // BENCH_ID_TOKEN_ALG=ES256|EdDSA: what each ID token algorithm costs (auth_code_oidc); RS256 by default.
    oidc: { defaultIdTokenAlg: idTokenAlgOf(o.env) },
    // BENCH_LATCHKEY_JWT_ALG=ES256|EdDSA: what each JWT access-token algorithm costs (client_credentials_jwt); default as ID tokens.
    ...(o.env['BENCH_LATCHKEY_JWT_ALG'] ? { resourceTokens: { jwtAccessTokenAlg: o.env['BENCH_LATCHKEY_JWT_ALG'] as 'RS256' } } : {}),
    scopes: [
      { name: 'openid', description: 'Know who you are', claims: [] },
      { name: 'profile', description: 'See your name and username', claims: ['name', 'preferred_username'] },
      { name: 'email', description: 'See your email address', claims: ['email'] },
      { name: BENCH.clientScope, description: 'Call the API', claims: [] },
    ],
    clients: [
      {
        id: BENCH.clientId,
        name: 'Benchmark client',
        secret: BENCH.clientSecret,
        redirectUris: [BENCH.redirectUri],
        grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
      },
    ],
    users: [{ username: BENCH.username, password: BENCH.password, name: BENCH.userName, email: BENCH.email }],
    // client_credentials_jwt: RFC 9068 JWT access tokens for this API (RFC 8707 resource); without resource, opaque.
    resources: [{ id: BENCH.jwtResource, name: 'Bench API', scopes: [BENCH.clientScope], accessTokenFormat: 'jwt' }],
  };
}

/**
 * What token_exchange and jwt_bearer need on top (README "Token exchange and JWT bearer"): an API gateway client
 * with both grants and a policy that lets it turn a user's access token issued to the bench client into one for the
 * JWT resource (impersonation, RFC 8693 §1.1; another client's token, so `otherClientsTokens`), and the benchmark's
 * identity provider as a trusted issuer whose assertions name users by username (RFC 7523 §2.1, §3).
 */
export function withExchangeGrants(config: ConfigInput): ConfigInput {
  return {
    ...config,
    clients: [
      ...(config.clients ?? []),
      {
        id: BENCH.exchangerId,
        name: 'Benchmark API gateway',
        secret: BENCH.exchangerSecret,
        grantTypes: [EXCHANGE_GRANT, JWT_BEARER],
        tokenExchange: { subjectTokenTypes: ['access_token'], resources: [BENCH.jwtResource], scopes: [BENCH.clientScope], impersonation: true, otherClientsTokens: true },
      },
    ],
    tokenExchange: {
      trustedIssuers: [{ issuer: BENCH_IDP.issuer, name: 'Bench IdP', jwks: { keys: [benchIdpKey().publicJwk] }, userClaim: 'sub', userBy: 'username' }],
    },
  };
}
