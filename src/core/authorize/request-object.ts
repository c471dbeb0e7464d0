import { decodeProtectedHeader, errors as joseErrors, jwtVerify, UnsecuredJWT, type JWTPayload } from 'jose';
import type { CoreDeps, Params } from '../context.ts';
import { InvalidRequestObject, OAuthError } from '../errors.ts';
import type { Client } from '../model.ts';
import { registeredClientKeys } from './client-keys.ts';

/** JWT claims of the object itself (RFC 7519 §4.1), not authorization request parameters. */
const JWT_CLAIMS = new Set(['iss', 'aud', 'exp', 'nbf', 'iat', 'jti', 'sub']);
/** Seconds of clock difference tolerated between the client and this server. */
const CLOCK_TOLERANCE = 30;
const MAX_JTI = 256;

type RequestObjectDeps = Pick<CoreDeps<'requestObjectJtis'>, 'config' | 'clock' | 'repos' | 'clientKeys'>;

/**
 * RFC 9101 request object (`request`, at the authorization endpoint or pushed, RFC 9126 §3): a JWS the client signed
 * with one of its registered keys, or an unsigned one (alg none: Core §6.1 and Discovery §3, "servers SHOULD support
 * none"). Returns the authorization request parameters it carries; they are the only ones used (RFC 9101 §6.3), with
 * client_id; and whether it was signed, for require_signed_request_object (§10.5): an unsigned object proves nothing
 * about who wrote it (RFC 8725 §3.1), so it is worth exactly what plain query parameters are. Every failure is
 * invalid_request_object (§6.2); the message never repeats the object.
 */
export async function verifyRequestObject(deps: RequestObjectDeps, client: Client, jwt: string): Promise<{ params: Params; signed: boolean }> {
  const { config } = deps;
  const allowed: readonly string[] = config.requestObjects.algorithms;
  if (jwt.split('.').length !== 3) throw new InvalidRequestObject('the request object must be a signed JWT (JWS compact serialization); encrypted request objects are not supported');
  let alg: string | undefined;
  try {
    alg = decodeProtectedHeader(jwt).alg;
  } catch {
    throw new InvalidRequestObject('the request object is not a JWT');
  }
  if (alg === 'none') return { params: unsignedParameters(client, jwt), signed: false };
  if (alg === undefined) throw new InvalidRequestObject('the request object names no alg');
  if (!allowed.includes(alg)) throw new InvalidRequestObject(`the request object's alg must be one of ${allowed.join(', ')}`);
  const keys = await (deps.clientKeys ?? registeredClientKeys(deps))(client);
  if (!keys) throw new InvalidRequestObject('the client has no registered keys to verify request objects with');

  const now = deps.clock.now();
  let payload: JWTPayload;
  try {
    // RFC 9101 §4: iss is the client, aud this server's issuer; exp is required here so a leaked object dies.
    ({ payload } = await jwtVerify(jwt, keys, {
      algorithms: [...allowed],
      issuer: client.id,
      audience: config.issuer,
      currentDate: new Date(now * 1000),
      clockTolerance: CLOCK_TOLERANCE,
      requiredClaims: ['exp', 'jti'],
    }));
  } catch (err) {
    throw new InvalidRequestObject(describe(err), { cause: err });
  }
  const exp = payload.exp as number;
  const issuedAt = typeof payload.iat === 'number' ? Math.min(payload.iat, now) : now;
  if (exp - issuedAt > config.requestObjects.maxLifetimeSeconds) {
    throw new InvalidRequestObject(`the request object must expire within ${config.requestObjects.maxLifetimeSeconds} seconds`);
  }
  // RFC 9101 §5: client_id is REQUIRED in the object too and MUST equal the one outside it.
  if (payload['client_id'] !== client.id) throw new InvalidRequestObject('the request object\'s client_id must be the client_id of the request');
  const jti = payload.jti as string;
  if (jti.length > MAX_JTI) throw new InvalidRequestObject(`jti is longer than ${MAX_JTI} characters`);
  const params = parametersOf(payload);
  // RFC 9101 §10.8: a request object is used once; its jti is remembered, on every node, until it expires.
  if (!(await deps.repos.requestObjectJtis.record(client.id, jti, exp + CLOCK_TOLERANCE, now))) {
    throw new InvalidRequestObject('this request object was already used (its jti was seen before)');
  }
  return { params: { ...params, client_id: client.id }, signed: true };
}

/** An unsigned object: its parameters only; no iss, aud, exp or jti can mean anything without a signature. */
function unsignedParameters(client: Client, jwt: string): Params {
  let payload: JWTPayload;
  try {
    ({ payload } = UnsecuredJWT.decode(jwt));
  } catch {
    throw new InvalidRequestObject('the unsigned request object is not a valid JWT');
  }
  // RFC 9101 §5: a client_id inside must be the one outside it.
  if (payload['client_id'] !== undefined && payload['client_id'] !== client.id) throw new InvalidRequestObject('the request object\'s client_id must be the client_id of the request');
  return { ...parametersOf(payload), client_id: client.id };
}

/** The authorization request parameters of the payload, as strings (max_age may be a number, claims an object: §4). */
function parametersOf(payload: JWTPayload): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    if (JWT_CLAIMS.has(name)) continue;
    // RFC 9101 §4: request and request_uri MUST NOT be inside a request object.
    if (name === 'request' || name === 'request_uri') throw new InvalidRequestObject(`${name} must not appear inside a request object`);
    if (typeof value === 'string') params[name] = value;
    else if (typeof value === 'number' && Number.isSafeInteger(value)) params[name] = String(value);
    else if (name === 'claims' && typeof value === 'object' && value !== null && !Array.isArray(value)) params[name] = JSON.stringify(value);
    else throw new InvalidRequestObject(`the request object's ${name} must be a string`);
  }
  return params;
}

/** What was wrong, in words safe to show (jose's messages name claims, never values; still, map the known ones). */
function describe(err: unknown): string {
  if (err instanceof OAuthError) return err.description;
  if (err instanceof joseErrors.JWTExpired) return 'the request object has expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf') return 'the request object is not yet valid (nbf)';
    if (err.claim === 'iss') return 'the request object\'s iss must be the client_id';
    if (err.claim === 'aud') return 'the request object\'s aud must be this server\'s issuer';
    return `the request object's ${err.claim} claim is missing or invalid`;
  }
  if (err instanceof joseErrors.JWSSignatureVerificationFailed || err instanceof joseErrors.JWKSNoMatchingKey || err instanceof joseErrors.JWKSMultipleMatchingKeys) {
    return 'the request object\'s signature does not verify with the client\'s registered keys';
  }
  return 'the request object is invalid';
}
