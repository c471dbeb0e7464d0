import { decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import type { Config } from '../../config/schema.ts';
import type { Clock } from '../clock.ts';
import { sha256 } from '../crypto.ts';
import { InvalidClient } from '../errors.ts';
import type { Client, ClientAssertionAuth } from '../model.ts';
import { ASSERTION_ALGS } from './algorithms.ts';
import type { ClientKeys } from './client-keys.ts';
import type { ClientAssertionJtis } from './jti-store.ts';

export interface AssertionDeps {
  config: Pick<Config, 'issuer' | 'paths' | 'clientAssertions'>;
  clock: Clock;
  jtis: ClientAssertionJtis;
  keys: ClientKeys;
}

/** One answer for every failure, so the endpoint tells an attacker nothing; the cause goes to the log only. */
export const failed = (cause: unknown) => new InvalidClient('client authentication failed', { cause });

/**
 * The client an assertion claims to be (RFC 7523 §3 items 1, 2: iss and sub are the client_id), read before the
 * signature is checked, only to find the client whose keys must then verify it. `client_id`, when sent, must agree
 * (RFC 7521 §4.2).
 */
export function assertedClientId(assertion: string, clientIdParam: string | undefined): string {
  let claims: JWTPayload;
  try {
    claims = decodeJwt(assertion);
  } catch (err) {
    throw failed(err);
  }
  const { iss, sub } = claims;
  if (typeof sub !== 'string' || sub === '' || iss !== sub) throw failed(new Error('iss and sub must both be the client_id'));
  if (clientIdParam !== undefined && clientIdParam !== sub) throw failed(new Error('client_id does not match the assertion'));
  return sub;
}

/**
 * private_key_jwt (RFC 7523 §2.2 and §3, OpenID Connect Core §9): the assertion is signed by a key the client
 * registered, with an allowed algorithm, for this server, recently, and once.
 */
export async function verifyPrivateKeyJwt(deps: AssertionDeps, client: Client, auth: ClientAssertionAuth, assertion: string): Promise<void> {
  const settings = deps.config.clientAssertions;
  const now = deps.clock.now();
  let payload: JWTPayload;
  try {
    const header = decodeProtectedHeader(assertion);
    ({ payload } = await jwtVerify(assertion, (h) => deps.keys.keyFor(auth, h), {
      // Registration §2 token_endpoint_auth_signing_alg: the one algorithm the client registered, else any asymmetric.
      algorithms: auth.signingAlg === null ? [...ASSERTION_ALGS] : [auth.signingAlg],
      issuer: client.id,
      subject: client.id,
      requiredClaims: ['exp', 'jti'],
      clockTolerance: settings.clockSkewSeconds,
      currentDate: new Date(now * 1000),
    }));
    if (header.crit !== undefined) throw new Error('unsupported crit header');
  } catch (err) {
    throw failed(err);
  }
  await checkAssertionClaims(deps, client, payload);
}

/**
 * The checks after the signature that private_key_jwt and client_secret_jwt share (RFC 7523 §3): the audience, how
 * far ahead exp is, iat, and the single-use jti. iss, sub, exp and nbf are checked with the signature.
 */
export async function checkAssertionClaims(deps: Omit<AssertionDeps, 'keys'>, client: Pick<Client, 'id'>, payload: JWTPayload): Promise<void> {
  const settings = deps.config.clientAssertions;
  const now = deps.clock.now();
  checkAudience(deps.config, payload.aud);
  const exp = payload.exp ?? 0;
  // RFC 7523 §3 item 4 lets the server bound how far ahead exp may be: a long-lived assertion is a stolen password.
  if (exp - now > settings.maxLifetimeSeconds + settings.clockSkewSeconds) throw failed(new Error('assertion lives too long'));
  // Items 5 and 6: not issued (nor valid) in the future, beyond the skew. jose checks nbf; iat is checked here.
  if (payload.iat !== undefined && payload.iat > now + settings.clockSkewSeconds) throw failed(new Error('iat is in the future'));
  const jti = payload.jti;
  if (typeof jti !== 'string' || jti === '' || jti.length > 1000) throw failed(new Error('jti is required'));
  // Item 7: single use, across nodes. Kept until the assertion could no longer pass the exp check anyway.
  const fresh = await deps.jtis.use(client.id, sha256(jti), exp + settings.clockSkewSeconds, now);
  if (!fresh) throw failed(new Error('replayed assertion (jti already used)'));
}

/**
 * draft-ietf-oauth-rfc7523bis §4: the audience is the issuer identifier, as the sole value, which closes the attack in
 * which a client is tricked into signing for an endpoint URL that an attacker's server advertises as its own. The
 * token endpoint URL that OpenID Connect Core §9 named is accepted only when the operator turns it on for old clients
 * (oauth4webapi 3 and openid-client 6 send the issuer).
 */
function checkAudience(config: AssertionDeps['config'], aud: JWTPayload['aud']): void {
  const accepted = new Set([config.issuer]);
  if (config.clientAssertions.acceptTokenEndpointAudience) accepted.add(config.issuer + config.paths.token);
  const values = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  const sole = accepted.size === 1 ? values.length === 1 : values.length >= 1;
  if (!sole || !values.every((v) => accepted.has(v))) throw failed(new Error('aud must be the issuer identifier'));
}
