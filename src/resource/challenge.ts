import { TokenVerificationError } from './errors.ts';
import type { VerifiedToken, Verifier, VerifyOptions } from './types.ts';

/** RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=". */
export const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

export interface Refusal {
  status: 400 | 401 | 403;
  /** The `WWW-Authenticate: Bearer …` challenge (RFC 6750 §3, RFC 9728 §5.1). */
  challenge: string;
  body: { error?: string; error_description: string };
}

export interface ChallengeOptions {
  realm: string;
  /** RFC 9728 §5.1: where a client finds this resource's metadata (and so its authorization server). */
  resourceMetadataUrl: string | undefined;
  /** The scopes the route requires, named in the challenge when the resource advertises metadata. */
  scope: readonly string[];
  /** RFC 9449 §7.1: when DPoP is accepted, its algorithms (the DPoP challenge's `algs`) and whether it is required. */
  dpop?: { algorithms: readonly string[]; required: boolean } | undefined;
}

/** The parts of an HTTP request the check reads. */
export interface IncomingAuth {
  authorization: string | undefined;
  dpop: string | readonly string[] | undefined;
  method: string;
  /** The request's full public URL (for a DPoP proof's htu). */
  url: string;
}

/**
 * Checks `Authorization: Bearer` (RFC 6750 §2.1) and the token: resolves with the token, or with the refusal to send.
 * Other errors (the authorization server unreachable) are thrown: they are not the caller's fault.
 */
export async function authenticate(
  verifier: Verifier,
  incoming: IncomingAuth,
  verifyOptions: VerifyOptions,
  c: ChallengeOptions,
): Promise<{ token: VerifiedToken; bearer: string } | { refusal: Refusal }> {
  const header = incoming.authorization;
  // RFC 9449 §7.1: `Authorization: DPoP <token>` too, where DPoP is accepted.
  const scheme = c.dpop !== undefined && header !== undefined && /^DPoP(?: |$)/i.test(header) ? 'DPoP' : 'Bearer';
  // RFC 6750 §3.1: a request without credentials (or with another scheme) gets a challenge without an error code.
  if (header === undefined || (scheme === 'Bearer' && !/^Bearer(?: |$)/i.test(header))) return { refusal: refuse(c, 401, undefined, 'an access token is required') };
  const m = /^(?:Bearer|DPoP) +([^ ]+) *$/i.exec(header);
  if (!m?.[1] || !B64TOKEN.test(m[1])) {
    return { refusal: refuse(c, 400, new TokenVerificationError('invalid_request', `malformed ${scheme} authorization header`)) };
  }
  try {
    const presentation = { scheme, proof: incoming.dpop, method: incoming.method, url: incoming.url } as const;
    return { token: await verifier.verify(m[1], { ...verifyOptions, presentation }), bearer: m[1] };
  } catch (err) {
    if (err instanceof TokenVerificationError) return { refusal: refuse(c, err.status, err) };
    throw err;
  }
}

function refuse(c: ChallengeOptions, status: 400 | 401 | 403, err: TokenVerificationError | undefined, description?: string): Refusal {
  const params = [`realm="${quote(c.realm)}"`];
  if (c.resourceMetadataUrl !== undefined) params.push(`resource_metadata="${quote(c.resourceMetadataUrl)}"`);
  if (err) params.push(`error="${err.error}"`, `error_description="${quote(err.message)}"`);
  // RFC 6750 §3 `scope`: what the request needs. insufficient_scope always names it; with RFC 9728 metadata a 401
  // does too, so that a client (an MCP client) asks for the right scope on its first authorization.
  const scope = err?.scope ?? (c.resourceMetadataUrl !== undefined && c.scope.length > 0 ? c.scope.join(' ') : undefined);
  if (scope !== undefined) params.push(`scope="${quote(scope)}"`);
  const body = err ? { error: err.error, error_description: err.message } : { error_description: description ?? '' };
  if (!c.dpop) return { status, challenge: `Bearer ${params.join(', ')}`, body };
  // RFC 9449 §7.1: both schemes offered (only DPoP when required); an error of the DPoP kind goes in the DPoP one.
  const dpopError = err?.scheme === 'DPoP';
  const bearerParams = dpopError ? params.filter((x) => !/^(error|error_description)=/.test(x)) : params;
  const dpopParams = [...(dpopError ? params.filter((x) => /^(error|error_description)=/.test(x)) : []), `algs="${c.dpop.algorithms.join(' ')}"`];
  const challenges = [...(c.dpop.required ? [] : [`Bearer ${bearerParams.join(', ')}`]), `DPoP ${dpopParams.join(', ')}`];
  return { status, challenge: challenges.join(', '), body };
}

/** RFC 7230 §3.2.6 quoted-string: escape backslash and double quote. */
const quote = (s: string) => s.replace(/[\\"]/g, (ch) => `\\${ch}`);
