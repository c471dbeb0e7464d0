import type { ClientAssertionAuth, ClientType } from '../model.ts';
import { isAssertionAlg } from './algorithms.ts';
import { jwksUriProblem } from './jwks-fetch.ts';

/** Members of a JWK that only a private or symmetric key has (RFC 7518 §6.2.2, §6.3.2, §6.4.1; RFC 8037 §2). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** What a client's registration says about its authentication, as the config file, CLI, admin API and console take it. */
export interface ClientAuthFields {
  type: ClientType;
  hasSecret: boolean;
  /** RFC 7591 §2 token_endpoint_auth_method; undefined or null: implied by the type. */
  method?: string | null | undefined;
  signingAlg?: string | null | undefined;
  jwks?: { keys: Record<string, unknown>[] } | null | undefined;
  jwksUri?: string | null | undefined;
}

/**
 * The problems of a client's authentication metadata, each under its field's name (camelCase, as the config file
 * spells it). A client_secret_jwt client has a secret like a client_secret_basic one, which the server also keeps
 * encrypted, because an HMAC assertion can only be verified with the secret itself (RFC 7523 §2.2, Core §9).
 */
export function clientAuthProblems(f: ClientAuthFields, settings: { jwksUriAllowLoopbackHttp: boolean }): Record<string, string> {
  const problems: Record<string, string> = {};
  const method = f.method ?? null;
  const keyed = (f.jwks ?? null) !== null || (f.jwksUri ?? null) !== null || (f.signingAlg ?? null) !== null;
  if (method === 'client_secret_jwt') {
    // The server keeps this client's secret encrypted under the KEK (secret-encryption.ts) to verify its HMACs.
    if (f.type !== 'confidential') problems['tokenEndpointAuthMethod'] = 'client_secret_jwt is for confidential clients';
    if (keyed) problems[f.jwksUri ? 'jwksUri' : f.jwks ? 'jwks' : 'tokenEndpointAuthSigningAlg'] = 'keys are for tokenEndpointAuthMethod private_key_jwt';
    return problems;
  }
  if (method === null || method !== 'private_key_jwt') {
    if (method === 'none' && f.type !== 'public') problems['tokenEndpointAuthMethod'] = 'none is for public clients';
    else if (method !== null && method !== 'none' && f.type === 'public') problems['tokenEndpointAuthMethod'] = 'a public client uses none';
    if (keyed) problems[f.jwksUri ? 'jwksUri' : f.jwks ? 'jwks' : 'tokenEndpointAuthSigningAlg'] = 'keys are for tokenEndpointAuthMethod private_key_jwt';
    return problems;
  }
  if (f.type !== 'confidential') problems['tokenEndpointAuthMethod'] = 'private_key_jwt is for confidential clients';
  if (f.hasSecret) problems['secret'] = 'a private_key_jwt client has no secret: it authenticates with its keys';
  if (f.signingAlg != null && !isAssertionAlg(f.signingAlg)) problems['tokenEndpointAuthSigningAlg'] = `${f.signingAlg} is not allowed: use RS256, PS256, ES256, EdDSA or another asymmetric algorithm`;
  const hasJwks = f.jwks != null;
  const hasUri = f.jwksUri != null;
  // Registration 1.0 §2: jwks and jwks_uri MUST NOT both be present.
  if (hasJwks === hasUri) problems['jwks'] = 'private_key_jwt needs exactly one of jwks and jwksUri';
  if (f.jwksUri != null) {
    const problem = jwksUriProblem(f.jwksUri, settings.jwksUriAllowLoopbackHttp);
    if (problem) problems['jwksUri'] = `${f.jwksUri} ${problem}`;
  }
  if (f.jwks != null) {
    const problem = jwksProblem(f.jwks);
    if (problem) problems['jwks'] = problem;
  }
  return problems;
}

export function jwksProblem(jwks: { keys: Record<string, unknown>[] }): string | undefined {
  if (!Array.isArray(jwks.keys) || jwks.keys.length === 0) return 'a JWK Set needs at least one key';
  for (const [i, key] of jwks.keys.entries()) {
    if (key['kty'] !== 'RSA' && key['kty'] !== 'EC' && key['kty'] !== 'OKP') return `key ${i}: kty must be RSA, EC or OKP`;
    // A private key pasted by mistake must not be stored: it would let whoever reads the database sign as the client.
    if (PRIVATE_MEMBERS.some((m) => m in key)) return `key ${i} is a private key: register the public key only`;
    if (typeof key['alg'] === 'string' && !isAssertionAlg(key['alg'])) return `key ${i}: alg ${key['alg']} is not allowed`;
  }
  return undefined;
}

/** The stored form of valid metadata: set for private_key_jwt, null otherwise. */
export function assertionAuthOf(f: ClientAuthFields): ClientAssertionAuth | null {
  if (f.method !== 'private_key_jwt') return null;
  return { method: 'private_key_jwt', signingAlg: f.signingAlg ?? null, jwks: f.jwks ?? null, jwksUri: f.jwksUri ?? null };
}
